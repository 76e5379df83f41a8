import type { VehicleStore } from '../store/types.js';
import type { Clock } from '../util/timers.js';
import type { SignalChange, VehicleState } from './state.js';

/**
 * Feeds the store's signal history: every fresh change as it happens (the store keeps the latest
 * per interval and every boolean/string edge), plus every fresh value once per interval so a
 * signal that holds still still has samples.
 */
export class HistoryRecorder {
  private readonly timer: unknown;
  private closed = false;
  private readonly onChange = (c: SignalChange) => {
    if (c.stale || c.value === undefined) return;
    this.store.recordSignal(c.path, c.value, c.timestamp);
  };

  constructor(
    private readonly state: VehicleState,
    private readonly store: VehicleStore,
    private readonly clock: Clock,
    intervalMs: number,
  ) {
    state.on('change', this.onChange);
    this.timer = clock.setInterval(() => this.sample(), intervalMs);
  }

  /** Records the current value of every fresh signal. */
  sample(): void {
    const now = this.clock.now();
    for (const s of this.state.list()) {
      const slot = this.state.slot(s.path)!;
      if (!s.stale && s.value !== undefined && !slot.constant) this.store.recordSignal(s.path, s.value, now);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.state.off('change', this.onChange);
    this.clock.clearInterval(this.timer);
  }
}
