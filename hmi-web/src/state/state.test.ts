import { describe, expect, it } from 'vitest';
import type { StreamState } from '../api/stream.js';
import type { Health, SignalSnapshot } from '../api/types.js';
import { deriveBanner } from './banner.js';
import { Observable, SignalStore } from './signals.js';
import { activeWarnings, energySource, gearLabel, P, stepValue, tyrePath } from './vehicle.js';

const snap = (path: string, value: SignalSnapshot['value'], stale = false): SignalSnapshot => ({ path, value, unit: null, timestamp: 1000, stale });
const stream = (status: StreamState['status'], extra: Partial<StreamState> = {}): StreamState => ({ status, attempt: 0, retryAt: null, lastMessageAt: null, lastError: null, ...extra });
const health = (mqtt: boolean): Health => ({
  status: mqtt ? 'ok' : 'degraded',
  uptimeS: 1,
  mqtt: { connected: mqtt, url: 'mqtt://x', embeddedBroker: false },
  store: { ok: true },
  vehicle: { fresh: mqtt, lastFrameAt: 900, signals: 1, staleSignals: 0, framesIngested: 1, decodeErrors: 0 },
  closing: false,
});

describe('SignalStore', () => {
  it('replaces everything on a snapshot and updates single paths on changes, keeping the unit', () => {
    const s = new SignalStore();
    let told = 0;
    s.subscribe(() => told++);
    s.applySnapshot([{ ...snap(P.speed, 10), unit: 'km/h' }, snap(P.fuelLevel, 50)]);
    s.applyChanges([{ path: P.speed, value: 12, previous: 10, timestamp: 2000, stale: false }]);
    expect(s.get(P.speed)).toEqual({ path: P.speed, value: 12, unit: 'km/h', timestamp: 2000, stale: false });
    s.applySnapshot([snap(P.speed, 0)]);
    expect(s.get(P.fuelLevel)).toBeUndefined();
    expect(told).toBe(3);
    expect(s.version).toBe(3);
  });

  it('coalesces notifications until the scheduler flushes', () => {
    let pending: (() => void) | undefined;
    const s = new SignalStore((flush) => {
      pending = flush;
    });
    let told = 0;
    s.subscribe(() => told++);
    s.applySnapshot([snap(P.speed, 1)]);
    s.applyChanges([{ path: P.speed, value: 2, previous: 1, timestamp: 2, stale: false }]);
    expect(told).toBe(0);
    pending!();
    expect(told).toBe(1);
  });

  it('treats null and stale values as stale', () => {
    const s = new SignalStore();
    s.applySnapshot([snap('a', null), snap('b', 1, true), snap('c', 1)]);
    expect([s.isStale('a'), s.isStale('b'), s.isStale('c'), s.isStale('missing')]).toEqual([true, true, false, true]);
    expect(s.value('a')).toBeUndefined();
  });
});

describe('Observable', () => {
  it('tells subscribers only about real changes', () => {
    const o = new Observable(1);
    const seen: number[] = [];
    const off = o.subscribe(() => seen.push(o.value));
    o.set(1);
    o.set(2);
    o.update((v) => v + 1);
    off();
    o.set(9);
    expect(seen).toEqual([2, 3]);
  });
});

describe('deriveBanner', () => {
  const fresh = snap(P.speed, 50);
  it('says connecting before the first connection, unavailable after losing it', () => {
    expect(deriveBanner(stream('connecting'), { health: null, failed: false }, undefined, false)).toEqual({ kind: 'connecting' });
    expect(deriveBanner(stream('waiting', { retryAt: 5, lastError: 'closed' }), { health: null, failed: false }, fresh, false)).toEqual({
      kind: 'service-unavailable',
      retryAt: 5,
      detail: 'closed',
    });
    expect(deriveBanner(stream('connecting'), { health: null, failed: false }, fresh, true)).toMatchObject({ kind: 'service-unavailable' });
  });

  it('says unavailable when health stops answering even if the socket looks open', () => {
    expect(deriveBanner(stream('open'), { health: health(true), failed: true }, fresh, true)).toMatchObject({ kind: 'service-unavailable' });
  });

  it('says the car data is stale when the heartbeat signal is, naming the broker when MQTT is down', () => {
    expect(deriveBanner(stream('open'), { health: health(true), failed: false }, snap(P.speed, 50, true), true)).toEqual({
      kind: 'vehicle-stale',
      cause: 'car-silent',
      lastFrameAt: 900,
    });
    expect(deriveBanner(stream('open'), { health: health(false), failed: false }, snap(P.speed, 50, true), true)).toMatchObject({ cause: 'broker' });
    expect(deriveBanner(stream('open'), { health: null, failed: false }, undefined, true)).toMatchObject({ kind: 'vehicle-stale', lastFrameAt: null });
  });

  it('shows nothing when all is well', () => {
    expect(deriveBanner(stream('open'), { health: health(true), failed: false }, fresh, true)).toBeNull();
  });
});

describe('vehicle derivations', () => {
  it('labels gears as the cluster does', () => {
    expect(gearLabel(126, 0)).toBe('P');
    expect(gearLabel(-1, -1)).toBe('R');
    expect(gearLabel(0, 0)).toBe('N');
    expect(gearLabel(127, 3)).toBe('D3');
    expect(gearLabel(127, 0)).toBe('D');
    expect(gearLabel(undefined, 4)).toBe('4');
    expect(gearLabel(undefined, undefined)).toBe('—');
  });

  it('raises warnings from fresh signals only, most severe first', () => {
    const s = new SignalStore();
    s.applySnapshot([
      snap(P.fuelLow, true),
      snap(tyrePath('frontLeft', 'IsPressureLow'), true),
      snap(tyrePath('rearRight', 'IsPressureLow'), true, true), // stale: not raised
      snap(P.dtc, 2),
      snap(P.speed, 80),
      snap('Vehicle.Cabin.Door.Row2.DriverSide.IsOpen', true),
      snap(P.battery, 11.2),
    ]);
    const w = activeWarnings(s, (p) => p);
    expect(w.map((x) => x.id)).toEqual(['door-rearLeft', 'tyre-frontLeft', 'dtc', 'fuel', 'battery']);
    expect(w[0]).toMatchObject({ severity: 'critical', vars: { pos: 'rearLeft' } });
    expect(w.find((x) => x.id === 'dtc')?.vars).toEqual({ n: 2 });
  });

  it('shows charge only when the car reports a live state of charge and no fuel level', () => {
    const s = new SignalStore();
    s.applySnapshot([snap(P.fuelLevel, 40), snap(P.soc, null)]);
    expect(energySource(s)).toBe('fuel');
    s.applySnapshot([snap(P.fuelLevel, null), snap(P.soc, 80)]);
    expect(energySource(s)).toBe('charge');
  });

  it('steps set points on the grid and within the range', () => {
    expect(stepValue(21, 0.5, 15, 30, 21)).toBe(21.5);
    expect(stepValue(21.3, 0.5, 15, 30, 21)).toBe(22);
    expect(stepValue(30, 0.5, 15, 30, 21)).toBe(30);
    expect(stepValue(undefined, -10, 0, 100, 40)).toBe(30);
    expect(stepValue(5, -10, 0, 100, 40)).toBe(0);
  });
});
