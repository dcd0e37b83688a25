/**
 * Stands in for `@aws-sdk/credential-provider-node` in the Lambda bundles (the alias is set in
 * `infra/lambda-bundling.ts`). Lambda hands every function its role's credentials in environment
 * variables, which is the first link of the SDK's default chain; the other links (SSO, INI files,
 * credential processes, web identity, container and instance metadata) and the STS and SSO clients they
 * bring are about 100 KB that Lambda would parse on every cold start and never run. Tests and the local
 * stack keep the SDK's own chain.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';

/** The SDK's default credential provider, reduced to the environment. */
export const defaultProvider = (init?: Parameters<typeof fromEnv>[0]) => fromEnv(init);
