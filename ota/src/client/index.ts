/**
 * `@auriga/ota/client`: what the in-car agent needs, without the server's dependencies (fastify, pg):
 * the TUF/Uptane verifier, target byte checks with resume, bundle verification and extraction.
 */
export { OtaErrors } from '../errors.js';
export { canonicalJson, canonicalJsonBytes } from '../metadata/canonical-json.js';
export { keyIdOf, verifySignature, type PublicKey } from '../metadata/keys.js';
export * from '../metadata/types.js';
export { TrustedMetadataSet, type TrustedMetadataOptions, type TrustedState } from './trusted-metadata.js';
export { applyMetadata, type MetadataBundle } from './apply.js';
export { resolveAssignments, type InstalledModel, type ResolvedAssignment, type VehicleFacts } from './assignment.js';
export { TargetHasher, verifyingTransform, verifyTargetFile, verifyTargetStream } from './target-verify.js';
export { extractBundle, readBundle, verifyBundleFile, type FileSink, type ReadBundleOptions } from '../bundle/bundle.js';
export { MANIFEST_NAME, validateManifest, type Acceptance, type Manifest, type ManifestFile, type ModelKind } from '../bundle/manifest.js';
export { compareSemver, satisfies } from '../util/semver.js';
