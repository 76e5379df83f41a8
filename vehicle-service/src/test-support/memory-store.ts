/**
 * TESTS ONLY: a VehicleStore kept in memory, so unit tests of the actuation service and the API
 * can check what gets recorded without SQLite. The service itself uses SqliteStore.
 */
import type { SignalValue } from '@auriga/common';
import type {
  ActuationQuery,
  ActuationRecord,
  EventQuery,
  HistoryQuery,
  StoredEvent,
  StoredSignalSample,
  StoreHealth,
  TurnQuery,
  TurnRecord,
  VehicleEvent,
  VehicleStore,
} from '../store/types.js';

export class MemoryStore implements VehicleStore {
  readonly samples: Array<{ path: string; value: SignalValue; timestamp: number }> = [];
  readonly eventLog: StoredEvent[] = [];
  readonly actuationLog: ActuationRecord[] = [];
  readonly turnLog: TurnRecord[] = [];
  healthy: StoreHealth = { ok: true };
  flushes = 0;
  closed = false;

  recordSignal(path: string, value: SignalValue, timestamp: number): void {
    this.samples.push({ path, value, timestamp });
  }

  recordEvent(e: VehicleEvent): void {
    this.eventLog.push({ ...e, id: this.eventLog.length + 1 });
  }

  async recordActuation(a: ActuationRecord): Promise<void> {
    this.actuationLog.push(a);
  }

  async history(path: string, q: HistoryQuery): Promise<StoredSignalSample[]> {
    return this.samples
      .filter((s) => s.path === path && (q.from === undefined || s.timestamp >= q.from) && (q.to === undefined || s.timestamp <= q.to))
      .slice(0, q.limit ?? 1000)
      .map(({ value, timestamp }) => ({ value, timestamp }));
  }

  async actuations(q: ActuationQuery): Promise<ActuationRecord[]> {
    return this.actuationLog
      .filter((a) => !q.path || a.path === q.path)
      .reverse()
      .slice(0, q.limit ?? 100);
  }

  async events(q: EventQuery): Promise<StoredEvent[]> {
    return this.eventLog
      .filter((e) => (!q.type || e.type === q.type) && (!q.severity || e.severity === q.severity))
      .reverse()
      .slice(0, q.limit ?? 100);
  }

  async recordTurn(t: TurnRecord): Promise<void> {
    this.turnLog.push(t);
  }

  async turns(q: TurnQuery): Promise<TurnRecord[]> {
    return this.turnLog
      .filter((t) => !q.sessionId || t.sessionId === q.sessionId)
      .reverse()
      .slice(0, q.limit ?? 100);
  }

  async health(): Promise<StoreHealth> {
    return this.healthy;
  }

  async flush(): Promise<void> {
    this.flushes++;
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
