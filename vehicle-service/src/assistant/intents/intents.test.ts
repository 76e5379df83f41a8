/** Each domain's planner against a hand-built state: intent + slots -> actuation requests or an answer. */
import { describe, expect, it } from 'vitest';
import { catalog } from '@auriga/common';
import { CarModel, PATHS } from '../car.js';
import { FakeState } from '../testing.js';
import type { Plan, Seat } from '../types.js';
import { PLANNERS, type SessionMemory } from './index.js';

function plan(intent: string, slots: Record<string, string> = {}, numbers: Record<string, number> = {}, opts: { seat?: Seat; state?: FakeState; memory?: SessionMemory } = {}): Plan {
  const state = opts.state ?? new FakeState();
  return PLANNERS[intent]!({ intent, slots, numbers, seat: opts.seat ?? 'driver', car: new CarModel(state, catalog), memory: opts.memory ?? {} });
}

const requests = (p: Plan) => (p.kind === 'actions' ? p.requests.map((r) => [r.path, r.value]) : p);

describe('climate', () => {
  it('sets both zones for "all", rounds to half degrees and clamps to the catalog (15-30 °C)', () => {
    expect(requests(plan('setTemperature', { zone: 'all' }, { temperature: 21.4 }))).toEqual([[PATHS.temperature('driver'), 21.5], [PATHS.temperature('passenger'), 21.5]]);
    expect(requests(plan('setTemperature', {}, { temperature: 40 }))).toEqual([[PATHS.temperature('driver'), 30]]);
  });

  it('has no rear climate zone: says so instead of guessing', () => {
    expect(plan('setTemperature', { zone: 'rear' }, { temperature: 22 })).toMatchObject({ kind: 'answer', answer: { key: 'notAvailable' } });
  });

  it('asks for a missing temperature', () => {
    expect(plan('setTemperature')).toEqual({ kind: 'ask', slot: 'temperature', answer: { key: 'askSlot', params: { slot: 'temperature' } } });
  });

  it('changes from the current value by the amount said, and needs a fresh current value', () => {
    expect(requests(plan('changeTemperature', { direction: 'down' }, { amount: 3 }))).toEqual([[PATHS.temperature('driver'), 18]]);
    const unknown = new FakeState({});
    expect(plan('changeTemperature', { direction: 'up' }, {}, { state: unknown })).toMatchObject({ kind: 'answer', answer: { key: 'unknownValue' } });
  });

  it('a rear seat without a zone gets both front zones (no rear climate on this car)', () => {
    expect(requests(plan('changeTemperature', { direction: 'up' }, {}, { seat: 'rearLeft' }))).toEqual([[PATHS.temperature('driver'), 22], [PATHS.temperature('passenger'), 21]]);
  });

  it('maps fan levels 1-7 onto the percent fan speed of both zones; off is 0', () => {
    expect(requests(plan('setFanSpeed', { level: 'max' }, { level: 7 }))).toEqual([[PATHS.fan('driver'), 100], [PATHS.fan('passenger'), 100]]);
    expect(requests(plan('setFanSpeed', { state: 'off' }))).toEqual([[PATHS.fan('driver'), 0], [PATHS.fan('passenger'), 0]]);
    // 43% is level 3: one up is level 4 = 57%.
    expect(requests(plan('changeFanSpeed', { direction: 'up' }))).toEqual([[PATHS.fan('driver'), 57], [PATHS.fan('passenger'), 57]]);
  });

  it('seat heating: levels low/medium/high over percent, front seats only', () => {
    expect(requests(plan('setSeatHeating', { level: 'high', zone: 'passenger' }, { level: 3 }))).toEqual([[PATHS.seatHeating('passenger'), 100]]);
    expect(requests(plan('setSeatHeating', { state: 'on' }))).toEqual([[PATHS.seatHeating('driver'), 67]]);
    expect(plan('setSeatHeating', { zone: 'rear left' })).toMatchObject({ kind: 'answer', answer: { key: 'notAvailable' } });
  });

  it('defrost and air conditioning', () => {
    expect(requests(plan('setDefrost', { target: 'all' }))).toEqual([[PATHS.defrost('front'), true], [PATHS.defrost('rear'), true]]);
    expect(requests(plan('setAirConditioning', { state: 'off' }))).toEqual([[PATHS.airConditioning, false]]);
  });
});

describe('windows', () => {
  it('opens the requester\'s window, named windows, or all', () => {
    expect(requests(plan('openWindow', {}, {}, { seat: 'passenger' }))).toEqual([[PATHS.window('passenger'), 100]]);
    expect(requests(plan('openWindow', { window: 'rear' }, { amount: 20 }))).toEqual([[PATHS.window('rearLeft'), 20], [PATHS.window('rearRight'), 20]]);
    expect(requests(plan('openWindow', { window: 'all' }))).toHaveLength(4);
  });

  it('closes only what is open', () => {
    const state = new FakeState();
    state.set(PATHS.window('passenger'), 30);
    expect(requests(plan('closeWindow', { window: 'all' }, {}, { state }))).toEqual([[PATHS.window('passenger'), 0]]);
    expect(plan('closeWindow', {}, {}, { state })).toMatchObject({ kind: 'answer', answer: { key: 'alreadyDone' } });
  });

  it('sunroof: open, close, tilt (negative position)', () => {
    expect(requests(plan('openSunroof', {}, { amount: 50 }))).toEqual([[PATHS.sunroof, 50]]);
    expect(requests(plan('tiltSunroof'))).toEqual([[PATHS.sunroof, -100]]);
    expect(requests(plan('closeSunroof'))).toEqual([[PATHS.sunroof, 0]]);
  });
});

describe('body', () => {
  it('locks every door and the trunk for "the car", one door when named, the trunk lock for the trunk', () => {
    expect(requests(plan('lockDoors', { door: 'all' }))).toHaveLength(5);
    expect(requests(plan('unlockDoors', { door: 'passenger' }))).toEqual([[PATHS.doorLock('passenger'), false]]);
    expect(requests(plan('lockDoors', { door: 'trunk' }))).toEqual([[PATHS.trunkLock, true]]);
  });

  it('opens and closes the trunk; switches lights the car can switch', () => {
    expect(requests(plan('openTrunk'))).toEqual([[PATHS.trunk, true]]);
    expect(requests(plan('setLights', { light: 'hazard lights', state: 'on' }))).toEqual([[PATHS.light('hazards'), true]]);
    expect(plan('setLights', { light: 'high beams', state: 'on' })).toMatchObject({ kind: 'answer', answer: { key: 'notAvailable' } });
  });
});

describe('media', () => {
  it('maps volume levels 0-30 onto percent, steps from the current value, remembers the volume before mute', () => {
    expect(requests(plan('setVolume', {}, { volume: 15 }))).toEqual([[PATHS.volume, 50]]);
    // 40% = level 12; one step is 3 levels -> 15 = 50%.
    expect(requests(plan('changeVolume', { direction: 'up' }))).toEqual([[PATHS.volume, 50]]);
    const memory: SessionMemory = {};
    expect(requests(plan('mute', {}, {}, { memory }))).toEqual([[PATHS.volume, 0]]);
    expect(requests(plan('unmute', {}, {}, { memory }))).toEqual([[PATHS.volume, 40]]);
  });

  it('track and source controls use the VSS enumerations', () => {
    expect(requests(plan('nextTrack'))).toEqual([[PATHS.mediaAction, 'SKIP_FORWARD']]);
    expect(requests(plan('setMediaSource', { source: 'dab' }))).toEqual([[PATHS.mediaSource, 'DAB']]);
  });
});

describe('queries', () => {
  it('reads fuel (percent) and range (VSS meters -> km)', () => {
    expect(plan('askFuelLevel')).toEqual({ kind: 'answer', answer: { key: 'fuel', params: { fuelPercent: 23, rangeKm: 140 } } });
    expect(plan('askRange')).toEqual({ kind: 'answer', answer: { key: 'range', params: { rangeKm: 140 } } });
  });

  it('lists warnings, most important first', () => {
    const state = new FakeState();
    state.set(PATHS.checkEngine, true);
    expect(plan('askWarnings', {}, {}, { state })).toEqual({ kind: 'answer', answer: { key: 'warnings', params: { warnings: ['checkEngine', 'tyrePressureLow'] } } });
    expect(plan('askWarnings', {}, {}, { state: new FakeState({}) })).toEqual({ kind: 'answer', answer: { key: 'noWarnings' } });
  });

  it('one tyre, and unknown values', () => {
    expect(plan('askTyrePressure', { tyre: 'front right' })).toMatchObject({ answer: { key: 'tyrePressure', params: { pressures: [{ tyre: 'frontRight', kPa: 231, low: false }] } } });
    expect(plan('askFuelLevel', {}, {}, { state: new FakeState({}) })).toMatchObject({ answer: { key: 'unknownValue' } });
  });
});

describe('every intent of the car context has a planner or is a dialogue move', () => {
  it('covers the context', async () => {
    const { compileContextFile } = await import('../../context/index.js');
    const { fileURLToPath } = await import('node:url');
    const { DIALOGUE_INTENTS } = await import('./index.js');
    const car = await compileContextFile(fileURLToPath(new URL('../../../../models/contexts/en-US/car.yaml', import.meta.url)));
    const missing = car.intents.map((i) => i.name).filter((n) => !PLANNERS[n] && !(DIALOGUE_INTENTS as readonly string[]).includes(n));
    expect(missing).toEqual([]);
  });
});
