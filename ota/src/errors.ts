import { defineError } from '@auriga/common';

/**
 * Every refusal the OTA code raises on purpose. The client-side codes are what the in-car agent
 * reports as the reason when it refuses an update, so each attack in the threat model has its own.
 */
export const OtaErrors = {
  canonicalJson: defineError('AURIGA_ERR_OTA_CANONICAL_JSON', 400, (where: string, what: string) =>
    `cannot encode canonical JSON at ${where}: ${what}`),
  badMetadata: defineError('AURIGA_ERR_OTA_BAD_METADATA', 400, (role: string, what: string) =>
    `${role} metadata is malformed: ${what}`),
  badKey: defineError('AURIGA_ERR_OTA_BAD_KEY', 400, (what: string) => `bad key: ${what}`),
  threshold: defineError('AURIGA_ERR_OTA_THRESHOLD', 401, (role: string, valid: number, threshold: number) =>
    `${role} metadata has ${valid} valid signature(s) from trusted keys, threshold is ${threshold}`),
  expired: defineError('AURIGA_ERR_OTA_EXPIRED', 401, (role: string, expires: string) =>
    `${role} metadata expired at ${expires}`),
  rollback: defineError('AURIGA_ERR_OTA_ROLLBACK', 401, (role: string, got: number, trusted: number) =>
    `${role} metadata version ${got} is lower than the trusted version ${trusted} (rollback attack)`),
  versionMismatch: defineError('AURIGA_ERR_OTA_VERSION_MISMATCH', 401, (role: string, got: number, expected: number) =>
    `${role} metadata version ${got} does not match the expected version ${expected}`),
  metaHash: defineError('AURIGA_ERR_OTA_META_HASH', 401, (role: string, what: string) =>
    `${role} metadata does not match what the referring role declared: ${what}`),
  missingRole: defineError('AURIGA_ERR_OTA_MISSING_ROLE', 400, (role: string, needed: string) =>
    `${role} metadata must be loaded before ${needed}`),
  targetLength: defineError('AURIGA_ERR_OTA_TARGET_LENGTH', 401, (target: string, got: string, declared: number) =>
    `target ${target} is ${got} bytes, declared length is ${declared}`),
  targetHash: defineError('AURIGA_ERR_OTA_TARGET_HASH', 401, (target: string) =>
    `target ${target} does not match its signed sha256`),
  targetUnknown: defineError('AURIGA_ERR_OTA_TARGET_UNKNOWN', 401, (target: string) =>
    `target ${target} is not listed in the signed targets metadata`),
  mixAndMatch: defineError('AURIGA_ERR_OTA_MIX_AND_MATCH', 401, (what: string) =>
    `update is not meant for this vehicle: ${what}`),
  olderRelease: defineError('AURIGA_ERR_OTA_OLDER_RELEASE', 401, (got: string, installed: string) =>
    `release ${got} is older than the installed ${installed} (rollback attack)`),
  incompatible: defineError('AURIGA_ERR_OTA_INCOMPATIBLE', 409, (what: string) =>
    `update is not compatible with this vehicle: ${what}`),
  badBundle: defineError('AURIGA_ERR_OTA_BAD_BUNDLE', 400, (what: string) => `bundle refused: ${what}`),
  badManifest: defineError('AURIGA_ERR_OTA_BAD_MANIFEST', 400, (where: string, what: string) =>
    `bundle manifest is invalid at ${where}: ${what}`),
  badSemver: defineError('AURIGA_ERR_OTA_BAD_SEMVER', 400, (text: string) => `not a semantic version or range: ${text}`),
  notFound: defineError('AURIGA_ERR_OTA_NOT_FOUND', 404, (what: string) => `${what} not found`),
  conflict: defineError('AURIGA_ERR_OTA_CONFLICT', 409, (what: string) => what),
  unauthorized: defineError('AURIGA_ERR_OTA_UNAUTHORIZED', 401, (what: string) => what),
  forbidden: defineError('AURIGA_ERR_OTA_FORBIDDEN', 403, (what: string) => what),
  badRequest: defineError('AURIGA_ERR_OTA_BAD_REQUEST', 400, (what: string) => what),
  rangeNotSatisfiable: defineError('AURIGA_ERR_OTA_RANGE', 416, (range: string, size: number) =>
    `range ${range} cannot be served from ${size} bytes`),
  campaignState: defineError('AURIGA_ERR_OTA_CAMPAIGN_STATE', 409, (id: string, state: string, action: string) =>
    `campaign ${id} is ${state}: cannot ${action}`),
} as const;
