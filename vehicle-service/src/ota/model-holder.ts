import { OtaAgentErrors } from './errors.js';
import { TypedEmitter } from '@auriga/common';
import type { SlotName } from './state.js';

export interface ModelMeta {
  kind: string;
  name: string;
  version: string;
  slot: SlotName | 'factory';
}

/** One request's result, for the post-switch health checks. */
export interface RequestOutcome {
  meta: ModelMeta;
  ok: boolean;
  latencyMs: number;
  error?: string;
}

interface Entry<M> {
  model: M;
  meta: ModelMeta;
  leases: number;
  retired: boolean;
  dispose?: (model: M) => Promise<void> | void;
}

export interface Lease<M> {
  readonly model: M;
  readonly meta: ModelMeta;
  /** Ends the lease; idempotent. The outcome feeds the health checks. */
  release(outcome?: { ok: boolean; latencyMs: number; error?: string }): void;
}

interface HolderEvents {
  outcome: [RequestOutcome];
  swapped: [ModelMeta, ModelMeta | undefined];
}

/**
 * The active model of one kind, swapped atomically: a request takes a lease on the model current at that
 * moment and keeps it to the end; a swap never waits, new requests see the new model at once, and the old
 * one is disposed only when its last lease ends (in-flight requests finish on it).
 */
export class ModelHolder<M> extends TypedEmitter<HolderEvents> {
  private entry: Entry<M> | undefined;
  /** Retired entries that still have leases. */
  private readonly draining = new Set<Entry<M>>();

  constructor(readonly kind: string, private readonly hrNow: () => number = () => performance.now()) {
    super();
  }

  get current(): ModelMeta | undefined { return this.entry?.meta; }
  get model(): M | undefined { return this.entry?.model; }
  /** Models replaced by a swap whose in-flight requests have not finished yet. */
  get drainingCount(): number { return this.draining.size; }

  acquire(): Lease<M> {
    const entry = this.entry;
    if (!entry) throw OtaAgentErrors.noModel(this.kind);
    entry.leases += 1;
    let done = false;
    return {
      model: entry.model,
      meta: entry.meta,
      release: (outcome) => {
        if (done) return;
        done = true;
        entry.leases -= 1;
        if (outcome) this.emit('outcome', { meta: entry.meta, ...outcome });
        if (entry.retired && entry.leases === 0) this.dispose(entry);
      },
    };
  }

  /** Runs one request on the current model, timing it and counting an exception as a crash. */
  async use<T>(fn: (model: M, meta: ModelMeta) => Promise<T> | T): Promise<T> {
    const lease = this.acquire();
    const start = this.hrNow();
    try {
      const result = await fn(lease.model, lease.meta);
      lease.release({ ok: true, latencyMs: this.hrNow() - start });
      return result;
    } catch (err) {
      lease.release({ ok: false, latencyMs: this.hrNow() - start, error: (err as Error).message });
      throw err;
    }
  }

  /** Makes `model` current. The previous model is disposed once its leases end, unless `keepPrevious` (kept for a rollback). */
  swap(model: M, meta: ModelMeta, dispose?: (model: M) => Promise<void> | void, keepPrevious = false): { model: M; meta: ModelMeta; dispose?: (model: M) => Promise<void> | void } | undefined {
    const old = this.entry;
    this.entry = { model, meta, leases: 0, retired: false, dispose };
    this.emit('swapped', meta, old?.meta);
    if (!old) return undefined;
    old.retired = true;
    if (keepPrevious) {
      // The caller owns the old model now (to swap it back or dispose it); in-flight leases still finish on it.
      const taken = { model: old.model, meta: old.meta, dispose: old.dispose };
      old.dispose = undefined;
      if (old.leases > 0) this.draining.add(old);
      return taken;
    }
    if (old.leases === 0) this.dispose(old);
    else this.draining.add(old);
    return { model: old.model, meta: old.meta };
  }

  /** Disposes the current model (service shutdown); in-flight requests still finish on it. */
  clear(): void {
    const old = this.entry;
    this.entry = undefined;
    if (!old) return;
    old.retired = true;
    if (old.leases === 0) this.dispose(old);
    else this.draining.add(old);
  }

  private dispose(entry: Entry<M>): void {
    this.draining.delete(entry);
    const d = entry.dispose;
    entry.dispose = undefined;
    if (d) void Promise.resolve().then(() => d(entry.model)).catch(() => undefined);
  }
}
