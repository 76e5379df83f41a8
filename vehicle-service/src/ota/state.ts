import { readFile } from 'node:fs/promises';
import type { Acceptance, ManifestFile, ReleaseCustom, TargetFile, TrustedState } from '@auriga/ota/client';
import { OtaAgentErrors } from './errors.js';
import { errnoOf, writeFileAtomic } from './fs-atomic.js';

export type SlotName = 'A' | 'B';
export const SLOT_NAMES: readonly SlotName[] = ['A', 'B'];
export const otherSlot = (s: SlotName): SlotName => (s === 'A' ? 'B' : 'A');

/** A complete, verified model in one slot: what was installed and the hash of every file, to re-check on start. */
export interface SlotRecord {
  name: string;
  version: string;
  /** sha256 of the bundle it came from: what the fleet server and the anti-rollback check know it by. */
  bundleSha256: string;
  files: ManifestFile[];
  acceptance: Acceptance;
  installedAt: number;
}

/** One model kind: which slot is active (or the factory model shipped with the image), and what each slot holds. */
export interface KindState {
  active: SlotName | 'factory';
  /** The slot kept for rollback. */
  previous?: SlotName;
  slots: Partial<Record<SlotName, SlotRecord>>;
}

/** Steps of an update, persisted before the agent acts on them. */
export const JOB_STEPS = ['downloading', 'verified', 'installing', 'installed', 'acceptance', 'switched'] as const;
export type JobStep = (typeof JOB_STEPS)[number];

export interface Job {
  assignmentId: number;
  campaignId: string;
  action: 'install' | 'rollback';
  targetPath: string;
  target: TargetFile;
  release: ReleaseCustom;
  step: JobStep;
  /** The slot being installed into (from `installing` on). */
  slot?: SlotName;
  /** Health window after the switch: when it started and how many restarts (crashes) happened inside it. */
  healthStartedAt?: number;
  crashes?: number;
  /** Set by a clean shutdown inside the health window, so the next start does not count it as a crash. */
  cleanStop?: boolean;
  consent?: 'granted' | 'declined';
}

export type FinalStep = 'active' | 'rolled_back' | 'failed';

export interface PendingReport {
  assignmentId: number;
  step: 'downloading' | 'verified' | 'installed' | FinalStep;
  reason?: string;
  detail?: Record<string, unknown>;
}

/** Everything the agent persists, in one file written atomically: one write moves the car from one consistent state to the next. */
export interface AgentStateDoc {
  format: 1;
  trusted?: TrustedState;
  kinds: Record<string, KindState>;
  job?: Job;
  /** Reports not yet accepted by the server, oldest first (sent again after a restart or an outage). */
  outbox: PendingReport[];
  /** Assignments refused, failed or rolled back on this car: never started again. */
  finished: number[];
  /** Assignments that went active (installed again only if their model is no longer what runs). */
  succeeded: number[];
  lastResult?: { assignmentId: number; step: FinalStep; reason?: string; at: number; version: string; name: string };
}

export function emptyState(): AgentStateDoc {
  return { format: 1, kinds: {}, outbox: [], finished: [], succeeded: [] };
}

/** Reads and writes the agent's state file (write temp + fsync + rename + fsync dir). */
export class StateFile {
  constructor(readonly path: string) {}

  async read(): Promise<AgentStateDoc | undefined> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if (errnoOf(err) === 'ENOENT') return undefined;
      throw err;
    }
    let doc: AgentStateDoc;
    try {
      doc = JSON.parse(text) as AgentStateDoc;
    } catch (err) {
      // Cannot happen with atomic writes short of disk corruption; the caller falls back to factory state.
      throw OtaAgentErrors.badState(this.path, `not JSON (${(err as Error).message})`);
    }
    if (doc?.format !== 1 || typeof doc.kinds !== 'object' || !Array.isArray(doc.outbox)) {
      throw OtaAgentErrors.badState(this.path, 'unknown format');
    }
    doc.finished ??= [];
    doc.succeeded ??= [];
    return doc;
  }

  async write(doc: AgentStateDoc): Promise<void> {
    await writeFileAtomic(this.path, `${JSON.stringify(doc)}\n`);
  }
}
