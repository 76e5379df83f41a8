import { createHash } from 'node:crypto';
import { OtaErrors } from '../errors.js';
import { checkRootConsistency, verifyThreshold } from '../metadata/sign.js';
import {
  expiresMs,
  type AnySigned,
  parseEnvelope,
  type DirectorSigned,
  type Envelope,
  type MetaFile,
  type RoleName,
  type RootSigned,
  type SnapshotSigned,
  type TargetsSigned,
  type TimestampSigned,
} from '../metadata/types.js';

export interface TrustedMetadataOptions {
  /** Wall clock in ms; injected so expiry (freeze attacks) is testable. */
  now?: () => number;
}

/** The raw bytes of each trusted role, as the agent persists them (atomically) between runs. */
export interface TrustedState {
  root: string;
  timestamp?: string;
  snapshot?: string;
  targets?: string;
  director?: string;
}

type Held<T extends AnySigned> = { env: Envelope<T>; raw: string };

/**
 * The client side of the TUF workflow (spec section 5, python-tuf's TrustedMetadataSet), extended with
 * the Uptane-style `director` role. Every update verifies before it replaces anything, so a refused
 * file leaves the previously trusted state intact and the car keeps what it runs.
 *
 * Order: construct with the trusted root; `updateRoot` for each newer root (N+1, N+2, ...);
 * `updateTimestamp`, `updateSnapshot`, `updateTargets`; `updateDirector`. `checkRootFresh` after roots.
 */
export class TrustedMetadataSet {
  private readonly now: () => number;
  private rootHeld: Held<RootSigned>;
  private timestampHeld: Held<TimestampSigned> | undefined;
  private snapshotHeld: Held<SnapshotSigned> | undefined;
  private targetsHeld: Held<TargetsSigned> | undefined;
  private directorHeld: Held<DirectorSigned> | undefined;

  /** Trusts `rootBytes` (shipped with the car or persisted) after checking it is signed by its own keys. */
  constructor(rootBytes: string | Uint8Array, options: TrustedMetadataOptions = {}) {
    this.now = options.now ?? Date.now;
    const env = parseEnvelope('root', rootBytes);
    checkRootConsistency(env.signed);
    verifyThreshold(env, env.signed, 'root');
    this.rootHeld = { env, raw: toText(rootBytes) };
  }

  /**
   * Restores a persisted state. Each role goes through the same checks as a fresh download except expiry
   * (an expired local file still fixes the lowest version the car accepts next).
   */
  static restore(state: TrustedState, options: TrustedMetadataOptions = {}): TrustedMetadataSet {
    const set = new TrustedMetadataSet(state.root, options);
    if (state.timestamp) set.updateTimestamp(state.timestamp, { allowExpired: true });
    if (state.snapshot) set.updateSnapshot(state.snapshot, { allowExpired: true });
    if (state.targets) set.updateTargets(state.targets, { allowExpired: true });
    if (state.director) {
      const env = parseEnvelope('director', state.director);
      set.updateDirector(state.director, env.signed.vehicleId, { allowExpired: true });
    }
    return set;
  }

  get root(): RootSigned { return this.rootHeld.env.signed; }
  get timestamp(): TimestampSigned | undefined { return this.timestampHeld?.env.signed; }
  get snapshot(): SnapshotSigned | undefined { return this.snapshotHeld?.env.signed; }
  get targets(): TargetsSigned | undefined { return this.targetsHeld?.env.signed; }
  get director(): DirectorSigned | undefined { return this.directorHeld?.env.signed; }

  toState(): TrustedState {
    const state: TrustedState = { root: this.rootHeld.raw };
    if (this.timestampHeld) state.timestamp = this.timestampHeld.raw;
    if (this.snapshotHeld) state.snapshot = this.snapshotHeld.raw;
    if (this.targetsHeld) state.targets = this.targetsHeld.raw;
    if (this.directorHeld) state.director = this.directorHeld.raw;
    return state;
  }

  /** Root rotation: the new root must be version N+1 and signed by a threshold of the old AND the new root keys. */
  updateRoot(bytes: string | Uint8Array): RootSigned {
    const env = parseEnvelope('root', bytes);
    checkRootConsistency(env.signed);
    const trusted = this.root;
    verifyThreshold(env, trusted, 'root');
    verifyThreshold(env, env.signed, 'root');
    if (env.signed.version !== trusted.version + 1) {
      if (env.signed.version <= trusted.version) throw OtaErrors.rollback('root', env.signed.version, trusted.version);
      throw OtaErrors.versionMismatch('root', env.signed.version, trusted.version + 1);
    }
    // Spec 5.3.11: when the timestamp or snapshot keys change, forget those files so a repository that
    // recovered from a key compromise can reset their versions (fast-forward attack recovery).
    if (!sameKeys(trusted, env.signed, 'timestamp') || !sameKeys(trusted, env.signed, 'snapshot')) {
      this.timestampHeld = undefined;
      this.snapshotHeld = undefined;
    }
    if (!sameKeys(trusted, env.signed, 'targets')) this.targetsHeld = undefined;
    if (!sameKeys(trusted, env.signed, 'director')) this.directorHeld = undefined;
    this.rootHeld = { env, raw: toText(bytes) };
    return env.signed;
  }

  /** After the last root update: an expired root means the car is being fed a frozen repository. */
  checkRootFresh(): void {
    this.checkExpiry('root', this.root.expires);
  }

  updateTimestamp(bytes: string | Uint8Array, opts: { allowExpired?: boolean } = {}): TimestampSigned {
    const env = parseEnvelope('timestamp', bytes);
    verifyThreshold(env, this.root, 'timestamp');
    const trusted = this.timestamp;
    if (trusted) {
      if (env.signed.version < trusted.version) throw OtaErrors.rollback('timestamp', env.signed.version, trusted.version);
      const newSnap = env.signed.meta['snapshot.json'].version;
      const oldSnap = trusted.meta['snapshot.json'].version;
      if (newSnap < oldSnap) throw OtaErrors.rollback('snapshot (in timestamp)', newSnap, oldSnap);
    }
    // Freeze attack: a replayed, validly signed but stale timestamp is refused once it expires.
    if (!opts.allowExpired) this.checkExpiry('timestamp', env.signed.expires);
    if (!trusted || env.signed.version > trusted.version || !this.timestampHeld) {
      this.timestampHeld = { env, raw: toText(bytes) };
    }
    return this.timestampHeld.env.signed;
  }

  updateSnapshot(bytes: string | Uint8Array, opts: { allowExpired?: boolean } = {}): SnapshotSigned {
    const timestamp = this.timestamp;
    if (!timestamp) throw OtaErrors.missingRole('timestamp', 'snapshot');
    if (!opts.allowExpired) this.checkExpiry('timestamp', timestamp.expires);
    const meta = timestamp.meta['snapshot.json'];
    checkMetaFile('snapshot', bytes, meta);
    const env = parseEnvelope('snapshot', bytes);
    verifyThreshold(env, this.root, 'snapshot');
    if (env.signed.version !== meta.version) throw OtaErrors.versionMismatch('snapshot', env.signed.version, meta.version);
    const trusted = this.snapshot;
    if (trusted) {
      for (const [name, old] of Object.entries(trusted.meta)) {
        const now = env.signed.meta[name];
        if (!now) throw OtaErrors.metaHash('snapshot', `${name} is no longer listed`);
        if (now.version < old.version) throw OtaErrors.rollback(name, now.version, old.version);
      }
    }
    if (!opts.allowExpired) this.checkExpiry('snapshot', env.signed.expires);
    this.snapshotHeld = { env, raw: toText(bytes) };
    return env.signed;
  }

  updateTargets(bytes: string | Uint8Array, opts: { allowExpired?: boolean } = {}): TargetsSigned {
    const snapshot = this.snapshot;
    if (!snapshot) throw OtaErrors.missingRole('snapshot', 'targets');
    if (!opts.allowExpired) this.checkExpiry('snapshot', snapshot.expires);
    const meta = snapshot.meta['targets.json'];
    if (!meta) throw OtaErrors.metaHash('targets', 'snapshot does not list targets.json');
    checkMetaFile('targets', bytes, meta);
    const env = parseEnvelope('targets', bytes);
    verifyThreshold(env, this.root, 'targets');
    if (env.signed.version !== meta.version) throw OtaErrors.versionMismatch('targets', env.signed.version, meta.version);
    const trusted = this.targets;
    if (trusted && env.signed.version < trusted.version) throw OtaErrors.rollback('targets', env.signed.version, trusted.version);
    if (!opts.allowExpired) this.checkExpiry('targets', env.signed.expires);
    this.targetsHeld = { env, raw: toText(bytes) };
    return env.signed;
  }

  /** The per-vehicle assignment signed by the server's online director key. */
  updateDirector(bytes: string | Uint8Array, vehicleId: string, opts: { allowExpired?: boolean } = {}): DirectorSigned {
    const env = parseEnvelope('director', bytes);
    verifyThreshold(env, this.root, 'director');
    if (env.signed.vehicleId !== vehicleId) {
      throw OtaErrors.mixAndMatch(`director metadata is for vehicle ${env.signed.vehicleId}, this is ${vehicleId}`);
    }
    const trusted = this.director;
    if (trusted && env.signed.version < trusted.version) throw OtaErrors.rollback('director', env.signed.version, trusted.version);
    if (!opts.allowExpired) this.checkExpiry('director', env.signed.expires);
    this.directorHeld = { env, raw: toText(bytes) };
    return env.signed;
  }

  private checkExpiry(role: RoleName | string, expires: string): void {
    if (expiresMs(expires) <= this.now()) throw OtaErrors.expired(role, expires);
  }
}

function sameKeys(a: RootSigned, b: RootSigned, role: RoleName): boolean {
  const x = [...a.roles[role].keyids].sort();
  const y = [...b.roles[role].keyids].sort();
  return x.length === y.length && x.every((id, i) => id === y[i]) && a.roles[role].threshold === b.roles[role].threshold;
}

function checkMetaFile(role: string, bytes: string | Uint8Array, meta: MetaFile): void {
  const buf = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
  if (meta.length !== undefined && buf.length !== meta.length) {
    throw OtaErrors.metaHash(role, `length ${buf.length}, declared ${meta.length}`);
  }
  if (meta.hashes) {
    const got = createHash('sha256').update(buf).digest('hex');
    if (got !== meta.hashes.sha256) throw OtaErrors.metaHash(role, 'sha256 differs');
  }
}

function toText(bytes: string | Uint8Array): string {
  return typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('utf8');
}
