import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { OtaErrors } from '../errors.js';
import type { ReleaseCustom } from '../metadata/types.js';
import { isSemver, parseRange } from '../util/semver.js';

export const MODEL_KINDS = ['speech-model', 'driving-context-model', 'voice-context'] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];

export const ManifestFileSchema = Type.Object({
  path: Type.String({ minLength: 1, maxLength: 255 }),
  sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
  length: Type.Integer({ minimum: 0 }),
  /** What the file is for the agent: the model itself, a voice context, the acceptance test set, ... */
  role: Type.Optional(Type.Union([Type.Literal('model'), Type.Literal('voice-context'), Type.Literal('acceptance-data'), Type.Literal('other')])),
}, { additionalProperties: false });
export type ManifestFile = Static<typeof ManifestFileSchema>;

/** Thresholds the car checks after install, before switching. Extra numeric criteria are allowed. */
export const AcceptanceSchema = Type.Object({
  minAccuracy: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
  maxLatencyMs: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
  maxMemoryMb: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
  /** Health checks after the switch: how long to watch and how many crashes are tolerated (default 0). */
  healthWindowS: Type.Optional(Type.Integer({ minimum: 1 })),
  maxCrashes: Type.Optional(Type.Integer({ minimum: 0 })),
}, { additionalProperties: Type.Number() });
export type Acceptance = Static<typeof AcceptanceSchema>;

export const ManifestSchema = Type.Object({
  name: Type.String({ pattern: '^[a-z0-9][a-z0-9._-]{0,63}$' }),
  version: Type.String({ minLength: 5, maxLength: 64 }),
  kind: Type.Union(MODEL_KINDS.map((k) => Type.Literal(k))),
  description: Type.Optional(Type.String({ maxLength: 1000 })),
  supports: Type.Object({
    serviceVersions: Type.String({ minLength: 1 }),
    hardware: Type.Array(Type.String({ pattern: '^[A-Za-z0-9._-]{1,64}$' }), { minItems: 1 }),
  }, { additionalProperties: false }),
  acceptance: AcceptanceSchema,
  files: Type.Array(ManifestFileSchema, { minItems: 1 }),
}, { additionalProperties: false });
export type Manifest = Static<typeof ManifestSchema>;
export type ManifestInput = Omit<Manifest, 'files'> & { files?: ManifestFile[] };

export const MANIFEST_NAME = 'manifest.json';
const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

/**
 * A bundle path must be relative, POSIX, made of plain segments (no `..`, no `.`, no hidden files, no
 * backslashes), so extracting it can never leave the slot directory or shadow the manifest.
 */
export function checkBundlePath(path: string, where: string): void {
  if (path.length === 0 || path.length > 255) throw OtaErrors.badManifest(where, `path length ${path.length} is not 1..255`);
  const segments = path.split('/');
  for (const s of segments) {
    if (!SEGMENT.test(s)) throw OtaErrors.badManifest(where, `path ${JSON.stringify(path)} has an unsafe segment ${JSON.stringify(s)}`);
  }
  if (path === MANIFEST_NAME) throw OtaErrors.badManifest(where, `${MANIFEST_NAME} is reserved`);
}

export function validateManifest(value: unknown): Manifest {
  if (!Value.Check(ManifestSchema, value)) {
    const first = Value.Errors(ManifestSchema, value).First();
    throw OtaErrors.badManifest(first?.path || '/', first?.message ?? 'invalid');
  }
  const m = value as Manifest;
  if (!isSemver(m.version)) throw OtaErrors.badManifest('/version', `${m.version} is not a semantic version`);
  try {
    parseRange(m.supports.serviceVersions);
  } catch {
    throw OtaErrors.badManifest('/supports/serviceVersions', `${m.supports.serviceVersions} is not a version range`);
  }
  const seen = new Set<string>();
  m.files.forEach((f, i) => {
    checkBundlePath(f.path, `/files/${i}/path`);
    // Case-insensitive: two names that collide on a case-insensitive disk would overwrite each other.
    const key = f.path.toLowerCase();
    if (seen.has(key)) throw OtaErrors.badManifest(`/files/${i}/path`, `${f.path} is listed twice`);
    seen.add(key);
    const parentClash = [...seen].some((p) => p.startsWith(`${key}/`) || key.startsWith(`${p}/`));
    if (parentClash) throw OtaErrors.badManifest(`/files/${i}/path`, `${f.path} is both a file and a directory`);
  });
  return m;
}

/** The fields the operator signs into `targets` custom, so the car checks them before downloading. */
export function releaseCustomOf(m: Manifest): ReleaseCustom {
  return { name: m.name, version: m.version, kind: m.kind, hardwareIds: [...m.supports.hardware], serviceVersions: m.supports.serviceVersions };
}
