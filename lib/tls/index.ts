/**
 * Public API of lib/tls, kaws's PKI: derive a PkiRequest from a spec, render (or re-render) the asset
 * set, map it to kube-aws's file names, and check a brought-your-own CA.
 */
export { caProblems, DEFAULT_MINIMUM_CA_VALIDITY_DAYS } from './ca.ts';
export { CLOCK_SKEW_ALLOWANCE_MS, issuedForFingerprint } from './certificate.ts';
export { type CaProblem, type CaProblemCode, CaValidationError, TlsRenderError } from './errors.ts';
export { type CredentialFile, credentialFilesOf, storedAssetsFromFiles } from './files.ts';
export { type AssetName, type RenderTlsOptions, renderTlsAssets, type TlsRenderResult } from './render.ts';
export {
  DEFAULT_CA_COMMON_NAME,
  ec2PrivateDnsWildcard,
  kubernetesServiceIp,
  leafProfiles,
  pkiRequestFromSpec,
} from './request.ts';
export { nodeKeyGenerator, systemTlsDependencies } from './system.ts';
export * from './types.ts';
