import type { Clock } from '../../util/timers.js';
import type { SessionMemory } from '../intents/common.js';
import type { ActionOutcome, AnswerLang, MissingSlot, Plan, Seat } from '../types.js';

export type ActionsPlan = Extract<Plan, { kind: 'actions' }>;

/** An intent with its slots, as the dialogue remembers it. */
export interface IntentFrame {
  readonly intent: string;
  readonly slots: Readonly<Record<string, string>>;
  readonly numbers: Readonly<Record<string, number>>;
}

/** The last action of a session: what follow-ups ("and the passenger side too", "a bit more", "cancel that") reuse. */
export interface LastAction {
  readonly frame: IntentFrame;
  readonly plan: ActionsPlan;
  readonly outcomes: readonly ActionOutcome[];
  readonly at: number;
}

export interface PendingSlot {
  readonly frame: IntentFrame;
  readonly slot: MissingSlot;
  readonly at: number;
}

export interface PendingConfirmation {
  readonly frame: IntentFrame;
  readonly plan: ActionsPlan;
  readonly ruleId: string;
  readonly lang: AnswerLang;
  readonly seat: Seat;
  readonly expiresAt: number;
}

/** One conversation (a seat's, or a client's sessionId). */
export class DialogueSession {
  last: LastAction | undefined;
  pendingSlot: PendingSlot | undefined;
  pendingConfirmation: PendingConfirmation | undefined;
  readonly memory: SessionMemory = {};
  /** @internal the confirmation timer */
  timer: unknown;
  lastUsedAt: number;

  constructor(
    readonly id: string,
    now: number,
  ) {
    this.lastUsedAt = now;
  }
}

export interface DialogueOptions {
  clock: Pick<Clock, 'now' | 'setTimeout' | 'clearTimeout'>;
  /** Follow-ups and pending questions older than this are forgotten (ms). */
  followUpWindowMs: number;
  /** How long a confirmation question waits for yes/no (ms). */
  confirmationTimeoutMs: number;
  /** Sessions kept at most (least recently used dropped). */
  maxSessions?: number;
  /** Called when a confirmation times out (the assistant answers "OK, I won't."). */
  onConfirmationExpired?: (session: DialogueSession, pending: PendingConfirmation) => void;
}

/** Sessions by id, with their pending questions and the confirmation timeout (injected clock). */
export class DialogueManager {
  private readonly sessions = new Map<string, DialogueSession>();
  private closed = false;

  constructor(private readonly opts: DialogueOptions) {}

  session(id: string): DialogueSession {
    const now = this.opts.clock.now();
    let s = this.sessions.get(id);
    if (s) this.sessions.delete(id); // re-insert: Map order is the LRU order
    else s = new DialogueSession(id, now);
    s.lastUsedAt = now;
    this.sessions.set(id, s);
    this.forgetOld(s, now);
    const max = this.opts.maxSessions ?? 64;
    while (this.sessions.size > max) {
      const oldest = this.sessions.values().next().value as DialogueSession;
      this.clearConfirmation(oldest);
      this.sessions.delete(oldest.id);
    }
    return s;
  }

  /** Drops follow-up context and slot questions that are too old to be what the speaker means. */
  private forgetOld(s: DialogueSession, now: number): void {
    if (s.last && now - s.last.at > this.opts.followUpWindowMs) s.last = undefined;
    if (s.pendingSlot && now - s.pendingSlot.at > this.opts.followUpWindowMs) s.pendingSlot = undefined;
    if (s.pendingConfirmation && now >= s.pendingConfirmation.expiresAt) this.expire(s);
  }

  askConfirmation(s: DialogueSession, pending: Omit<PendingConfirmation, 'expiresAt'>): PendingConfirmation {
    this.clearConfirmation(s);
    const full: PendingConfirmation = { ...pending, expiresAt: this.opts.clock.now() + this.opts.confirmationTimeoutMs };
    s.pendingConfirmation = full;
    if (!this.closed) s.timer = this.opts.clock.setTimeout(() => this.expire(s), this.opts.confirmationTimeoutMs);
    return full;
  }

  /** Removes the pending confirmation (answered, cancelled or superseded) and returns it. */
  clearConfirmation(s: DialogueSession): PendingConfirmation | undefined {
    const pending = s.pendingConfirmation;
    if (s.timer !== undefined) this.opts.clock.clearTimeout(s.timer);
    s.timer = undefined;
    s.pendingConfirmation = undefined;
    return pending;
  }

  private expire(s: DialogueSession): void {
    const pending = this.clearConfirmation(s);
    if (pending && !this.closed) this.opts.onConfirmationExpired?.(s, pending);
  }

  get size(): number {
    return this.sessions.size;
  }

  /** Cancels every timer; idempotent. */
  close(): void {
    this.closed = true;
    for (const s of this.sessions.values()) this.clearConfirmation(s);
    this.sessions.clear();
  }
}
