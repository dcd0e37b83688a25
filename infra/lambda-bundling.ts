/**
 * How every Lambda bundle is built, shared by `CourseFunction` (CDK runs esbuild with these settings)
 * and `npm run bench -- bundles` (which builds the same bundles to weigh and time them).
 */

/** Node.js version the bundles are written for. */
export const TARGET = 'node22';

/** Prefer packages' ES module builds, which esbuild can tree-shake. */
export const MAIN_FIELDS = ['module', 'main'];

/** Some bundled CommonJS dependencies call require() on Node built-ins, which ESM lacks. */
export const BANNER =
  "import { createRequire } from 'module';const require = createRequire(import.meta.url);";

/**
 * Modules replaced in the bundles, relative to the project root (esbuild resolves aliases from its
 * working directory, which is the project root for CDK and for the bench). Lambda gives every function
 * its credentials in environment variables, so the SDK's full default credential chain is replaced by
 * its first link (see `functions/adapters/lambda-credentials.ts`).
 */
export const ALIASES: Record<string, string> = {
  '@aws-sdk/credential-provider-node': './functions/adapters/lambda-credentials.ts',
};
