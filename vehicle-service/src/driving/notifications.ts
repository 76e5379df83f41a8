import type { DrivingNotification, NotificationKind } from './types.js';

export interface NotifierOptions {
  now: () => number;
  /** Minimum time between two notifications of one kind and subject (ms). */
  minIntervalMs?: Partial<Record<NotificationKind, number>>;
  /** Minimum time between any two notifications (ms), so two problems do not talk over each other. */
  globalMinIntervalMs?: number;
  /** Notifications kept in the history (newest kept). */
  historySize?: number;
  /** Called when a notification is delivered (HMI, text-to-speech). */
  deliver: (n: DrivingNotification) => void;
}

export const DEFAULT_MIN_INTERVAL_MS: Record<NotificationKind, number> = {
  tyre_pressure: 30 * 60_000,
  low_fuel: 20 * 60_000,
  warning: 10 * 60_000,
  trip_summary: 0,
};

export type NotificationDraft = Omit<DrivingNotification, 'id' | 'deliveredAt'>;

/**
 * Proactive notifications for what cannot wait, rate-limited per kind and subject so the driver is
 * not nagged, and held back while a voice interaction is in progress (delivered when it ends, unless
 * a newer one about the same thing replaced it).
 */
export class Notifier {
  private readonly lastByKey = new Map<string, number>();
  private lastAny = -Infinity;
  private readonly pending = new Map<string, NotificationDraft>();
  private readonly history: DrivingNotification[] = [];
  private interactionActive = false;
  private seq = 0;
  private readonly intervals: Record<NotificationKind, number>;
  /** Counted by reason, for metrics and tests. */
  readonly dropped = { rateLimited: 0 };

  constructor(private readonly opts: NotifierOptions) {
    this.intervals = { ...DEFAULT_MIN_INTERVAL_MS, ...(opts.minIntervalMs ?? {}) };
  }

  /** True while the driver talks to the assistant: nothing is delivered. */
  setInteractionActive(active: boolean): void {
    this.interactionActive = active;
    if (!active) this.flush();
  }

  get isInteractionActive(): boolean {
    return this.interactionActive;
  }

  /** Offers a notification; returns what happened to it. */
  offer(draft: NotificationDraft): 'delivered' | 'deferred' | 'rate_limited' {
    const key = `${draft.kind}:${draft.subject}`;
    const last = this.lastByKey.get(key);
    const now = this.opts.now();
    if (last !== undefined && now - last < this.intervals[draft.kind]) {
      this.dropped.rateLimited++;
      return 'rate_limited';
    }
    if (this.interactionActive || now - this.lastAny < (this.opts.globalMinIntervalMs ?? 0)) {
      this.pending.set(key, draft);
      return 'deferred';
    }
    this.send(key, draft, now);
    return 'delivered';
  }

  /** Delivers what was held back (called when an interaction ends; call periodically for the global spacing). */
  flush(): void {
    if (this.interactionActive) return;
    const now = this.opts.now();
    for (const [key, draft] of [...this.pending].sort((a, b) => severityRank(b[1].severity) - severityRank(a[1].severity))) {
      if (now - this.lastAny < (this.opts.globalMinIntervalMs ?? 0)) return;
      this.pending.delete(key);
      const last = this.lastByKey.get(key);
      if (last !== undefined && now - last < this.intervals[draft.kind]) continue;
      this.send(key, draft, now);
    }
  }

  /** Delivered notifications, newest first. */
  list(limit = 100): DrivingNotification[] {
    return this.history.slice(-limit).reverse();
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  private send(key: string, draft: NotificationDraft, now: number): void {
    this.lastByKey.set(key, now);
    this.lastAny = now;
    const n: DrivingNotification = { ...draft, id: `n${now.toString(36)}-${++this.seq}`, deliveredAt: now };
    this.history.push(n);
    const max = this.opts.historySize ?? 200;
    if (this.history.length > max) this.history.splice(0, this.history.length - max);
    this.opts.deliver(n);
  }
}

function severityRank(s: DrivingNotification['severity']): number {
  return s === 'critical' ? 2 : s === 'warning' ? 1 : 0;
}
