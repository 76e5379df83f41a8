import type { Logger } from 'pino';
import { Value } from '@sinclair/typebox/value';
import { OtaErrors } from '../errors.js';
import { canonicalJson } from '../metadata/canonical-json.js';
import { createSigner, type PrivateKeyFile, type Signer } from '../metadata/keys.js';
import { buildDirector, buildSnapshot, buildTimestamp, DEFAULT_EXPIRY_S, expiresAfter } from '../metadata/repository.js';
import { checkRootConsistency, signMetadata, verifyThreshold } from '../metadata/sign.js';
import {
  expiresMs,
  parseEnvelope,
  ReleaseCustomSchema,
  type DirectorSigned,
  type Envelope,
  type ReleaseCustom,
  type RootSigned,
  type TargetFile,
} from '../metadata/types.js';
import type { OtaStore, ReleaseRecord, VehicleRecord } from '../store/types.js';
import type { BundleStore } from './bundle-store.js';

export interface OnlineKeys {
  snapshot: PrivateKeyFile[];
  timestamp: PrivateKeyFile[];
  director: PrivateKeyFile[];
}

export interface CurrentMetadata {
  rootVersion: number;
  timestamp: string;
  snapshot: string;
  targets: string;
}

/**
 * The repository side on the server: accepts offline-signed root and targets from the operator, checks
 * them exactly as a car would, and signs the online roles (snapshot, timestamp, per-vehicle director).
 * Every version is inserted once (role, version is the primary key), so instances sharing a database
 * never publish two different files under one version: the loser re-reads the winner's file.
 */
export class RepositoryService {
  private readonly signers: Record<keyof OnlineKeys, Signer[]>;
  private cache: { at: number; value: CurrentMetadata; root: RootSigned } | undefined;

  constructor(
    private readonly store: OtaStore,
    private readonly bundles: BundleStore,
    keys: OnlineKeys,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
    private readonly expiry = { timestamp: DEFAULT_EXPIRY_S.timestamp, snapshot: DEFAULT_EXPIRY_S.snapshot, director: DEFAULT_EXPIRY_S.director },
    private readonly cacheMs = 1000,
  ) {
    this.signers = {
      snapshot: keys.snapshot.map(createSigner),
      timestamp: keys.timestamp.map(createSigner),
      director: keys.director.map(createSigner),
    };
  }

  async root(): Promise<{ signed: RootSigned; body: string } | undefined> {
    const rec = await this.store.latestMetadata('root');
    if (!rec) return undefined;
    return { signed: parseEnvelope('root', rec.body).signed, body: rec.body };
  }

  /** Accepts root v1 (self-signed) or the next root in the chain (signed by old and new thresholds). */
  async publishRoot(body: string): Promise<RootSigned> {
    const env = parseEnvelope('root', body);
    checkRootConsistency(env.signed);
    verifyThreshold(env, env.signed, 'root');
    const current = await this.root();
    if (current) {
      verifyThreshold(env, current.signed, 'root');
      if (env.signed.version !== current.signed.version + 1) throw OtaErrors.versionMismatch('root', env.signed.version, current.signed.version + 1);
    } else if (env.signed.version !== 1) {
      throw OtaErrors.versionMismatch('root', env.signed.version, 1);
    }
    if (expiresMs(env.signed.expires) <= this.now()) throw OtaErrors.expired('root', env.signed.expires);
    this.checkOnlineKeys(env.signed);
    if (!(await this.store.putMetadata('root', env.signed.version, body, this.now()))) {
      throw OtaErrors.conflict(`root version ${env.signed.version} was published concurrently`);
    }
    this.cache = undefined;
    this.log.info({ version: env.signed.version }, 'root published');
    // New online keys invalidate the online roles: sign them again with the keys the new root names.
    if (await this.store.latestMetadata('targets')) await this.signSnapshotAndTimestamp();
    return env.signed;
  }

  /** The server can only do its job if its online keys meet the thresholds of the online roles. */
  private checkOnlineKeys(root: RootSigned): void {
    for (const role of ['snapshot', 'timestamp', 'director'] as const) {
      const ids = new Set(root.roles[role].keyids);
      const have = this.signers[role].filter((s) => ids.has(s.keyid)).length;
      if (have < root.roles[role].threshold) {
        throw OtaErrors.badRequest(`this server holds ${have} of the ${role} keys that root v${root.version} names; threshold is ${root.roles[role].threshold}`);
      }
    }
  }

  /**
   * Accepts new operator-signed targets: threshold of the root's targets keys, the next version, not expired,
   * every target a release whose bundle is already uploaded with the signed hash and length. New targets
   * become releases. Then snapshot and timestamp are signed over the exact bytes.
   */
  async publishTargets(body: string): Promise<ReleaseRecord[]> {
    const root = await this.root();
    if (!root) throw OtaErrors.badRequest('publish a root before targets');
    const env = parseEnvelope('targets', body);
    verifyThreshold(env, root.signed, 'targets');
    const current = await this.store.latestMetadata('targets');
    const expected = (current?.version ?? 0) + 1;
    if (env.signed.version !== expected) throw OtaErrors.versionMismatch('targets', env.signed.version, expected);
    if (expiresMs(env.signed.expires) <= this.now()) throw OtaErrors.expired('targets', env.signed.expires);
    const added: ReleaseRecord[] = [];
    for (const [path, target] of Object.entries(env.signed.targets)) {
      if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$/.test(path)) throw OtaErrors.badRequest(`target path ${JSON.stringify(path)} must be a plain file name`);
      if (!Value.Check(ReleaseCustomSchema, target.custom)) throw OtaErrors.badRequest(`target ${path} custom does not describe a release (name, version, kind, hardwareIds, serviceVersions)`);
      const existing = await this.store.getRelease(path);
      if (existing) {
        if (existing.sha256 !== target.hashes.sha256 || existing.length !== target.length) {
          throw OtaErrors.conflict(`target ${path} already exists with other contents; publish a new path`);
        }
        continue;
      }
      const size = await this.bundles.size(target.hashes.sha256);
      if (size === undefined) throw OtaErrors.badRequest(`upload the bundle for ${path} (sha256 ${target.hashes.sha256}) before publishing`);
      if (size !== target.length) throw OtaErrors.badRequest(`bundle ${path} is ${size} bytes, targets says ${target.length}`);
      const custom = target.custom as ReleaseCustom;
      added.push({
        id: path, name: custom.name, version: custom.version, kind: custom.kind, sha256: target.hashes.sha256,
        length: target.length, custom: target.custom ?? {}, targetsVersion: env.signed.version, createdAt: this.now(),
      });
    }
    if (!(await this.store.putMetadata('targets', env.signed.version, body, this.now()))) {
      throw OtaErrors.conflict(`targets version ${env.signed.version} was published concurrently`);
    }
    for (const r of added) await this.store.addRelease(r);
    await this.signSnapshotAndTimestamp();
    this.log.info({ version: env.signed.version, added: added.map((r) => r.id) }, 'targets published');
    return added;
  }

  private async signSnapshotAndTimestamp(): Promise<void> {
    const targets = await this.store.latestMetadata('targets');
    if (!targets) return;
    for (let attempt = 0; attempt < 5; attempt++) {
      const prev = await this.store.latestMetadata('snapshot');
      const version = (prev?.version ?? 0) + 1;
      const snap = JSON.stringify(signMetadata(
        buildSnapshot(version, expiresAfter(this.now(), this.expiry.snapshot), Buffer.from(targets.body), targets.version), this.signers.snapshot));
      if (await this.store.putMetadata('snapshot', version, snap, this.now())) {
        await this.signTimestamp(snap, version);
        this.cache = undefined;
        return;
      }
    }
    throw OtaErrors.conflict('could not sign snapshot: too many concurrent publishers');
  }

  private async signTimestamp(snapshotBody: string, snapshotVersion: number): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const prev = await this.store.latestMetadata('timestamp');
      const version = (prev?.version ?? 0) + 1;
      const ts = JSON.stringify(signMetadata(
        buildTimestamp(version, expiresAfter(this.now(), this.expiry.timestamp), Buffer.from(snapshotBody), snapshotVersion), this.signers.timestamp));
      if (await this.store.putMetadata('timestamp', version, ts, this.now())) return;
    }
    throw OtaErrors.conflict('could not sign timestamp: too many concurrent publishers');
  }

  /**
   * The latest timestamp, snapshot and targets, re-signing the timestamp (and snapshot) once half their
   * lifetime has passed so cars never see them expire while the server is up. Cached for `cacheMs`.
   */
  async current(): Promise<CurrentMetadata> {
    const now = this.now();
    if (this.cache && now - this.cache.at < this.cacheMs) return this.cache.value;
    const [root, ts, snap, targets] = await Promise.all([
      this.root(),
      this.store.latestMetadata('timestamp'),
      this.store.latestMetadata('snapshot'),
      this.store.latestMetadata('targets'),
    ]);
    if (!root || !ts || !snap || !targets) throw OtaErrors.notFound('published metadata (publish root and targets first)');
    const snapExp = expiresMs(parseEnvelope('snapshot', snap.body).signed.expires);
    const tsExp = expiresMs(parseEnvelope('timestamp', ts.body).signed.expires);
    if (snapExp - now < (this.expiry.snapshot * 1000) / 2) {
      await this.signSnapshotAndTimestamp();
      return this.current();
    }
    if (tsExp - now < (this.expiry.timestamp * 1000) / 2) {
      await this.signTimestamp(snap.body, snap.version);
      this.cache = undefined;
      return this.current();
    }
    const value = { rootVersion: root.signed.version, timestamp: ts.body, snapshot: snap.body, targets: targets.body };
    this.cache = { at: now, value, root: root.signed };
    return value;
  }

  async rootsAfter(version: number): Promise<string[]> {
    return (await this.store.metadataVersions('root', version)).map((m) => m.body);
  }

  /**
   * The vehicle's director metadata for the desired targets. Re-signed (next version) only when the
   * targets change or half its lifetime passed; otherwise the stored file is served as is.
   */
  async directorFor(vehicle: VehicleRecord, targets: Record<string, TargetFile>): Promise<string> {
    let v: VehicleRecord | undefined = vehicle;
    for (let attempt = 0; attempt < 5 && v; attempt++) {
      if (v.director) {
        const env = parseEnvelope('director', v.director) as Envelope<DirectorSigned>;
        const fresh = expiresMs(env.signed.expires) - this.now() > (this.expiry.director * 1000) / 2;
        // The stored file was signed here; it only needs re-signing if root has since changed the director keys.
        const root = this.cache?.root ?? (await this.root())?.signed;
        const signedBy = new Set(env.signatures.map((s) => s.keyid));
        const validNow = root ? root.roles.director.keyids.filter((id) => signedBy.has(id)).length >= root.roles.director.threshold : false;
        if (fresh && validNow && canonicalJson(env.signed.targets) === canonicalJson(targets)) return v.director;
      }
      const version = v.directorVersion + 1;
      const body = JSON.stringify(signMetadata(
        buildDirector(version, expiresAfter(this.now(), this.expiry.director), v.id, targets), this.signers.director));
      if (await this.store.setDirector(v.id, v.directorVersion, version, body)) return body;
      v = await this.store.getVehicle(v.id); // another instance signed first: use or supersede its file
    }
    throw OtaErrors.conflict(`could not sign director metadata for ${vehicle.id}`);
  }
}
