import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { OtaErrors } from '../errors.js';

/**
 * TUF 1.0 metadata shapes (https://theupdateframework.github.io/specification/latest/) plus one
 * Uptane-style role: `director`, an online role that signs one vehicle's assignment and binds it to
 * that vehicle and its hardware. Unknown fields are allowed, as TUF requires, and are covered by
 * the signature because the whole `signed` object is hashed in canonical form.
 */
export const SPEC_VERSION = '1.0.31';
export const TOP_ROLES = ['root', 'targets', 'snapshot', 'timestamp', 'director'] as const;
export type RoleName = (typeof TOP_ROLES)[number];

const Hex64 = Type.String({ pattern: '^[0-9a-f]{64}$' });
const Expires = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z$' });
const Version = Type.Integer({ minimum: 1 });

export const SignatureSchema = Type.Object({ keyid: Type.String(), sig: Type.String() });
export type Signature = Static<typeof SignatureSchema>;

export const PublicKeySchema = Type.Object({
  keytype: Type.Literal('ed25519'),
  scheme: Type.Literal('ed25519'),
  keyval: Type.Object({ public: Hex64 }),
});

export const RoleKeysSchema = Type.Object({
  keyids: Type.Array(Type.String(), { minItems: 1 }),
  threshold: Type.Integer({ minimum: 1 }),
});
export type RoleKeys = Static<typeof RoleKeysSchema>;

const common = {
  spec_version: Type.String(),
  version: Version,
  expires: Expires,
};

export const RootSignedSchema = Type.Object({
  _type: Type.Literal('root'),
  ...common,
  consistent_snapshot: Type.Boolean(),
  keys: Type.Record(Type.String(), PublicKeySchema),
  roles: Type.Object({
    root: RoleKeysSchema,
    targets: RoleKeysSchema,
    snapshot: RoleKeysSchema,
    timestamp: RoleKeysSchema,
    director: RoleKeysSchema,
  }),
});
export type RootSigned = Static<typeof RootSignedSchema>;

export const MetaFileSchema = Type.Object({
  version: Version,
  length: Type.Optional(Type.Integer({ minimum: 0 })),
  hashes: Type.Optional(Type.Object({ sha256: Hex64 })),
});
export type MetaFile = Static<typeof MetaFileSchema>;

export const TimestampSignedSchema = Type.Object({
  _type: Type.Literal('timestamp'),
  ...common,
  meta: Type.Object({ 'snapshot.json': MetaFileSchema }),
});
export type TimestampSigned = Static<typeof TimestampSignedSchema>;

export const SnapshotSignedSchema = Type.Object({
  _type: Type.Literal('snapshot'),
  ...common,
  meta: Type.Record(Type.String(), MetaFileSchema),
});
export type SnapshotSigned = Static<typeof SnapshotSignedSchema>;

/** What the operator signs about a bundle, offline, in `targets`: the car checks it before using anything. */
export const ReleaseCustomSchema = Type.Object({
  name: Type.String({ minLength: 1 }),
  version: Type.String({ minLength: 1 }),
  kind: Type.String({ minLength: 1 }),
  hardwareIds: Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }),
  serviceVersions: Type.String({ minLength: 1 }),
});
export type ReleaseCustom = Static<typeof ReleaseCustomSchema>;

export const TargetFileSchema = Type.Object({
  length: Type.Integer({ minimum: 0 }),
  hashes: Type.Object({ sha256: Hex64 }),
  custom: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});
export type TargetFile = Static<typeof TargetFileSchema>;

export const TargetsSignedSchema = Type.Object({
  _type: Type.Literal('targets'),
  ...common,
  targets: Type.Record(Type.String(), TargetFileSchema),
});
export type TargetsSigned = Static<typeof TargetsSignedSchema>;

/** What the server's online director key signs about one vehicle's assignment. */
export const DirectorCustomSchema = Type.Object({
  vehicleId: Type.String({ minLength: 1 }),
  hardwareId: Type.String({ minLength: 1 }),
  action: Type.Union([Type.Literal('install'), Type.Literal('rollback')]),
  assignmentId: Type.Integer({ minimum: 1 }),
  campaignId: Type.String(),
});
export type DirectorCustom = Static<typeof DirectorCustomSchema>;

export const DirectorSignedSchema = Type.Object({
  _type: Type.Literal('director'),
  ...common,
  vehicleId: Type.String({ minLength: 1 }),
  targets: Type.Record(Type.String(), TargetFileSchema),
});
export type DirectorSigned = Static<typeof DirectorSignedSchema>;

export interface SignedByRole {
  root: RootSigned;
  targets: TargetsSigned;
  snapshot: SnapshotSigned;
  timestamp: TimestampSigned;
  director: DirectorSigned;
}
export type AnySigned = SignedByRole[RoleName];

export interface Envelope<T extends AnySigned = AnySigned> {
  signed: T;
  signatures: Signature[];
}

const schemas: { [R in RoleName]: TSchema } = {
  root: RootSignedSchema,
  targets: TargetsSignedSchema,
  snapshot: SnapshotSignedSchema,
  timestamp: TimestampSignedSchema,
  director: DirectorSignedSchema,
};

export function checkSchema<T>(schema: TSchema, value: unknown, role: string, where: string): T {
  if (Value.Check(schema, value)) return value as T;
  const first = Value.Errors(schema, value).First();
  throw OtaErrors.badMetadata(role, `${where}${first?.path ?? ''}: ${first?.message ?? 'invalid'}`);
}

/** Parses raw bytes or an object into an envelope of the expected role; refuses anything else. */
export function parseEnvelope<R extends RoleName>(role: R, raw: Uint8Array | string | unknown): Envelope<SignedByRole[R]> {
  let value: unknown = raw;
  if (typeof raw === 'string' || raw instanceof Uint8Array) {
    try {
      value = JSON.parse(typeof raw === 'string' ? raw : Buffer.from(raw).toString('utf8'));
    } catch (err) {
      throw OtaErrors.badMetadata(role, `not JSON (${(err as Error).message})`);
    }
  }
  const env = value as Envelope;
  if (typeof env !== 'object' || env === null || !Array.isArray(env.signatures)) {
    throw OtaErrors.badMetadata(role, 'expected {signed, signatures[]}');
  }
  for (const [i, s] of env.signatures.entries()) checkSchema(SignatureSchema, s, role, `signatures[${i}]`);
  const signedType = (env.signed as { _type?: unknown } | undefined)?._type;
  if (signedType !== role) throw OtaErrors.badMetadata(role, `_type is ${String(signedType)}, expected ${role}`);
  checkSchema(schemas[role], env.signed, role, 'signed');
  return env as Envelope<SignedByRole[R]>;
}

/** TUF's expiry format, second precision, UTC. */
export function formatExpires(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

export function expiresMs(expires: string): number {
  return Date.parse(expires);
}
