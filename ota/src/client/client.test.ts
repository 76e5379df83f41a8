import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { isAurigaError } from '@auriga/common';
import { createSigner, generateKeyFile } from '../metadata/keys.js';
import { signMetadata } from '../metadata/sign.js';
import type { DirectorCustom, TargetFile } from '../metadata/types.js';
import { TestRepository } from '../testing/repo-fixture.js';
import { applyMetadata } from './apply.js';
import { resolveAssignments, type VehicleFacts } from './assignment.js';
import { TargetHasher, verifyTargetFile, verifyTargetStream } from './target-verify.js';
import { TrustedMetadataSet } from './trusted-metadata.js';

const T0 = Date.UTC(2030, 0, 1);
let clock = T0;
const now = () => clock;

function expectCode(fn: () => unknown, code: string): void {
  try {
    fn();
  } catch (err) {
    if (!isAurigaError(err, code)) throw err;
    return;
  }
  throw new Error(`expected ${code}`);
}

const bundleBytes = Buffer.from('model bundle bytes '.repeat(100));
const bundleTarget = (custom: Record<string, unknown> = {}): TargetFile => ({
  length: bundleBytes.length,
  hashes: { sha256: createHash('sha256').update(bundleBytes).digest('hex') },
  custom: { name: 'speech', version: '1.2.0', kind: 'speech-model', hardwareIds: ['hu-a1'], serviceVersions: '^0.1.0', ...custom },
});
const assign = (over: Partial<DirectorCustom> = {}): DirectorCustom => ({
  vehicleId: 'car-1', hardwareId: 'hu-a1', action: 'install', assignmentId: 1, campaignId: 'c1', ...over,
});
const car = (over: Partial<VehicleFacts> = {}): VehicleFacts => ({
  vehicleId: 'car-1', hardwareId: 'hu-a1', serviceVersion: '0.1.3', installed: {}, ...over,
});

let repo: TestRepository;
beforeEach(() => {
  clock = T0;
  repo = new TestRepository(now);
  repo.addTarget('speech-1.2.0.bundle', bundleTarget());
  repo.publish();
});

function freshSet(): TrustedMetadataSet {
  const set = new TrustedMetadataSet(repo.root, { now });
  set.updateTimestamp(repo.timestamp);
  set.updateSnapshot(repo.snapshot);
  set.updateTargets(repo.targetsJson);
  return set;
}

describe('TrustedMetadataSet: the happy path', () => {
  it('verifies the whole chain and resolves the assignment', () => {
    const set = applyMetadata(new TrustedMetadataSet(repo.root, { now }), {
      roots: [repo.root], timestamp: repo.timestamp, snapshot: repo.snapshot, targets: repo.targetsJson,
      director: repo.director('car-1', [{ path: 'speech-1.2.0.bundle', custom: assign() }]),
    }, 'car-1', now);
    const [a] = resolveAssignments(set, car());
    expect(a!.release.version).toBe('1.2.0');
    expect(a!.target.length).toBe(bundleBytes.length);
    expect(a!.upToDate).toBe(false);
  });

  it('restores a persisted state and still refuses older versions afterwards', () => {
    const set = freshSet();
    const oldTimestamp = repo.timestamp;
    repo.refreshTimestamp();
    set.updateTimestamp(repo.timestamp);
    const restored = TrustedMetadataSet.restore(set.toState(), { now });
    expect(restored.timestamp!.version).toBe(set.timestamp!.version);
    expectCode(() => restored.updateTimestamp(oldTimestamp), 'AURIGA_ERR_OTA_ROLLBACK');
  });
});

describe('must be refused', () => {
  it('tampered metadata', () => {
    const set = new TrustedMetadataSet(repo.root, { now });
    const ts = JSON.parse(repo.timestamp);
    ts.signed.expires = '2099-01-01T00:00:00Z';
    expectCode(() => set.updateTimestamp(JSON.stringify(ts)), 'AURIGA_ERR_OTA_THRESHOLD');
    set.updateTimestamp(repo.timestamp);
    set.updateSnapshot(repo.snapshot);
    // targets edited after signing: the snapshot's hash of targets.json catches it before the signature does.
    const targets = JSON.parse(repo.targetsJson);
    targets.signed.targets['speech-1.2.0.bundle'].length += 1;
    expectCode(() => set.updateTargets(JSON.stringify(targets)), 'AURIGA_ERR_OTA_META_HASH');
    expect(set.targets).toBeUndefined();
  });

  it('a tampered bundle', async () => {
    const target = bundleTarget();
    const evil = Buffer.from(bundleBytes);
    evil[10]! ^= 1;
    await expect(verifyTargetStream(Readable.from([evil]), 'b', target)).rejects.toMatchObject({ code: 'AURIGA_ERR_OTA_TARGET_HASH' });
    await expect(verifyTargetStream(Readable.from([bundleBytes]), 'b', target)).resolves.toBeUndefined();
  });

  it('metadata signed by an unknown key', () => {
    const set = freshSet();
    const stranger = createSigner(generateKeyFile());
    const env = JSON.parse(repo.timestamp);
    env.signed.version += 1;
    const forged = signMetadata(env.signed, [stranger]);
    expectCode(() => set.updateTimestamp(JSON.stringify(forged)), 'AURIGA_ERR_OTA_THRESHOLD');
  });

  it('metadata signed by a revoked key, after root rotation', () => {
    const set = freshSet();
    const oldTargets = repo.signers.targets;
    repo.rotate({ targets: [createSigner(generateKeyFile())] });
    set.updateRoot(repo.root);
    // The rotation dropped the trusted targets; a targets file signed by the old key no longer counts.
    expect(set.targets).toBeUndefined();
    repo.signers.targets = oldTargets;
    repo.publish();
    set.updateTimestamp(repo.timestamp);
    set.updateSnapshot(repo.snapshot);
    expectCode(() => set.updateTargets(repo.targetsJson), 'AURIGA_ERR_OTA_THRESHOLD');
  });

  it('fewer signatures than the threshold', () => {
    repo = new TestRepository(now, 2, 3);
    const set = new TrustedMetadataSet(repo.root, { now });
    const env = JSON.parse(repo.timestamp);
    env.signatures = env.signatures.slice(0, 1);
    expectCode(() => set.updateTimestamp(JSON.stringify(env)), 'AURIGA_ERR_OTA_THRESHOLD');
    set.updateTimestamp(repo.timestamp);
    // A root signed by one of its keys only is not trusted either.
    const root = JSON.parse(repo.root);
    root.signatures = root.signatures.slice(0, 1);
    expectCode(() => new TrustedMetadataSet(JSON.stringify(root), { now }), 'AURIGA_ERR_OTA_THRESHOLD');
  });

  it('an expired role: targets, snapshot, root', () => {
    repo.publish({ expiresS: { targets: 60 } });
    clock = T0 + 61_000;
    repo.refreshTimestamp();
    // Timestamp is fresh again but the targets it leads to expired.
    const set = new TrustedMetadataSet(repo.root, { now });
    set.updateTimestamp(repo.timestamp);
    set.updateSnapshot(repo.snapshot);
    expectCode(() => set.updateTargets(repo.targetsJson), 'AURIGA_ERR_OTA_EXPIRED');

    clock = T0;
    repo.publish({ expiresS: { snapshot: 60 } });
    clock = T0 + 61_000;
    repo.refreshTimestamp();
    const set2 = new TrustedMetadataSet(repo.root, { now });
    set2.updateTimestamp(repo.timestamp);
    expectCode(() => set2.updateSnapshot(repo.snapshot), 'AURIGA_ERR_OTA_EXPIRED');

    clock = T0 + 366 * 86_400_000;
    expectCode(() => new TrustedMetadataSet(repo.root, { now }).checkRootFresh(), 'AURIGA_ERR_OTA_EXPIRED');
  });

  it('stale timestamp metadata (freeze attack)', () => {
    const set = freshSet();
    // The attacker keeps serving the same validly signed timestamp; a day later it has expired.
    clock = T0 + 86_400_000 + 1;
    expectCode(() => set.updateTimestamp(repo.timestamp), 'AURIGA_ERR_OTA_EXPIRED');
    expect(set.timestamp!.version).toBe(2);
  });

  it('older metadata than the trusted one (rollback attack on metadata)', () => {
    const set = freshSet();
    const old = { ts: repo.timestamp, snap: repo.snapshot, targets: repo.targetsJson };
    repo.publish();
    set.updateTimestamp(repo.timestamp);
    set.updateSnapshot(repo.snapshot);
    set.updateTargets(repo.targetsJson);
    expectCode(() => set.updateTimestamp(old.ts), 'AURIGA_ERR_OTA_ROLLBACK');
    // Even with a fresh timestamp that points at the old snapshot, the snapshot version is refused.
    const ts = JSON.parse(repo.timestamp);
    ts.signed.version += 5;
    ts.signed.meta['snapshot.json'] = JSON.parse(old.ts).signed.meta['snapshot.json'];
    expectCode(() => set.updateTimestamp(JSON.stringify(signMetadata(ts.signed, repo.signers.timestamp))), 'AURIGA_ERR_OTA_ROLLBACK');
  });

  it('an older root, a skipped root, a root not signed by the old keys', () => {
    const set = new TrustedMetadataSet(repo.root, { now });
    const v1 = repo.root;
    const v2 = repo.rotate({ root: [createSigner(generateKeyFile())] });
    const v3 = repo.rotate({ root: [createSigner(generateKeyFile())] });
    expectCode(() => set.updateRoot(v3), 'AURIGA_ERR_OTA_THRESHOLD'); // v3 is not signed by v1's key
    expectCode(() => set.updateRoot(v1), 'AURIGA_ERR_OTA_ROLLBACK');
    set.updateRoot(v2);
    set.updateRoot(v3);
    expect(set.root.version).toBe(3);
    // A v4 signed only by the new key (an attacker holding a new key but not the current one) is refused.
    const attacker = createSigner(generateKeyFile());
    const forged = structuredClone(repo.rootSigned);
    forged.version = 4;
    forged.keys = { [attacker.keyid]: attacker.publicKey };
    for (const role of Object.values(forged.roles)) role.keyids = [attacker.keyid];
    expectCode(() => set.updateRoot(JSON.stringify(signMetadata(forged, [attacker]))), 'AURIGA_ERR_OTA_THRESHOLD');
  });

  it('a file longer than its declared length (endless data)', async () => {
    const target = bundleTarget();
    let produced = 0;
    async function* endless(): AsyncGenerator<Uint8Array> {
      for (;;) {
        produced += 1024;
        yield Buffer.alloc(1024, 7);
      }
    }
    await expect(verifyTargetStream(endless(), 'b', target)).rejects.toMatchObject({ code: 'AURIGA_ERR_OTA_TARGET_LENGTH' });
    expect(produced).toBeLessThanOrEqual(target.length + 1024);

    const dir = await mkdtemp(join(tmpdir(), 'ota-target-'));
    try {
      const file = join(dir, 'b');
      await writeFile(file, Buffer.concat([bundleBytes, Buffer.from('extra')]));
      await expect(verifyTargetFile(file, 'b', target)).rejects.toMatchObject({ code: 'AURIGA_ERR_OTA_TARGET_LENGTH' });
      await writeFile(file, bundleBytes.subarray(0, 100));
      await expect(verifyTargetFile(file, 'b', target)).rejects.toMatchObject({ code: 'AURIGA_ERR_OTA_TARGET_LENGTH' });
      await writeFile(file, bundleBytes);
      await expect(verifyTargetFile(file, 'b', target)).resolves.toBeUndefined();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a resumed download is verified over the bytes on disk plus the rest', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ota-resume-'));
    try {
      const file = join(dir, 'partial');
      await writeFile(file, bundleBytes.subarray(0, 700));
      const hasher = new TargetHasher('b', bundleTarget());
      await hasher.absorbFile(file, 700);
      hasher.update(bundleBytes.subarray(700));
      expect(() => hasher.finish()).not.toThrow();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  describe('a bundle meant for another vehicle or hardware (mix-and-match)', () => {
    it('director metadata for another vehicle', () => {
      const set = freshSet();
      expectCode(() => set.updateDirector(repo.director('car-2', [{ path: 'speech-1.2.0.bundle', custom: assign({ vehicleId: 'car-2' }) }]), 'car-1'),
        'AURIGA_ERR_OTA_MIX_AND_MATCH');
    });

    it('an assignment for other hardware, or a release that does not list this hardware', () => {
      const set = freshSet();
      set.updateDirector(repo.director('car-1', [{ path: 'speech-1.2.0.bundle', custom: assign({ hardwareId: 'hu-b2' }) }]), 'car-1');
      expectCode(() => resolveAssignments(set, car()), 'AURIGA_ERR_OTA_MIX_AND_MATCH');
      expectCode(() => resolveAssignments(set, car({ hardwareId: 'hu-b2' })), 'AURIGA_ERR_OTA_MIX_AND_MATCH');
    });

    it('director and targets disagree on the bundle', () => {
      const set = freshSet();
      const env = JSON.parse(repo.director('car-1', [{ path: 'speech-1.2.0.bundle', custom: assign() }]));
      env.signed.targets['speech-1.2.0.bundle'].hashes.sha256 = 'a'.repeat(64);
      set.updateDirector(JSON.stringify(signMetadata(env.signed, repo.signers.director)), 'car-1');
      expectCode(() => resolveAssignments(set, car()), 'AURIGA_ERR_OTA_MIX_AND_MATCH');
    });

    it('a target the operator never signed', () => {
      const set = freshSet();
      const env = JSON.parse(repo.director('car-1', [{ path: 'speech-1.2.0.bundle', custom: assign() }]));
      env.signed.targets['evil.bundle'] = env.signed.targets['speech-1.2.0.bundle'];
      delete env.signed.targets['speech-1.2.0.bundle'];
      set.updateDirector(JSON.stringify(signMetadata(env.signed, repo.signers.director)), 'car-1');
      expectCode(() => resolveAssignments(set, car()), 'AURIGA_ERR_OTA_TARGET_UNKNOWN');
    });

    it('a release for another vehicle-service version', () => {
      const set = freshSet();
      set.updateDirector(repo.director('car-1', [{ path: 'speech-1.2.0.bundle', custom: assign() }]), 'car-1');
      expectCode(() => resolveAssignments(set, car({ serviceVersion: '0.2.0' })), 'AURIGA_ERR_OTA_INCOMPATIBLE');
    });
  });

  describe('a release older than the installed one (rollback attack)', () => {
    const sha = () => bundleTarget().hashes.sha256;
    it('refuses an older release even when validly signed', () => {
      const set = freshSet();
      set.updateDirector(repo.director('car-1', [{ path: 'speech-1.2.0.bundle', custom: assign() }]), 'car-1');
      expectCode(() => resolveAssignments(set, car({ installed: { speech: { version: '1.3.0', sha256: 'b'.repeat(64) } } })),
        'AURIGA_ERR_OTA_OLDER_RELEASE');
      // Marking it "rollback" is not enough unless it is exactly the bundle in the previous slot.
      set.updateDirector(repo.director('car-1', [{ path: 'speech-1.2.0.bundle', custom: assign({ action: 'rollback' }) }]), 'car-1');
      expectCode(() => resolveAssignments(set, car({ installed: { speech: { version: '1.3.0', sha256: 'b'.repeat(64), previous: { version: '1.1.0', sha256: sha() } } } })),
        'AURIGA_ERR_OTA_OLDER_RELEASE');
      const [ok] = resolveAssignments(set, car({ installed: { speech: { version: '1.3.0', sha256: 'b'.repeat(64), previous: { version: '1.2.0', sha256: sha() } } } }));
      expect(ok!.director.action).toBe('rollback');
    });

    it('reports an already active bundle as up to date', () => {
      const set = freshSet();
      set.updateDirector(repo.director('car-1', [{ path: 'speech-1.2.0.bundle', custom: assign() }]), 'car-1');
      expect(resolveAssignments(set, car({ installed: { speech: { version: '1.2.0', sha256: sha() } } }))[0]!.upToDate).toBe(true);
      expectCode(() => resolveAssignments(set, car({ installed: { speech: { version: '1.2.0', sha256: 'c'.repeat(64) } } })),
        'AURIGA_ERR_OTA_OLDER_RELEASE');
    });

    it('refuses older director metadata', () => {
      const set = freshSet();
      const first = repo.director('car-1', []);
      set.updateDirector(repo.director('car-1', []), 'car-1');
      expectCode(() => set.updateDirector(first, 'car-1'), 'AURIGA_ERR_OTA_ROLLBACK');
    });
  });

  it('applyMetadata leaves the trusted state untouched when anything fails', () => {
    const set = freshSet();
    const before = set.toState();
    expect(() => applyMetadata(set, {
      roots: [], timestamp: repo.timestamp, snapshot: repo.snapshot, targets: repo.targetsJson,
      director: repo.director('car-2', []),
    }, 'car-1', now)).toThrow(/not meant for this vehicle/);
    expect(set.toState()).toEqual(before);
  });
});

afterAll(() => { clock = T0; });
