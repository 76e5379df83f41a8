import { describe, expect, it } from 'vitest';
import { SpeedController } from '../scenarios/speed-controller.js';
import { CAR, engineRpmAt } from './physics.js';
import { PARK, decodeAll, run, testVehicle } from '../vehicle/test-support.js';

describe('powertrain physics', () => {
  it('speeds up with throttle, at a plausible rate for a 110 kW car', () => {
    const v = testVehicle();
    run(v, 2, PARK);
    let t100: number | undefined;
    run(v, 20, { throttle: 1 }, { onStep: (t) => (t100 ??= v.state.powertrain.speedKmh >= 100 ? t - 2 : undefined) });
    expect(t100).toBeDefined();
    // A 1500 kg car with 110 kW: 0-100 km/h in roughly 8..13 s.
    expect(t100!).toBeGreaterThan(7);
    expect(t100!).toBeLessThan(13);
    expect(v.state.powertrain.speedKmh).toBeGreaterThan(140);
  });

  it('slows down with the brake, harder with more pedal', () => {
    const stopDistance = (brake: number) => {
      const v = testVehicle();
      v.state.powertrain.speedKmh = 100;
      v.state.powertrain.selector = 'D';
      const start = v.state.powertrain.odometerKm;
      run(v, 20, { brake });
      expect(v.state.powertrain.speedKmh).toBe(0);
      return (v.state.powertrain.odometerKm - start) * 1000;
    };
    const firm = stopDistance(0.5);
    const full = stopDistance(1);
    expect(full).toBeLessThan(firm);
    // 100 km/h at about 0.9 g (ABS at the grip limit): about 40-50 m.
    expect(full).toBeGreaterThan(35);
    expect(full).toBeLessThan(55);
  });

  it('coasts down through drag and rolling resistance, faster at high speed', () => {
    const decelFrom = (kmh: number) => {
      const v = testVehicle();
      v.state.powertrain.speedKmh = kmh;
      v.state.powertrain.selector = 'N';
      run(v, 1, { ignition: 'off', selector: 'N' });
      return kmh - v.state.powertrain.speedKmh;
    };
    const at130 = decelFrom(130);
    const at50 = decelFrom(50);
    expect(at50).toBeGreaterThan(0);
    expect(at130).toBeGreaterThan(at50 * 1.5);
  });

  it('selects gears automatically: upshifts while accelerating, top gear when cruising, downshifts when slowing', () => {
    const v = testVehicle();
    run(v, 1, PARK);
    const gears: number[] = [];
    while (v.state.powertrain.speedKmh < 120) run(v, 0.1, { throttle: 0.5 }, { onStep: () => gears.push(v.state.powertrain.gear) });
    // Light pedal at cruising speed: the box shifts up to top gear.
    run(v, 5, { throttle: 0.25 }, { onStep: () => gears.push(v.state.powertrain.gear) });
    const distinct = gears.filter((g, i) => i === 0 || g !== gears[i - 1]);
    expect(distinct).toEqual([1, 2, 3, 4, 5, 6]);
    const p = v.state.powertrain;
    expect(p.rpm).toBeCloseTo(engineRpmAt(p.speedKmh / 3.6, CAR.gearRatios[5]), -2);
    run(v, 15, { brake: 0.3 });
    expect(v.state.powertrain.speedKmh).toBe(0);
    expect(v.state.powertrain.gear).toBe(1);
    expect(v.state.powertrain.rpm).toBeCloseTo(CAR.idleRpm, -1);
  });

  it('keeps rpm between idle and the redline while driving', () => {
    const v = testVehicle();
    run(v, 1, PARK);
    let min = Infinity;
    let max = 0;
    run(v, 25, { throttle: 1 }, { onStep: () => ((min = Math.min(min, v.state.powertrain.rpm)), (max = Math.max(max, v.state.powertrain.rpm))) });
    expect(min).toBeGreaterThan(CAR.idleRpm * 0.5);
    expect(max).toBeLessThanOrEqual(CAR.redlineRpm);
  });

  it('uses fuel in proportion to power, counts distance, and derives the range', () => {
    const cruise = (kmh: number) => {
      const v = testVehicle();
      v.state.powertrain.speedKmh = kmh;
      v.state.powertrain.selector = 'D';
      run(v, 3, { throttle: 0.2 });
      v.state.powertrain.avgConsumptionL100 = 6;
      const fuel0 = v.state.powertrain.fuelLiters;
      const odo0 = v.state.powertrain.odometerKm;
      const driver = new SpeedController();
      for (let i = 0; i < 600; i++) run(v, 0.1, driver.command(v.state, kmh, 0.1));
      return { used: fuel0 - v.state.powertrain.fuelLiters, km: v.state.powertrain.odometerKm - odo0, v };
    };
    const slow = cruise(60);
    const fast = cruise(130);
    expect(slow.used).toBeGreaterThan(0);
    // One minute at 130 km/h covers ~2.17 km.
    expect(fast.km).toBeCloseTo(130 / 60, 1);
    const l100Slow = (slow.used / slow.km) * 100;
    const l100Fast = (fast.used / fast.km) * 100;
    expect(l100Fast).toBeGreaterThan(l100Slow);
    expect(l100Fast).toBeGreaterThan(4);
    expect(l100Fast).toBeLessThan(12);
    const p = fast.v.state.powertrain;
    expect(p.rangeKm).toBeCloseTo((p.fuelLiters / p.avgConsumptionL100) * 100, 6);
  });

  it('stops the engine with the ignition off and burns nothing', () => {
    const v = testVehicle();
    run(v, 2, PARK);
    expect(v.state.powertrain.engineRunning).toBe(true);
    const fuel = v.state.powertrain.fuelLiters;
    run(v, 5, { ...PARK, ignition: 'off' });
    expect(v.state.powertrain.engineRunning).toBe(false);
    expect(v.state.powertrain.rpm).toBe(0);
    expect(v.state.powertrain.fuelLiters).toBe(fuel);
  });

  it('holds the car in P and does not creep', () => {
    const v = testVehicle();
    run(v, 10, { ...PARK, throttle: 0.5 });
    expect(v.state.powertrain.speedKmh).toBe(0);
    expect(v.state.powertrain.odometerKm).toBe(12_345);
  });

  it('encodes its status messages with the DBC (speed, gear lever, fuel)', () => {
    const v = testVehicle();
    run(v, 1, PARK);
    run(v, 8, { throttle: 0.6 });
    const frames = v.due(1, 0).concat(v.due(2, 0));
    const engine = decodeAll(v, frames, 'ECM_EngineData')[0]!;
    expect(engine.ECM_EngineSpeed).toBeCloseTo(v.state.powertrain.rpm, -1);
    expect(engine.ECM_EngineRunning).toBe(1);
    const gear = decodeAll(v, frames, 'TCM_GearStatus')[0]!;
    expect(gear.TCM_GearLever).toBe(3); // D
    expect(gear.TCM_CurrentGear).toBe(v.state.powertrain.gear);
    const fuel = decodeAll(v, frames, 'ECM_FuelLevel')[0]!;
    expect(fuel.ECM_FuelLevelPct).toBeCloseTo((v.state.powertrain.fuelLiters / 50) * 100, 0);
  });
});
