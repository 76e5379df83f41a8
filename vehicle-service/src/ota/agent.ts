import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { isAurigaError } from '@auriga/common';
import {
  applyMetadata,
  resolveAssignments,
  TrustedMetadataSet,
  verifyTargetFile,
  type InstalledModel,
  type MetadataBundle,
  type ResolvedAssignment,
} from '@auriga/ota/client';
import { systemClock } from '../util/timers.js';
import { TypedEmitter } from '@auriga/common';
import { p95, runAcceptance, type ModelHandler, type ModelSource } from './acceptance.js';
import { downloadTarget, isFatalDownloadError, type DownloadLimits, type DownloadResult, type FetchLike, type StatFs } from './download.js';
import { OtaAgentErrors } from './errors.js';
import { errnoOf, fsyncDir } from './fs-atomic.js';
import { ModelHolder, type ModelMeta, type RequestOutcome } from './model-holder.js';
import type { NotifySource } from './notify.js';
import { installBlockedBy, type InstallPolicy, type PolicyWait } from './policy.js';
import { ModelSlots } from './slots.js';
import {
  emptyState,
  otherSlot,
  SLOT_NAMES,
  StateFile,
  type AgentStateDoc,
  type FinalStep,
  type Job,
  type JobStep,
  type KindState,
  type PendingReport,
  type SlotName,
  type SlotRecord,
} from './state.js';

/** The model shipped with the car image for one kind: used until an update is installed, and as the last fallback. */
export interface FactoryModel {
  kind: string;
  name: string;
  version: string;
  dir: string;
  /** sha256 of the bundle it was built from, if any (tells the fleet server exactly what runs). */
  sha256?: string;
}

/** Timers the agent uses (the service's Clock satisfies it). */
export interface AgentClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Points right after the agent persisted a step (tests kill the process there). */
export type CrashPoint = JobStep | 'download-part' | 'extracted' | FinalStep;

export interface OtaAgentOptions {
  /** Fleet server base URL, e.g. https://ota.example:8080 */
  serverUrl: string;
  vehicleId: string;
  hardwareId: string;
  /** The vehicle's bearer token for the fleet server. */
  token: string;
  /** Version of the running vehicle-service (checked against each release's supported range). */
  serviceVersion: string;
  /** DATA_DIR: the agent keeps `ota/` (state, downloads) and `models/<kind>/{A,B}` under it. */
  dataDir: string;
  /** The trusted root metadata (JSON text) shipped with the image: the trust anchor until a newer root is verified. */
  trustedRoot: string;
  /** One handler per model kind this car can run. */
  handlers: ModelHandler<any>[]; // eslint-disable-line @typescript-eslint/no-explicit-any -- each handler has its own model type
  factory?: FactoryModel[];
  /** Check-in period (default 1 h). */
  pollIntervalMs?: number;
  /** First retry after a failed check-in; doubles up to the poll interval (default 30 s). */
  retryMs?: number;
  /** Install policy per kind (default: anytime for hot-swappable kinds, parked otherwise). */
  policy?: Record<string, InstallPolicy>;
  /** Whether the car stands parked now (see parkedFromVehicleState); default: never. */
  isParked?: () => boolean;
  /** How often an install that waits for the policy looks again (default 30 s). */
  policyRecheckMs?: number;
  limits?: Partial<DownloadLimits>;
  /** Overrides the manifest's health window (ms), e.g. for tests. */
  healthWindowMs?: number;
  /** Health checks during the window (default: a quarter of the window, at most 10 s). */
  healthCheckIntervalMs?: number;
  /** Requests during the window needed before their latency counts against the budget (default 5). */
  healthMinSamples?: number;
  notify?: { source: NotifySource; topics: readonly string[] };
  logger: Logger;
  clock?: AgentClock;
  /** Wall clock for metadata expiry (default clock.now). */
  metadataNow?: () => number;
  fetch?: FetchLike;
  statfs?: StatFs;
  /** Called after each persisted step (tests: kill -9 here). */
  onPersisted?: (point: CrashPoint) => Promise<void> | void;
}

export type AgentPhase = 'starting' | 'idle' | 'checking' | 'downloading' | 'waiting' | 'installing' | 'acceptance' | 'health' | 'closed';

export interface OtaStatus {
  vehicleId: string;
  phase: AgentPhase;
  models: Array<{ kind: string; name: string; version: string; slot: SlotName | 'factory'; previous?: { name: string; version: string; slot: SlotName } }>;
  update: null | {
    assignmentId: number;
    target: string;
    kind: string;
    name: string;
    version: string;
    action: 'install' | 'rollback';
    step: JobStep;
    bytesReceived?: number;
    bytesTotal: number;
    waitingFor?: PolicyWait;
    consent?: 'granted' | 'declined';
  };
  lastResult: null | { assignmentId: number; step: FinalStep; name: string; version: string; reason?: string; at: number };
  lastError: null | { at: number; reason: string };
  lastCheckAt: number | null;
  nextCheckAt: number | null;
}

interface OtaAgentEvents {
  status: [OtaStatus];
  report: [PendingReport];
  switched: [ModelMeta, ModelMeta | undefined];
  rolledBack: [{ kind: string; reason: string }];
  downloaded: [{ target: string } & DownloadResult];
}

interface CheckInReply extends MetadataBundle {
  assignment: { id: number; targetPath: string } | null;
  pollIntervalS?: number;
}

const MAX_FINISHED = 100;
const DEFAULT_LIMITS: DownloadLimits = { requestTimeoutMs: 30_000, stallTimeoutMs: 30_000, retries: 3, backoffMs: 1000 };

/** A model kept loaded during the health window, to switch back to without reloading. */
interface Standby {
  model: unknown;
  meta: ModelMeta;
  dispose?: (model: unknown) => Promise<void> | void;
}

/**
 * The in-car OTA agent. Checks in with the fleet server on an interval and on MQTT push, verifies the signed
 * metadata and the assignment with `@auriga/ota/client`, downloads in the background (resumable, bandwidth and
 * disk limits), installs into the inactive slot, runs the manifest's acceptance test, switches atomically
 * (in-flight requests finish on the old model), watches health for a window and rolls back on its own.
 * Every step is persisted (one atomic state file) before it is acted on and reported to the server, so after
 * kill -9 or power loss the car runs a complete, verified model and resumes where it stopped.
 */
export class OtaAgent extends TypedEmitter<OtaAgentEvents> {
  private readonly clock: AgentClock;
  private readonly log: Logger;
  private readonly fetchFn: FetchLike;
  private readonly stateFile: StateFile;
  private readonly slots: ModelSlots;
  private readonly downloadsDir: string;
  private readonly handlers = new Map<string, ModelHandler<unknown>>();
  private readonly holders = new Map<string, ModelHolder<unknown>>();
  private readonly standby = new Map<string, Standby>();
  private readonly limits: DownloadLimits;
  private doc: AgentStateDoc = emptyState();
  private trusted!: TrustedMetadataSet;
  private phase: AgentPhase = 'starting';
  private waitingFor: PolicyWait | undefined;
  private progress: number | undefined;
  private lastError: { at: number; reason: string } | undefined;
  private lastCheckAt: number | undefined;
  private nextCheckAt: number | undefined;
  private pollTimer: unknown;
  private recheckTimer: unknown;
  private checkFailures = 0;
  private serverPollMs: number | undefined;
  private work: Promise<void> = Promise.resolve();
  private queued: 'check' | 'advance' | undefined;
  private running = false;
  private closed = false;
  private readonly abort = new AbortController();
  private unsubscribe: (() => void) | undefined;
  private readonly sleepers = new Set<() => void>();
  private started = false;
  private restoring = false;
  private writing: Promise<void> = Promise.resolve();
  private readonly unannounced: PendingReport[] = [];

  constructor(private readonly opts: OtaAgentOptions) {
    super();
    this.clock = opts.clock ?? systemClock;
    this.log = opts.logger.child({ component: 'ota-agent' });
    this.fetchFn = opts.fetch ?? ((url, init) => fetch(url, init));
    this.stateFile = new StateFile(join(opts.dataDir, 'ota', 'state.json'));
    this.slots = new ModelSlots(join(opts.dataDir, 'models'));
    this.downloadsDir = join(opts.dataDir, 'ota', 'downloads');
    this.limits = { ...DEFAULT_LIMITS, ...opts.limits };
    for (const h of opts.handlers) {
      this.handlers.set(h.kind, h as ModelHandler<unknown>);
      this.holders.set(h.kind, new ModelHolder(h.kind));
    }
  }

  /** The active model of a kind: take a lease or `use()` it for each request. */
  holder<M = unknown>(kind: string): ModelHolder<M> | undefined {
    return this.holders.get(kind) as ModelHolder<M> | undefined;
  }

  /**
   * Restores the persisted state, re-verifies the active slot of every kind (falling back to the previous
   * slot or the factory model when a file is corrupt), loads the models, then resumes any update and starts polling.
   */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await mkdir(this.downloadsDir, { recursive: true });
    let doc: AgentStateDoc | undefined;
    try {
      doc = await this.stateFile.read();
    } catch (err) {
      this.log.error({ err }, 'OTA state unusable; starting from the factory models');
    }
    this.doc = doc ?? emptyState();
    this.trusted = this.restoreTrusted();
    const job = this.doc.job;
    if (job?.step === 'switched') {
      // A restart inside the health window: unless we stopped cleanly, the new model may have taken the process down.
      if (!job.cleanStop) job.crashes = (job.crashes ?? 0) + 1;
      delete job.cleanStop;
    }
    this.restoring = true;
    try {
      for (const kind of this.handlers.keys()) await this.activateOnStart(kind);
    } finally {
      this.restoring = false;
    }
    await this.removeStrayFiles();
    await this.persist();
    if (this.opts.notify) {
      this.unsubscribe = this.opts.notify.source.subscribe(this.opts.notify.topics, (topic) => {
        this.log.info({ topic }, 'OTA push notification: checking in now');
        this.checkNow();
      });
    }
    this.phase = 'idle';
    this.checkNow();
  }

  /** Runs a check-in as soon as the current work is done (push notifications, tests). */
  checkNow(): void {
    this.enqueue('check');
  }

  /** Resolves when no work is running or queued (tests). */
  async idle(): Promise<void> {
    while (this.running || this.queued) await this.work;
  }

  /** The driver's answer when the install policy asks for consent. */
  async consent(assignmentId: number, accept: boolean): Promise<OtaStatus> {
    const job = this.doc.job;
    if (!job || job.assignmentId !== assignmentId) throw OtaAgentErrors.noConsent(`no update with assignment ${assignmentId} is pending on this car`);
    if (job.step !== 'verified' && job.step !== 'downloading') throw OtaAgentErrors.noConsent(`update ${assignmentId} is already at step ${job.step}`);
    job.consent = accept ? 'granted' : 'declined';
    await this.persist();
    this.log.info({ assignmentId, accept }, 'driver answered the OTA consent request');
    this.enqueue('advance');
    return this.status();
  }

  status(): OtaStatus {
    const models: OtaStatus['models'] = [];
    for (const kind of this.handlers.keys()) {
      const meta = this.holders.get(kind)?.current;
      if (!meta) continue;
      const ks = this.doc.kinds[kind];
      const prevSlot = ks?.previous;
      const prev = prevSlot ? ks?.slots[prevSlot] : undefined;
      models.push({ kind, name: meta.name, version: meta.version, slot: meta.slot, ...(prev && prevSlot ? { previous: { name: prev.name, version: prev.version, slot: prevSlot } } : {}) });
    }
    const job = this.doc.job;
    return {
      vehicleId: this.opts.vehicleId,
      phase: this.phase,
      models,
      update: job ? {
        assignmentId: job.assignmentId,
        target: job.targetPath,
        kind: job.release.kind,
        name: job.release.name,
        version: job.release.version,
        action: job.action,
        step: job.step,
        ...(job.step === 'downloading' && this.progress !== undefined ? { bytesReceived: this.progress } : {}),
        bytesTotal: job.target.length,
        ...(this.waitingFor ? { waitingFor: this.waitingFor } : {}),
        ...(job.consent ? { consent: job.consent } : {}),
      } : null,
      lastResult: this.doc.lastResult ?? null,
      lastError: this.lastError ?? null,
      lastCheckAt: this.lastCheckAt ?? null,
      nextCheckAt: this.nextCheckAt ?? null,
    };
  }

  /** Stops polling and work (an in-flight download is aborted and resumes at the next start). Idempotent. */
  async destroy(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.abort.abort();
    this.clock.clearTimeout(this.pollTimer);
    this.clock.clearTimeout(this.recheckTimer);
    for (const wake of this.sleepers) wake();
    this.unsubscribe?.();
    await this.work.catch(() => undefined);
    if (this.started && this.doc.job?.step === 'switched') {
      // A clean stop is not a crash: the next start must not count it against the new model.
      this.doc.job.cleanStop = true;
      await this.persist().catch(() => undefined);
    }
    this.phase = 'closed';
    for (const [kind, s] of this.standby) {
      this.standby.delete(kind);
      await Promise.resolve(s.dispose?.(s.model)).catch(() => undefined);
    }
    for (const h of this.holders.values()) h.clear();
  }

  // ---- scheduling ---------------------------------------------------------------------------------

  private enqueue(kind: 'check' | 'advance'): void {
    if (this.closed || !this.started) return;
    if (this.queued === 'check') return;
    const wasQueued = this.queued;
    this.queued = kind;
    if (wasQueued) return;
    this.work = this.work.then(async () => {
      const what = this.queued;
      this.queued = undefined;
      if (this.closed || !what) return;
      this.running = true;
      try {
        if (what === 'check') await this.cycle();
        else await this.advance();
      } catch (err) {
        this.noteError(err);
        this.log.error({ err }, 'OTA agent work failed');
      } finally {
        this.running = false;
        if (!this.closed && this.phase !== 'waiting') this.phase = 'idle';
        this.emit('status', this.status());
      }
    });
  }

  private scheduleNextCheck(failed: boolean): void {
    if (this.closed) return;
    this.clock.clearTimeout(this.pollTimer);
    const poll = this.opts.pollIntervalMs ?? this.serverPollMs ?? 3_600_000;
    const retry = this.opts.retryMs ?? 30_000;
    const delay = failed ? Math.min(poll, retry * 2 ** Math.min(this.checkFailures - 1, 20)) : poll;
    this.nextCheckAt = this.clock.now() + delay;
    this.pollTimer = this.clock.setTimeout(() => this.checkNow(), delay);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.closed) return resolve();
      const wake = () => {
        this.sleepers.delete(wake);
        this.clock.clearTimeout(handle);
        resolve();
      };
      const handle = this.clock.setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }

  // ---- one cycle: report, check in, verify, then move the update forward --------------------------

  private async cycle(): Promise<void> {
    this.phase = 'checking';
    this.emit('status', this.status());
    let failed = false;
    try {
      await this.flushOutbox();
      const reply = await this.checkIn();
      this.lastCheckAt = this.clock.now();
      this.checkFailures = 0;
      if (typeof reply.pollIntervalS === 'number' && reply.pollIntervalS > 0) this.serverPollMs = reply.pollIntervalS * 1000;
      await this.onCheckIn(reply);
    } catch (err) {
      if (this.closed) return;
      failed = true;
      this.checkFailures += 1;
      this.noteError(err);
      this.log.warn({ err: (err as Error).message }, 'OTA check-in failed; retrying later');
    }
    this.scheduleNextCheck(failed);
    await this.advance();
    await this.flushOutbox().catch(() => undefined);
  }

  private headers(): Record<string, string> {
    return { authorization: `Bearer ${this.opts.token}` };
  }

  private async request(path: string, init: { method: string; body?: unknown }, what: string): Promise<Response> {
    const controller = new AbortController();
    const onAbort = () => controller.abort();
    this.abort.signal.addEventListener('abort', onAbort);
    let timedOut = false;
    const timeoutMs = this.limits.requestTimeoutMs;
    const timer = setTimeout(() => { timedOut = true; controller.abort(); }, timeoutMs);
    try {
      const res = await this.fetchFn(`${this.opts.serverUrl.replace(/\/$/, '')}${path}`, {
        method: init.method,
        headers: { ...this.headers(), ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
        signal: controller.signal,
      });
      // Read the body under the same timeout: a server that sends headers and then stalls is a slow server too.
      const text = await res.text();
      return new Response(text, { status: res.status, headers: res.headers });
    } catch (err) {
      if (timedOut) throw OtaAgentErrors.timeout(what, timeoutMs, { cause: err });
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw OtaAgentErrors.unreachable(what, cause?.code ?? cause?.message ?? (err as Error).message, { cause: err });
    } finally {
      clearTimeout(timer);
      this.abort.signal.removeEventListener('abort', onAbort);
    }
  }

  private async checkIn(): Promise<CheckInReply> {
    const installed: Record<string, { version: string; sha256?: string }> = {};
    for (const [name, m] of Object.entries(this.installedFacts())) installed[name] = { version: m.version, sha256: m.sha256 };
    const res = await this.request('/api/v1/vehicle/check-in', {
      method: 'POST',
      body: { serviceVersion: this.opts.serviceVersion, rootVersion: this.trusted.root.version, installed },
    }, 'check-in');
    const text = await res.text();
    if (res.status !== 200) throw OtaAgentErrors.http('check-in', res.status, text);
    return JSON.parse(text) as CheckInReply;
  }

  private async onCheckIn(reply: CheckInReply): Promise<void> {
    const offered = reply.assignment?.id;
    let resolved: ResolvedAssignment[];
    try {
      const next = applyMetadata(this.trusted, reply, this.opts.vehicleId, this.metaNow);
      // Anti-rollback of the metadata itself: the new versions are persisted even if the assignment is refused below.
      this.trusted = next;
      this.doc.trusted = next.toState();
      resolved = resolveAssignments(next, { vehicleId: this.opts.vehicleId, hardwareId: this.opts.hardwareId, serviceVersion: this.opts.serviceVersion, installed: this.installedFacts() });
    } catch (err) {
      await this.refuse(offered, err);
      return;
    }
    const a = resolved[0];
    const job = this.doc.job;
    if (!a) {
      if (job && job.step !== 'switched') await this.abandonJob('the fleet server withdrew the assignment');
      else await this.persist();
      return;
    }
    const id = a.director.assignmentId;
    const succeeded = this.doc.succeeded.includes(id);
    if (job?.assignmentId === id || this.doc.finished.includes(id) || (succeeded && a.upToDate)) {
      await this.persist();
      return;
    }
    if (job) {
      if (job.step === 'switched') {
        await this.persist();
        return; // finish the health window first; the new assignment is picked up at the next check-in
      }
      await this.abandonJob(`superseded by assignment ${id}`);
    }
    if (a.upToDate) {
      this.markFinished(id, true);
      this.queueReport({ assignmentId: id, step: 'active' });
      await this.persist();
      return;
    }
    if (succeeded) {
      // Installed once, but no longer what runs (its slot was corrupt and the car fell back): install it again.
      this.log.warn({ assignmentId: id, target: a.targetPath }, 'OTA: the assigned model is no longer installed; installing it again');
      this.doc.succeeded = this.doc.succeeded.filter((x) => x !== id);
    }
    if (!this.handlers.has(a.release.kind)) {
      await this.refuse(id, OtaAgentErrors.noHandler(a.release.kind));
      return;
    }
    if (a.director.action === 'rollback') {
      await this.rollbackAssignment(a);
      return;
    }
    this.doc.job = {
      assignmentId: id,
      campaignId: a.director.campaignId,
      action: a.director.action,
      targetPath: a.targetPath,
      target: a.target,
      release: a.release,
      step: 'downloading',
    };
    this.queueReport({ assignmentId: id, step: 'downloading' });
    await this.persist();
    this.log.info({ assignmentId: id, target: a.targetPath }, 'OTA update assigned; downloading');
    await this.hook('downloading');
    await this.flushOutbox().catch(() => undefined);
  }

  /** A refused check-in or assignment: the car keeps what it runs and reports why (once per assignment). */
  private async refuse(assignmentId: number | undefined, err: unknown): Promise<void> {
    const reason = (err as Error).message;
    this.noteError(err);
    this.log.warn({ assignmentId, reason }, 'OTA update refused');
    if (assignmentId !== undefined && !this.doc.finished.includes(assignmentId)) {
      this.markFinished(assignmentId);
      this.queueReport({ assignmentId, step: 'failed', reason });
    }
    await this.persist();
  }

  // ---- the update state machine ---------------------------------------------------------------------

  private async advance(): Promise<void> {
    this.clock.clearTimeout(this.recheckTimer);
    this.waitingFor = undefined;
    if (this.phase === 'waiting') this.phase = 'idle';
    for (let guard = 0; guard < 20 && !this.closed; guard++) {
      const job = this.doc.job;
      if (!job) return;
      const before = job.step;
      switch (job.step) {
        case 'downloading': await this.stepDownload(job); break;
        case 'verified': await this.stepInstall(job); break;
        case 'installing': await this.stepExtract(job); break;
        case 'installed':
        case 'acceptance': await this.stepAcceptance(job); break;
        case 'switched': await this.stepHealth(job); break;
      }
      // No progress (waiting for the network, the policy or the driver): stop until the next trigger.
      if (this.doc.job === job && job.step === before) return;
    }
  }

  private bundlePath(job: Job): string { return join(this.downloadsDir, `${job.target.hashes.sha256}.bundle`); }
  private partPath(job: Job): string { return join(this.downloadsDir, `${job.target.hashes.sha256}.part`); }

  private async stepDownload(job: Job): Promise<void> {
    this.phase = 'downloading';
    this.emit('status', this.status());
    const part = this.partPath(job);
    let partKilled = false;
    try {
      const result = await downloadTarget({
        url: `${this.opts.serverUrl.replace(/\/$/, '')}/api/v1/vehicle/bundles/${encodeURIComponent(job.targetPath)}`,
        headers: this.headers(),
        targetPath: job.targetPath,
        target: job.target,
        partFile: part,
        limits: this.limits,
        fetch: this.fetchFn,
        statfs: this.opts.statfs,
        now: () => this.clock.now(),
        sleep: (ms) => this.sleep(ms),
        signal: this.abort.signal,
        onProgress: (received) => { this.progress = received; },
        afterChunk: async (received) => {
          if (!partKilled && received >= job.target.length / 2 && received < job.target.length) {
            partKilled = true;
            await this.hook('download-part');
          }
        },
      });
      this.log.info({ target: job.targetPath, ...result }, 'OTA bundle downloaded and verified');
      this.emit('downloaded', { target: job.targetPath, ...result });
    } catch (err) {
      if (this.closed) return;
      if (isFatalDownloadError(err)) {
        await this.fail(job, err);
        return;
      }
      this.noteError(err);
      this.log.warn({ err: (err as Error).message, target: job.targetPath }, 'OTA download interrupted; resuming later');
      return;
    }
    await rename(part, this.bundlePath(job));
    await fsyncDir(this.downloadsDir);
    this.progress = undefined;
    job.step = 'verified';
    this.queueReport({ assignmentId: job.assignmentId, step: 'verified' });
    await this.persist();
    await this.hook('verified');
    await this.flushOutbox().catch(() => undefined);
  }

  private policyFor(kind: string): InstallPolicy {
    return this.opts.policy?.[kind] ?? { when: this.handlers.get(kind)?.hotSwap ? 'anytime' : 'parked' };
  }

  /** Whether the policy lets the install go on now; if not, waits (re-checked on a timer and at each check-in). */
  private blocked(job: Job): boolean {
    const wait = installBlockedBy(this.policyFor(job.release.kind), this.opts.isParked?.() ?? false, job.consent);
    if (!wait) return false;
    this.waitingFor = wait;
    this.phase = 'waiting';
    this.emit('status', this.status());
    if (wait === 'parked') {
      this.clock.clearTimeout(this.recheckTimer);
      this.recheckTimer = this.clock.setTimeout(() => this.enqueue('advance'), this.opts.policyRecheckMs ?? 30_000);
    }
    return true;
  }

  private async stepInstall(job: Job): Promise<void> {
    if (this.blocked(job)) return;
    this.phase = 'installing';
    try {
      // Already verified when downloaded; checked again because it may have sat on disk across a power loss.
      await verifyTargetFile(this.bundlePath(job), job.targetPath, job.target);
    } catch (err) {
      await this.fail(job, err);
      return;
    }
    const kind = job.release.kind;
    const ks = this.kindState(kind);
    const slot: SlotName = ks.active === 'factory' ? (ks.previous ? otherSlot(ks.previous) : 'A') : otherSlot(ks.active);
    // The state stops naming the slot before a byte of it changes: it never points at a half-written slot.
    delete ks.slots[slot];
    if (ks.previous === slot) delete ks.previous;
    job.step = 'installing';
    job.slot = slot;
    await this.persist();
    await this.hook('installing');
  }

  private async stepExtract(job: Job): Promise<void> {
    this.phase = 'installing';
    this.emit('status', this.status());
    const kind = job.release.kind;
    const slot = job.slot!;
    let record: SlotRecord;
    try {
      record = await this.slots.install(kind, slot, this.bundlePath(job), job.release, job.target.hashes.sha256, this.clock.now(), () => this.hook('extracted'));
    } catch (err) {
      const e = errnoOf(err) === 'ENOSPC' ? OtaAgentErrors.diskFull(`installing into ${kind}/${slot}`, { cause: err }) : err;
      await this.fail(job, e);
      return;
    }
    this.kindState(kind).slots[slot] = record;
    job.step = 'installed';
    this.queueReport({ assignmentId: job.assignmentId, step: 'installed' });
    await this.persist();
    await rm(this.bundlePath(job), { force: true });
    await this.hook('installed');
    await this.flushOutbox().catch(() => undefined);
  }

  private async stepAcceptance(job: Job): Promise<void> {
    if (this.blocked(job)) return;
    const kind = job.release.kind;
    const slot = job.slot!;
    const handler = this.handlers.get(kind)!;
    const ks = this.kindState(kind);
    const record = ks.slots[slot];
    if (job.step === 'installed') {
      job.step = 'acceptance';
      await this.persist();
      await this.hook('acceptance');
    }
    this.phase = 'acceptance';
    this.emit('status', this.status());
    const problem = record ? await this.slots.verify(kind, slot, record) : `slot ${kind}/${slot} is not recorded`;
    if (problem || !record) {
      await this.fail(job, new Error(`installed files are corrupt: ${problem}`));
      return;
    }
    let loaded: { model: unknown; result: { accuracy?: number; latencyMs?: number } };
    try {
      loaded = await runAcceptance(handler, this.sourceOf(kind, slot, record), record.acceptance);
    } catch (err) {
      await this.fail(job, err);
      return;
    }
    this.log.info({ kind, slot, version: record.version, ...loaded.result }, 'OTA acceptance test passed; switching');
    // Switch: persist first, then swap in memory. A crash in between restarts on the new, verified slot.
    const from = ks.active;
    ks.previous = from === 'factory' ? undefined : from;
    ks.active = slot;
    job.step = 'switched';
    job.healthStartedAt = this.clock.now();
    job.crashes = 0;
    await this.persist();
    const meta: ModelMeta = { kind, name: record.name, version: record.version, slot };
    const old = this.holders.get(kind)!.swap(loaded.model, meta, (m) => handler.dispose?.(m), true);
    if (old) this.standby.set(kind, old);
    this.emit('switched', meta, old?.meta);
    await this.hook('switched');
  }

  private async stepHealth(job: Job): Promise<void> {
    this.phase = 'health';
    this.emit('status', this.status());
    const kind = job.release.kind;
    const slot = job.slot!;
    const record = this.kindState(kind).slots[slot];
    const holder = this.holders.get(kind)!;
    const handler = this.handlers.get(kind)!;
    if (!record || holder.current?.slot !== slot) {
      await this.rollback(job, 'the new model is not running after a restart');
      return;
    }
    const acceptance = record.acceptance;
    const maxCrashes = acceptance.maxCrashes ?? 0;
    if ((job.crashes ?? 0) > maxCrashes) {
      await this.rollback(job, `the process restarted ${job.crashes} time(s) during the health window (max ${maxCrashes})`);
      return;
    }
    const windowMs = this.opts.healthWindowMs ?? (acceptance.healthWindowS ?? 60) * 1000;
    const elapsed = this.clock.now() - (job.healthStartedAt ?? this.clock.now());
    const remaining = Math.max(0, Math.min(windowMs, windowMs - elapsed));
    const interval = this.opts.healthCheckIntervalMs ?? Math.max(50, Math.min(10_000, windowMs / 4));
    const minSamples = this.opts.healthMinSamples ?? 5;
    let crashes = job.crashes ?? 0;
    const latencies: number[] = [];
    let failure: string | undefined;
    let wake: (() => void) | undefined;
    const onOutcome = (o: RequestOutcome) => {
      if (o.meta.slot !== slot || o.meta.version !== record.version) return; // in-flight requests of the old model
      if (!o.ok) {
        crashes += 1;
        if (crashes > maxCrashes) failure ??= `the new model failed ${crashes} request(s) (max ${maxCrashes}): ${o.error ?? 'error'}`;
      } else {
        latencies.push(o.latencyMs);
        if (acceptance.maxLatencyMs !== undefined && latencies.length >= minSamples) {
          const p = p95(latencies);
          if (p > acceptance.maxLatencyMs) failure ??= `the new model is too slow: request latency p95 ${Math.round(p)} ms > ${acceptance.maxLatencyMs} ms`;
        }
      }
      if (failure) wake?.();
    };
    holder.on('outcome', onOutcome);
    const deadline = this.clock.now() + remaining;
    try {
      for (;;) {
        if (!failure) {
          const model = holder.model;
          try {
            const h = await handler.healthCheck(model, acceptance);
            if (!h.ok) failure = `health check: ${h.reason ?? 'failed'}`;
          } catch (err) {
            failure = `health check crashed: ${(err as Error).message}`;
          }
        }
        if (failure || this.closed) break;
        const left = deadline - this.clock.now();
        if (left <= 0) break;
        await new Promise<void>((resolve) => {
          const done = () => {
            this.clock.clearTimeout(timer);
            this.sleepers.delete(done);
            wake = undefined;
            resolve();
          };
          const timer = this.clock.setTimeout(done, Math.min(interval, left));
          wake = done;
          this.sleepers.add(done);
        });
      }
    } finally {
      holder.off('outcome', onOutcome);
    }
    if (this.closed) return;
    if (failure) {
      await this.rollback(job, failure);
      return;
    }
    const standby = this.standby.get(kind);
    this.standby.delete(kind);
    if (standby) await Promise.resolve(standby.dispose?.(standby.model)).catch(() => undefined);
    await this.finish(job, 'active', undefined, { slot, samples: latencies.length });
  }

  /** Automatic rollback: the state names the previous slot (or the factory model) again, then the model is swapped back. */
  private async rollback(job: Job, reason: string): Promise<void> {
    const kind = job.release.kind;
    const failedSlot = job.slot!;
    const ks = this.kindState(kind);
    const back: SlotName | 'factory' = ks.previous && ks.slots[ks.previous] ? ks.previous : 'factory';
    ks.active = back;
    delete ks.previous;
    delete ks.slots[failedSlot];
    this.log.error({ kind, failedSlot, back, reason }, 'OTA: rolling back to the previous model');
    const holder = this.holders.get(kind)!;
    const standby = this.standby.get(kind);
    this.standby.delete(kind);
    let restored = false;
    if (standby && standby.meta.slot === back) {
      holder.swap(standby.model, standby.meta, standby.dispose);
      restored = true;
    }
    await this.finish(job, 'rolled_back', reason, { slot: back }, async () => {
      if (!restored) {
        holder.clear();
        if (!(await this.loadActive(kind))) this.log.error({ kind }, 'no model could be loaded after the rollback');
      }
      await this.slots.clear(kind, failedSlot);
    });
    this.emit('rolledBack', { kind, reason });
  }

  /** An operator rollback: switch to exactly the bundle in the previous slot (resolveAssignments checked it). */
  private async rollbackAssignment(a: ResolvedAssignment): Promise<void> {
    const kind = a.release.kind;
    const ks = this.kindState(kind);
    const id = a.director.assignmentId;
    const prev = ks.previous;
    const record = prev ? ks.slots[prev] : undefined;
    const problem = prev && record ? await this.slots.verify(kind, prev, record) : 'no previous slot';
    if (!prev || !record || problem) {
      await this.refuse(id, new Error(`cannot roll back: ${problem}`));
      return;
    }
    let model: unknown;
    try {
      model = await this.handlers.get(kind)!.load(this.sourceOf(kind, prev, record));
    } catch (err) {
      await this.refuse(id, new Error(`cannot roll back: the previous model does not load: ${(err as Error).message}`));
      return;
    }
    const from = ks.active;
    ks.active = prev;
    ks.previous = from === 'factory' ? undefined : from;
    // Persist the switch, swap, then record and report it (a crash in between redoes the rollback at the next check-in).
    await this.persist();
    const handler = this.handlers.get(kind)!;
    const meta: ModelMeta = { kind, name: record.name, version: record.version, slot: prev };
    const old = this.holders.get(kind)!.swap(model, meta, (m) => handler.dispose?.(m));
    // Users of the model outside the holder (the assistant's voice context) follow 'switched'.
    this.emit('switched', meta, old?.meta);
    this.markFinished(id, true);
    this.queueReport({ assignmentId: id, step: 'active', detail: { rollback: true, slot: prev } });
    this.doc.lastResult = { assignmentId: id, step: 'active', name: record.name, version: record.version, at: this.clock.now() };
    await this.persist();
    this.log.info({ kind, slot: prev, version: record.version }, 'OTA operator rollback done');
    await this.flushOutbox().catch(() => undefined);
  }

  private async fail(job: Job, err: unknown): Promise<void> {
    const reason = (err as Error).message;
    const kind = job.release.kind;
    const ks = this.kindState(kind);
    const slot = job.slot;
    const dropSlot = slot !== undefined && ks.active !== slot;
    if (dropSlot) {
      delete ks.slots[slot];
      if (ks.previous === slot) delete ks.previous;
    }
    this.log.warn({ assignmentId: job.assignmentId, reason }, 'OTA update failed; keeping the current model');
    await this.finish(job, 'failed', reason, undefined, async () => {
      if (dropSlot) await this.slots.clear(kind, slot);
    });
  }

  private async finish(job: Job, step: FinalStep, reason: string | undefined, detail?: Record<string, unknown>, afterPersist?: () => Promise<void>): Promise<void> {
    this.doc.job = undefined;
    this.markFinished(job.assignmentId, step === 'active');
    this.doc.lastResult = { assignmentId: job.assignmentId, step, name: job.release.name, version: job.release.version, at: this.clock.now(), ...(reason ? { reason } : {}) };
    this.queueReport({ assignmentId: job.assignmentId, step, ...(reason ? { reason } : {}), ...(detail ? { detail } : {}) });
    if (reason) this.lastError = { at: this.clock.now(), reason };
    await this.persist();
    await afterPersist?.();
    await rm(this.bundlePath(job), { force: true });
    await rm(this.partPath(job), { force: true });
    this.phase = 'idle';
    await this.hook(step);
    // During start() the report waits for the first cycle: start must not block on an unreachable server.
    if (!this.restoring) await this.flushOutbox().catch(() => undefined);
  }

  private async abandonJob(why: string): Promise<void> {
    const job = this.doc.job;
    if (!job) return;
    this.log.info({ assignmentId: job.assignmentId, why }, 'OTA update abandoned');
    const ks = this.kindState(job.release.kind);
    if (job.slot && ks.active !== job.slot) {
      delete ks.slots[job.slot];
      if (ks.previous === job.slot) delete ks.previous;
    }
    this.doc.job = undefined;
    await this.persist();
    if (job.slot && ks.active !== job.slot) await this.slots.clear(job.release.kind, job.slot);
    await rm(this.bundlePath(job), { force: true });
    await rm(this.partPath(job), { force: true });
  }

  // ---- start-up ---------------------------------------------------------------------------------------

  private restoreTrusted(): TrustedMetadataSet {
    if (this.doc.trusted) {
      try {
        return TrustedMetadataSet.restore(this.doc.trusted, { now: this.metaNow });
      } catch (err) {
        this.log.error({ err }, 'persisted OTA metadata refused; starting again from the shipped root');
      }
    }
    const set = new TrustedMetadataSet(this.opts.trustedRoot, { now: this.metaNow });
    this.doc.trusted = set.toState();
    return set;
  }

  /** Verifies the active slot and loads it; falls back to the previous slot, then to the factory model. */
  private async activateOnStart(kind: string): Promise<void> {
    const ks = this.kindState(kind);
    const job = this.doc.job;
    const inHealthWindow = job?.step === 'switched' && job.release.kind === kind;
    if (await this.loadActive(kind)) return;
    if (inHealthWindow) {
      // The new model is unusable after the restart: roll back now, the report carries the reason.
      const reason = this.lastError?.reason ?? 'the new model does not load after a restart';
      await this.rollback(job, reason);
      return;
    }
    this.log.error({ kind, active: ks.active }, 'no usable model for this kind');
  }

  /** Loads the active model of `kind`, trying the previous slot and the factory model when it is corrupt or does not load. */
  private async loadActive(kind: string): Promise<boolean> {
    const ks = this.kindState(kind);
    const handler = this.handlers.get(kind)!;
    const candidates: Array<SlotName | 'factory'> = [ks.active];
    if (ks.previous && ks.previous !== ks.active) candidates.push(ks.previous);
    if (!candidates.includes('factory')) candidates.push('factory');
    const inHealthWindow = this.doc.job?.step === 'switched' && this.doc.job.release.kind === kind;
    for (const c of candidates) {
      let source: ModelSource | undefined;
      if (c === 'factory') {
        const f = this.opts.factory?.find((x) => x.kind === kind);
        if (!f) continue;
        source = { dir: f.dir, files: [], name: f.name, version: f.version };
      } else {
        const record = ks.slots[c];
        if (!record) continue;
        const problem = await this.slots.verify(kind, c, record);
        if (problem) {
          this.noteError(new Error(`slot ${kind}/${c} is corrupt: ${problem}`));
          this.log.error({ kind, slot: c, problem }, 'OTA slot corrupt; falling back');
          delete ks.slots[c];
          if (ks.previous === c) delete ks.previous;
          continue;
        }
        source = this.sourceOf(kind, c, record);
      }
      try {
        const model = await handler.load(source);
        if (c !== ks.active) {
          if (inHealthWindow) {
            // Leave the state to rollback(): it reports and cleans the failed slot.
            this.standby.set(kind, { model, meta: { kind, name: source.name, version: source.version, slot: c }, dispose: (m) => handler.dispose?.(m) });
            return false;
          }
          this.log.warn({ kind, from: ks.active, to: c }, 'OTA: running the fallback model');
          ks.active = c;
          if (ks.previous === c) delete ks.previous;
        }
        this.holders.get(kind)!.swap(model, { kind, name: source.name, version: source.version, slot: c }, (m) => handler.dispose?.(m));
        return true;
      } catch (err) {
        this.noteError(new Error(`the model in ${kind}/${c} does not load: ${(err as Error).message}`));
        this.log.error({ kind, slot: c, err }, 'OTA model does not load; falling back');
      }
    }
    return false;
  }

  /** Removes slot directories the state does not name, staging leftovers, and downloads of no current update. */
  private async removeStrayFiles(): Promise<void> {
    const job = this.doc.job;
    for (const kind of this.handlers.keys()) {
      const ks = this.kindState(kind);
      for (const slot of SLOT_NAMES) {
        const keep = ks.slots[slot] !== undefined;
        if (!keep) await rm(this.slots.slotDir(kind, slot), { recursive: true, force: true });
        await rm(`${this.slots.slotDir(kind, slot)}.staging`, { recursive: true, force: true });
      }
    }
    for (const name of await readdir(this.downloadsDir).catch(() => [] as string[])) {
      const mine = job && name.startsWith(job.target.hashes.sha256) && (job.step === 'downloading' || job.step === 'verified' || job.step === 'installing');
      if (!mine) await rm(join(this.downloadsDir, name), { force: true });
    }
  }

  // ---- helpers ------------------------------------------------------------------------------------------

  private readonly metaNow = (): number => (this.opts.metadataNow ?? (() => this.clock.now()))();

  private kindState(kind: string): KindState {
    let ks = this.doc.kinds[kind];
    if (!ks) {
      ks = { active: 'factory', slots: {} };
      this.doc.kinds[kind] = ks;
    }
    return ks;
  }

  private sourceOf(kind: string, slot: SlotName, record: SlotRecord): ModelSource {
    return { dir: this.slots.slotDir(kind, slot), files: record.files, name: record.name, version: record.version };
  }

  /** What the anti-rollback check and the server know this car runs, by model name. */
  private installedFacts(): Record<string, InstalledModel> {
    const out: Record<string, InstalledModel> = {};
    for (const kind of this.handlers.keys()) {
      const ks = this.kindState(kind);
      const prev = ks.previous ? ks.slots[ks.previous] : undefined;
      if (ks.active === 'factory') {
        const f = this.opts.factory?.find((x) => x.kind === kind);
        if (f) out[f.name] = { version: f.version, sha256: f.sha256 ?? '0'.repeat(64) };
        continue;
      }
      const rec = ks.slots[ks.active];
      if (!rec) continue;
      out[rec.name] = { version: rec.version, sha256: rec.bundleSha256, ...(prev && prev.name === rec.name ? { previous: { version: prev.version, sha256: prev.bundleSha256 } } : {}) };
    }
    return out;
  }

  /** Remembers how an assignment ended: refused, failed and rolled back ones are never started again. */
  private markFinished(id: number, succeeded = false): void {
    const list = succeeded ? this.doc.succeeded : this.doc.finished;
    if (!list.includes(id)) list.push(id);
    if (list.length > MAX_FINISHED) list.splice(0, list.length - MAX_FINISHED);
  }

  /** Queues a report; it is announced (event `report`) once persisted, and sent by flushOutbox. */
  private queueReport(r: PendingReport): void {
    this.doc.outbox.push(r);
    this.unannounced.push(r);
  }

  /** Sends queued reports in order; keeps them on network errors, drops those the server will never accept. */
  private async flushOutbox(): Promise<void> {
    let changed = false;
    try {
      while (this.doc.outbox.length > 0 && !this.closed) {
        const r = this.doc.outbox[0]!;
        const res = await this.request('/api/v1/vehicle/reports', { method: 'POST', body: r }, 'report');
        if (res.status >= 500) throw OtaAgentErrors.http('report', res.status, await res.text());
        if (res.status >= 400) this.log.warn({ report: r, status: res.status, body: await res.text() }, 'OTA report not accepted by the server; dropped');
        this.doc.outbox.shift();
        changed = true;
      }
    } finally {
      if (changed) await this.persist();
    }
  }

  /** Writes are serialized (the API's consent may persist while a step runs); each writes the whole current doc. */
  private persist(): Promise<void> {
    const announce = this.unannounced.splice(0);
    const write = this.writing.then(() => this.stateFile.write(this.doc));
    this.writing = write.catch(() => undefined);
    return write.then(() => {
      for (const r of announce) this.emit('report', r);
    });
  }

  private async hook(point: CrashPoint): Promise<void> {
    await this.opts.onPersisted?.(point);
  }

  private noteError(err: unknown): void {
    const reason = isAurigaError(err) || err instanceof Error ? err.message : String(err);
    this.lastError = { at: this.clock.now(), reason };
  }
}
