import { describe, expect, it } from 'vitest';
import type { SignalSpec } from '@auriga/common';
import { matchesPrefix, VehicleState, type SignalChange } from './state.js';

const specs: SignalSpec[] = [
  { path: 'Vehicle.Speed', kind: 'sensor', datatype: 'float', unit: 'km/h', description: 'speed' },
  { path: 'Vehicle.Cabin.Sunroof.Position', kind: 'actuator', datatype: 'int8', unit: 'percent', min: -100, max: 100, description: 'sunroof' },
  { path: 'Vehicle.CabinX', kind: 'sensor', datatype: 'boolean', description: 'decoy for prefix matching' },
  { path: 'Vehicle.VehicleIdentification.VIN', kind: 'attribute', datatype: 'string', description: 'VIN' },
];

function collect(state: VehicleState): SignalChange[] {
  const changes: SignalChange[] = [];
  state.on('change', (c) => changes.push(c));
  return changes;
}

describe('VehicleState', () => {
  it('starts with every signal unknown and stale', () => {
    const state = new VehicleState(specs);
    expect(state.get('Vehicle.Speed')).toEqual({ path: 'Vehicle.Speed', value: undefined, unit: 'km/h', timestamp: undefined, stale: true });
    expect(state.get('Vehicle.Nope')).toBeUndefined();
    expect(state.size).toBe(4);
  });

  it('emits a change with the previous value, and none for a repeated value', () => {
    const state = new VehicleState(specs);
    const changes = collect(state);
    const slot = state.slot('Vehicle.Speed')!;
    state.update(slot, 50, 1000);
    state.update(slot, 50, 1020);
    state.update(slot, 51.5, 1040);
    expect(changes).toEqual([
      { path: 'Vehicle.Speed', value: 50, previous: undefined, timestamp: 1000, stale: false },
      { path: 'Vehicle.Speed', value: 51.5, previous: 50, timestamp: 1040, stale: false },
    ]);
    // The timestamp follows every reception, not only changes.
    expect(state.get('Vehicle.Speed')).toMatchObject({ value: 51.5, timestamp: 1040, stale: false });
  });

  it('turns stale keeping the value, and fresh again on the same value', () => {
    const state = new VehicleState(specs);
    const slot = state.slot('Vehicle.Speed')!;
    state.update(slot, 30, 1000);
    const changes = collect(state);
    state.markStale(slot, 2000);
    state.markStale(slot, 2100);
    expect(state.get('Vehicle.Speed')).toMatchObject({ value: 30, stale: true });
    state.update(slot, 30, 3000);
    expect(changes.map((c) => [c.value, c.stale, c.timestamp])).toEqual([
      [30, true, 2000],
      [30, false, 3000],
    ]);
    expect(state.freshValue('Vehicle.Speed')).toBe(30);
  });

  it('keeps constant attributes fresh when everything else goes stale', () => {
    const state = new VehicleState(specs);
    state.setConstant('Vehicle.VehicleIdentification.VIN', 'W0AURGA15P0000042', 1);
    state.update(state.slot('Vehicle.Speed')!, 10, 5);
    state.markAllStale(10);
    expect(state.get('Vehicle.VehicleIdentification.VIN')).toMatchObject({ value: 'W0AURGA15P0000042', stale: false });
    expect(state.get('Vehicle.Speed')).toMatchObject({ stale: true });
    expect(state.staleCount).toBe(3);
  });

  it('lists by VSS branch, not by string prefix', () => {
    const state = new VehicleState(specs);
    expect(state.list('Vehicle.Cabin').map((s) => s.path)).toEqual(['Vehicle.Cabin.Sunroof.Position']);
    expect(state.list().map((s) => s.path)).toEqual([
      'Vehicle.Cabin.Sunroof.Position',
      'Vehicle.CabinX',
      'Vehicle.Speed',
      'Vehicle.VehicleIdentification.VIN',
    ]);
    expect(matchesPrefix('Vehicle.Speed', 'Vehicle.Speed')).toBe(true);
    expect(matchesPrefix('Vehicle.Speed', 'Vehicle.')).toBe(true);
    expect(matchesPrefix('Vehicle.SpeedX', 'Vehicle.Speed')).toBe(false);
  });

  it('calls path watchers until they unsubscribe', () => {
    const state = new VehicleState(specs);
    const seen: unknown[] = [];
    const stop = state.watch('Vehicle.Cabin.Sunroof.Position', (c) => seen.push(c.value));
    const slot = state.slot('Vehicle.Cabin.Sunroof.Position')!;
    state.update(slot, 10, 1);
    state.update(state.slot('Vehicle.Speed')!, 3, 1);
    stop();
    state.update(slot, 20, 2);
    expect(seen).toEqual([10]);
    expect(() => state.watch('Vehicle.Nope', () => undefined)).toThrow(RangeError);
  });
});
