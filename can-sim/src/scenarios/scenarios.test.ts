import { describe, expect, it } from 'vitest';
import { testVehicle } from '../vehicle/test-support.js';
import type { Situation, VehicleState } from '../vehicle/state.js';
import { createScenario, describeScenarios } from './catalog.js';
import { SCENARIO_NAMES } from './types.js';

interface Trace {
  share: Record<Situation, number>;
  maxSpeed: number;
  meanSpeedWhen: (label: Situation) => number;
  state: VehicleState;
  speeds: number[];
  seen: { lowBeam: boolean; wipers: boolean; ldw: boolean; fcw: boolean; cruise: boolean; abs: boolean; ignitionStart: boolean; turn: boolean };
}

/** Drives a scenario on the physics alone (no frames), at a coarse 50 ms step to keep tests quick. */
function drive(name: string, seconds: number, seed = 1): Trace {
  const v = testVehicle(seed);
  const scenario = createScenario(name, seed);
  scenario.setup(v.state);
  const dt = 0.05;
  const time: Record<string, number> = {};
  const speedSum: Record<string, number> = {};
  let maxSpeed = 0;
  const speeds: number[] = [];
  const seen = { lowBeam: false, wipers: false, ldw: false, fcw: false, cruise: false, abs: false, ignitionStart: false, turn: false };
  for (let i = 1; i <= Math.round(seconds / dt); i++) {
    const t = i * dt;
    const step = scenario.step(t, dt, v.state);
    v.step(dt, t, step.inputs, step.controls);
    const s = v.state;
    time[step.label] = (time[step.label] ?? 0) + dt;
    speedSum[step.label] = (speedSum[step.label] ?? 0) + s.powertrain.speedKmh * dt;
    maxSpeed = Math.max(maxSpeed, s.powertrain.speedKmh);
    if (i % 20 === 0) speeds.push(s.powertrain.speedKmh);
    seen.lowBeam ||= s.body.lowBeam;
    seen.wipers ||= s.body.wiperMode !== 'OFF';
    seen.ldw ||= s.adas.laneDepartureWarning;
    seen.fcw ||= s.adas.forwardCollisionWarning;
    seen.cruise ||= s.adas.cruiseActive;
    seen.abs ||= s.chassis.absActive;
    seen.ignitionStart ||= s.ignition === 'start';
    seen.turn ||= s.body.turnLeft || s.body.turnRight;
  }
  const share = Object.fromEntries(Object.entries(time).map(([k, x]) => [k, x / seconds])) as Record<Situation, number>;
  return { share, maxSpeed, meanSpeedWhen: (l) => (speedSum[l] ?? 0) / (time[l] ?? 1), state: v.state, speeds, seen };
}

describe('scenarios', () => {
  it('all have a description; an unknown name is a clear error', () => {
    expect(describeScenarios().map((s) => s.name)).toEqual([...SCENARIO_NAMES]);
    expect(() => createScenario('autobahn')).toThrow(/unknown scenario "autobahn" \(known: idle, parked, city/);
  });

  it('highway: mostly labelled highway at 100-135 km/h, with lane changes and cruise control', () => {
    const trace = drive('highway', 1200, 3);
    expect(trace.share.highway).toBeGreaterThan(0.8);
    expect(trace.meanSpeedWhen('highway')).toBeGreaterThan(95);
    expect(trace.maxSpeed).toBeLessThan(140);
    expect(trace.seen.ignitionStart).toBe(true);
    expect(trace.seen.cruise).toBe(true);
    expect(trace.seen.turn).toBe(true);
    expect(trace.state.powertrain.tripKm).toBeGreaterThan(25);
  });

  it('city: city driving with stops and stop-and-go queues, never fast', () => {
    const trace = drive('city', 1200, 2);
    expect(trace.share.city).toBeGreaterThan(0.5);
    expect((trace.share.city ?? 0) + (trace.share.stop_and_go ?? 0) + (trace.share.parked ?? 0)).toBeCloseTo(1, 6);
    expect(trace.share.stop_and_go ?? 0).toBeGreaterThan(0.03);
    expect(trace.maxSpeed).toBeLessThan(60);
    // It stops (red lights) and moves.
    expect(trace.speeds.filter((s) => s < 1).length).toBeGreaterThan(10);
    expect(trace.meanSpeedWhen('stop_and_go')).toBeLessThan(trace.meanSpeedWhen('city'));
  });

  it('night-rain: lights and wipers on, wet road, rain sensor, rural roads at reduced speed', () => {
    const trace = drive('night-rain', 900, 4);
    const s = trace.state;
    expect(s.environment).toMatchObject({ night: true, roadWet: true });
    expect(trace.seen.lowBeam && s.body.lowBeam).toBe(true);
    expect(s.body.wiperMode).toBe('RAINSENSOR');
    expect(s.body.rainSensorPct).toBeGreaterThan(40);
    expect(s.body.lightIntensityPct).toBeLessThan(10);
    expect(trace.share.rural).toBeGreaterThan(0.2);
    expect(trace.maxSpeed).toBeLessThan(90);
  });

  it('long-highway-leak: the leaking tyre falls below the others and fuel runs down', () => {
    const trace = drive('long-highway-leak', 1800, 5);
    const t = trace.state.tpms.tyres;
    expect(trace.share.highway).toBeGreaterThan(0.85);
    expect(t.RL.pressureKpa).toBeLessThan(t.RR.pressureKpa - 35);
    expect(trace.state.powertrain.fuelLiters).toBeLessThan(16 - 3);
    expect(trace.state.powertrain.rangeKm).toBeLessThan(200);
  });

  it('parked and idle: standing still, engine idling or off', () => {
    const parked = drive('parked', 120);
    expect(parked.share.parked).toBeCloseTo(1, 9);
    expect(parked.maxSpeed).toBe(0);
    expect(parked.state.powertrain.engineRunning).toBe(true);
    expect(parked.state.powertrain.selector).toBe('P');
    const idle = drive('idle', 120);
    expect(idle.share.parked).toBeCloseTo(1, 9);
    expect(idle.state.ignition).toBe('off');
    expect(idle.state.powertrain.rpm).toBe(0);
  });

  it('is reproducible for a seed and different for another', () => {
    const a = drive('city', 300, 11).speeds;
    const b = drive('city', 300, 11).speeds;
    const c = drive('city', 300, 12).speeds;
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });
});
