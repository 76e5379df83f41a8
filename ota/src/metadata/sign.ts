import { OtaErrors } from '../errors.js';
import { canonicalJsonBytes } from './canonical-json.js';
import { keyIdOf, verifySignature, type Signer } from './keys.js';
import type { AnySigned, Envelope, RoleName, RootSigned } from './types.js';

/** Signs `signed` with every signer (one signature per key), replacing older signatures by the same keys. */
export function signMetadata<T extends AnySigned>(signed: T, signers: readonly Signer[], existing: Envelope<T>['signatures'] = []): Envelope<T> {
  const data = canonicalJsonBytes(signed);
  const byKey = new Map(existing.map((s) => [s.keyid, s] as const));
  for (const signer of signers) byKey.set(signer.keyid, { keyid: signer.keyid, sig: signer.sign(data) });
  return { signed, signatures: [...byKey.values()] };
}

/**
 * Counts the distinct trusted keys of `role` (as `root` defines them) that produced a valid signature
 * over the canonical `signed`. Keys not in the role (unknown, or revoked by a newer root) do not count,
 * nor do repeated signatures by one key, nor two keyids for the same public key.
 */
export function countValidSignatures(envelope: Envelope, root: RootSigned, role: RoleName): number {
  const roleKeys = root.roles[role];
  const allowed = new Set(roleKeys.keyids);
  const data = canonicalJsonBytes(envelope.signed);
  const seenPublic = new Set<string>();
  for (const sig of envelope.signatures) {
    if (!allowed.has(sig.keyid)) continue;
    const key = root.keys[sig.keyid];
    if (!key || seenPublic.has(key.keyval.public)) continue;
    if (verifySignature(key, data, sig.sig)) seenPublic.add(key.keyval.public);
  }
  return seenPublic.size;
}

export function verifyThreshold(envelope: Envelope, root: RootSigned, role: RoleName): void {
  const valid = countValidSignatures(envelope, root, role);
  const threshold = root.roles[role].threshold;
  if (valid < threshold) throw OtaErrors.threshold(role, valid, threshold);
}

/** Root-specific rules beyond the schema: keyids are the hash of their keys; every role's keys are listed. */
export function checkRootConsistency(root: RootSigned): void {
  for (const [keyid, key] of Object.entries(root.keys)) {
    if (keyIdOf(key) !== keyid) throw OtaErrors.badMetadata('root', `keys.${keyid} is not the sha256 of its key`);
  }
  for (const [role, keys] of Object.entries(root.roles)) {
    for (const id of keys.keyids) {
      if (!root.keys[id]) throw OtaErrors.badMetadata('root', `roles.${role} names key ${id} that keys does not list`);
    }
    if (new Set(keys.keyids).size !== keys.keyids.length) throw OtaErrors.badMetadata('root', `roles.${role} lists a key twice`);
    if (keys.threshold > keys.keyids.length) {
      throw OtaErrors.badMetadata('root', `roles.${role} threshold ${keys.threshold} exceeds its ${keys.keyids.length} key(s)`);
    }
  }
}
