import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/bench/**', 'node_modules/**'],
    pool: 'forks',
    // Vitest runs one file at a time on a 2-core machine (cores minus one); most files here also wait on
    // sockets, stand-ins or Chromium, so two at a time keep both cores busy (every stack binds port 0).
    maxWorkers: 2,
    // Each worker runs its files one after another in one process instead of a fresh process per file:
    // loading the SDK, the stand-ins and the app again for every file was half of the suites' CPU time,
    // and the first CDK synth in a process costs seconds of warm-up, later ones a fraction of that.
    // What this asks of a test file: it starts its own stack (the local stack clears the SES stand-in's
    // one-per-process mailbox when it starts). A file's changes to `process.env` (a Lambda handler's
    // environment) are undone when it ends, by the setup file. Each handler module is imported by one
    // file only (modules load once).
    isolate: false,
    setupFiles: ['test/support/restore-env.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // A ~0.5 s NodeVersionSupportWarning per SDK import is noise here (Lambda runs Node 22).
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
