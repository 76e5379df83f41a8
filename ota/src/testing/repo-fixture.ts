import { createSigner, generateKeyFile, type Signer } from '../metadata/keys.js';
import {
  buildDirector,
  buildRoot,
  buildSnapshot,
  buildTargets,
  buildTimestamp,
  expiresAfter,
  serializeEnvelope,
} from '../metadata/repository.js';
import { signMetadata } from '../metadata/sign.js';
import { TOP_ROLES, type DirectorCustom, type RoleName, type RootSigned, type TargetFile } from '../metadata/types.js';

/**
 * A complete signed repository in memory, for tests of the verifier, the server and the in-car agent.
 * Each role has `keysPerRole` keys and threshold `threshold`; expiry is relative to `now()`.
 */
export class TestRepository {
  readonly signers: Record<RoleName, Signer[]>;
  rootSigned!: RootSigned;
  rootVersions: string[] = [];
  private versions = { timestamp: 0, snapshot: 0, targets: 0, director: 0 };
  readonly targets: Record<string, TargetFile> = {};
  timestamp = '';
  snapshot = '';
  targetsJson = '';

  constructor(readonly now: () => number = Date.now, readonly threshold = 1, keysPerRole = 1) {
    this.signers = Object.fromEntries(
      TOP_ROLES.map((role) => [role, Array.from({ length: keysPerRole }, () => createSigner(generateKeyFile()))]),
    ) as Record<RoleName, Signer[]>;
    this.rootSigned = this.makeRoot(1);
    this.rootVersions.push(JSON.stringify(signMetadata(this.rootSigned, this.signers.root)));
    this.publish();
  }

  get root(): string { return this.rootVersions[this.rootVersions.length - 1]!; }

  makeRoot(version: number, signers = this.signers, expiresS = 365 * 86_400): RootSigned {
    return buildRoot({
      version,
      expires: expiresAfter(this.now(), expiresS),
      roles: Object.fromEntries(
        TOP_ROLES.map((role) => [role, { keys: signers[role].map((s) => s.publicKey), threshold: this.threshold }]),
      ) as Record<RoleName, { keys: Signer['publicKey'][]; threshold: number }>,
    });
  }

  /** Rotates keys of some roles: the new root is signed by the old and the new root keys. */
  rotate(newSigners: Partial<Record<RoleName, Signer[]>>): string {
    const oldRoot = this.signers.root;
    Object.assign(this.signers, newSigners);
    this.rootSigned = this.makeRoot(this.rootSigned.version + 1);
    const raw = JSON.stringify(signMetadata(this.rootSigned, [...oldRoot, ...this.signers.root]));
    this.rootVersions.push(raw);
    return raw;
  }

  addTarget(path: string, file: TargetFile): void {
    this.targets[path] = file;
  }

  /** Re-signs targets, snapshot and timestamp (new versions). */
  publish(opts: { expiresS?: Partial<Record<'timestamp' | 'snapshot' | 'targets', number>> } = {}): void {
    this.versions.targets += 1;
    this.targetsJson = JSON.stringify(signMetadata(
      buildTargets(this.versions.targets, expiresAfter(this.now(), opts.expiresS?.targets ?? 90 * 86_400), { ...this.targets }),
      this.signers.targets,
    ));
    this.versions.snapshot += 1;
    this.snapshot = JSON.stringify(signMetadata(
      buildSnapshot(this.versions.snapshot, expiresAfter(this.now(), opts.expiresS?.snapshot ?? 7 * 86_400),
        Buffer.from(this.targetsJson), this.versions.targets),
      this.signers.snapshot,
    ));
    this.refreshTimestamp(opts.expiresS?.timestamp);
  }

  refreshTimestamp(expiresS = 86_400): void {
    this.versions.timestamp += 1;
    this.timestamp = JSON.stringify(signMetadata(
      buildTimestamp(this.versions.timestamp, expiresAfter(this.now(), expiresS), Buffer.from(this.snapshot), this.versions.snapshot),
      this.signers.timestamp,
    ));
  }

  director(vehicleId: string, assignments: { path: string; custom: DirectorCustom }[], expiresS = 86_400): string {
    this.versions.director += 1;
    const targets: Record<string, TargetFile> = {};
    for (const a of assignments) {
      const image = this.targets[a.path];
      if (!image) throw new Error(`no target ${a.path}`);
      targets[a.path] = { length: image.length, hashes: image.hashes, custom: a.custom };
    }
    return JSON.stringify(signMetadata(
      buildDirector(this.versions.director, expiresAfter(this.now(), expiresS), vehicleId, targets),
      this.signers.director,
    ));
  }

  serialize(value: unknown): Buffer { return serializeEnvelope(value); }
}
