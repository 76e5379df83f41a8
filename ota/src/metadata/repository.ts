import { createHash } from 'node:crypto';
import { keyIdOf, type PublicKey } from './keys.js';
import {
  formatExpires,
  SPEC_VERSION,
  type MetaFile,
  type RoleName,
  type RootSigned,
  type SnapshotSigned,
  type TargetFile,
  type TargetsSigned,
  type TimestampSigned,
  type DirectorSigned,
} from './types.js';

/** Builders for the repository side (operator CLI and fleet server). They produce unsigned `signed` objects. */

export const DEFAULT_EXPIRY_S: Record<RoleName, number> = {
  root: 365 * 86_400,
  targets: 90 * 86_400,
  snapshot: 7 * 86_400,
  timestamp: 86_400,
  director: 7 * 86_400,
};

export interface RoleKeySpec {
  keys: PublicKey[];
  threshold: number;
}

export function buildRoot(opts: {
  version: number;
  expires: string;
  roles: Record<RoleName, RoleKeySpec>;
}): RootSigned {
  const keys: RootSigned['keys'] = {};
  const roles = {} as RootSigned['roles'];
  for (const [role, spec] of Object.entries(opts.roles) as [RoleName, RoleKeySpec][]) {
    const keyids = spec.keys.map((k) => {
      const id = keyIdOf(k);
      keys[id] = k;
      return id;
    });
    roles[role] = { keyids: [...new Set(keyids)], threshold: spec.threshold };
  }
  return { _type: 'root', spec_version: SPEC_VERSION, version: opts.version, expires: opts.expires, consistent_snapshot: false, keys, roles };
}

/** Describes one metadata file by version, length and hash of its exact served bytes. */
export function metaFileOf(bytes: Uint8Array, version: number): MetaFile {
  return { version, length: bytes.length, hashes: { sha256: createHash('sha256').update(bytes).digest('hex') } };
}

export function buildTimestamp(version: number, expires: string, snapshotBytes: Uint8Array, snapshotVersion: number): TimestampSigned {
  return { _type: 'timestamp', spec_version: SPEC_VERSION, version, expires, meta: { 'snapshot.json': metaFileOf(snapshotBytes, snapshotVersion) } };
}

export function buildSnapshot(version: number, expires: string, targetsBytes: Uint8Array, targetsVersion: number): SnapshotSigned {
  return { _type: 'snapshot', spec_version: SPEC_VERSION, version, expires, meta: { 'targets.json': metaFileOf(targetsBytes, targetsVersion) } };
}

export function buildTargets(version: number, expires: string, targets: Record<string, TargetFile>): TargetsSigned {
  return { _type: 'targets', spec_version: SPEC_VERSION, version, expires, targets };
}

export function buildDirector(version: number, expires: string, vehicleId: string, targets: Record<string, TargetFile>): DirectorSigned {
  return { _type: 'director', spec_version: SPEC_VERSION, version, expires, vehicleId, targets };
}

export function expiresAfter(nowMs: number, seconds: number): string {
  return formatExpires(nowMs + seconds * 1000);
}

/** Serialized form of an envelope as stored and served. Hashes in snapshot/timestamp refer to these bytes. */
export function serializeEnvelope(envelope: unknown): Buffer {
  return Buffer.from(JSON.stringify(envelope), 'utf8');
}
