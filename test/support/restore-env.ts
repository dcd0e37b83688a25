/**
 * Vitest setup file (vitest.config.ts): every test file ends with the `process.env` it started with.
 * Workers run many files in one process, and a test of a Lambda handler sets the handler's environment.
 */
import { afterAll } from 'vitest';

const before = { ...process.env };

afterAll(() => {
  for (const name of Object.keys(process.env)) if (!(name in before)) delete process.env[name];
  Object.assign(process.env, before);
});
