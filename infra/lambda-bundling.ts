/**
 * How every Lambda bundle is built, shared by `CourseFunction` (CDK runs esbuild with these settings)
 * and `npm run bench -- bundles` (which builds the same bundles to weigh and time them).
 */

/** The esbuild settings, in esbuild's own terms (the bench passes them as they are). */
export const LAMBDA_ESBUILD = {
  format: 'esm',
  target: 'node22',
  minify: true,
  // Beside the bundle, to read stack traces offline; not enabled at run time (see CourseFunction).
  // The mappings are enough: leaving the sources out keeps it small.
  sourcemap: 'external',
  sourcesContent: false,
  // Prefer packages' ES module builds, which esbuild can tree-shake.
  mainFields: ['module', 'main'],
  // Some bundled CommonJS dependencies call require() on Node built-ins, which ESM lacks.
  banner: { js: "import { createRequire } from 'module';const require = createRequire(import.meta.url);" },
} as const;

/**
 * Modules replaced in the bundles, relative to the project root (esbuild resolves aliases from its
 * working directory, which is the project root for CDK and for the bench). Lambda gives every function
 * its credentials in environment variables, so the SDK's full default credential chain is replaced by
 * its first link (see `functions/adapters/lambda-credentials.ts`).
 */
export const ALIASES: Record<string, string> = {
  '@aws-sdk/credential-provider-node': './functions/adapters/lambda-credentials.ts',
};
