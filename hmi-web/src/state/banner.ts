import type { StreamState } from '../api/stream.js';
import type { Health, SignalSnapshot } from '../api/types.js';

/** What the connection banner says; null = all good, no banner. */
export type Banner =
  | { kind: 'connecting' }
  | { kind: 'service-unavailable'; retryAt: number | null; detail: string | null }
  | { kind: 'vehicle-stale'; cause: 'broker' | 'car-silent'; lastFrameAt: number | null }
  | null;

export interface HealthView {
  /** The last health answer, if any. */
  health: Health | null;
  /** The last health request failed (unreachable or timed out). */
  failed: boolean;
}

/** The signal that proves the car is talking: cyclic on every car, stale within a second of silence. */
export const HEARTBEAT_SIGNAL = 'Vehicle.Speed';

/**
 * Decides the banner from the stream, the health poll and the heartbeat signal:
 * - the stream is down (or health unreachable): the service is unavailable, with the next retry;
 * - the stream is up but the car's data is stale (the service marks the heartbeat signal stale
 *   within about a cycle): the car's data is unavailable, because of the broker (health says
 *   MQTT is down) or a silent car;
 * - first connection still opening: connecting.
 */
export function deriveBanner(stream: StreamState, health: HealthView, heartbeat: SignalSnapshot | undefined, everConnected: boolean): Banner {
  if (stream.status === 'closed' && !everConnected) return { kind: 'connecting' };
  if (stream.status === 'connecting' && !everConnected) return { kind: 'connecting' };
  if (stream.status === 'waiting' || stream.status === 'closed' || (stream.status === 'connecting' && everConnected)) {
    return { kind: 'service-unavailable', retryAt: stream.retryAt, detail: stream.lastError };
  }
  if (health.failed) return { kind: 'service-unavailable', retryAt: null, detail: null };
  const h = health.health;
  const heartbeatStale = !heartbeat || heartbeat.stale || heartbeat.value === null;
  if (heartbeatStale) {
    return { kind: 'vehicle-stale', cause: h !== null && !h.mqtt.connected ? 'broker' : 'car-silent', lastFrameAt: h?.vehicle.lastFrameAt ?? heartbeat?.timestamp ?? null };
  }
  return null;
}
