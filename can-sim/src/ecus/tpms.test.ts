import { describe, expect, it } from 'vitest';
import { LOW_PRESSURE_RATIO } from './tpms.js';
import { PARK, decodeAll, run, testVehicle } from '../vehicle/test-support.js';

describe('TPMS', () => {
  it('a slow leak lowers one tyre and raises the low-pressure warning', () => {
    const v = testVehicle();
    v.state.tpms.tyres.RL.leakKpaPerMin = 2;
    run(v, 600, PARK, { dt: 0.1 });
    const t = v.state.tpms.tyres;
    expect(t.RL.coldPressureKpa).toBeCloseTo(240 - 20, 6);
    expect(t.FL.coldPressureKpa).toBe(240);
    expect(t.RL.pressureKpa).toBeLessThan(t.FL.pressureKpa - 15);
    expect(t.RL.lowPressureWarning).toBe(false);
    run(v, 900, PARK, { dt: 0.1 });
    expect(t.RL.pressureKpa).toBeLessThan(240 * LOW_PRESSURE_RATIO);
    expect(t.RL.lowPressureWarning).toBe(true);
    expect(t.FL.lowPressureWarning).toBe(false);
  });

  it('pressure rises as the tyres warm up at speed (gas law)', () => {
    const v = testVehicle();
    v.state.environment.outsideTempC = 20;
    run(v, 1, PARK);
    const cold = v.state.tpms.tyres.FL.pressureKpa;
    v.state.powertrain.speedKmh = 120;
    v.state.powertrain.selector = 'D';
    for (let i = 0; i < 120; i++) run(v, 10, { throttle: 0.3 }, { dt: 0.05 });
    const tyre = v.state.tpms.tyres.FL;
    expect(tyre.temperatureC).toBeGreaterThan(30);
    expect(tyre.pressureKpa).toBeCloseTo((240 * (tyre.temperatureC + 273.15)) / 293.15, 6);
    expect(tyre.pressureKpa).toBeGreaterThan(cold + 5);
  });

  it('sends one multiplexed TPMS_Status frame per wheel each cycle', () => {
    const v = testVehicle();
    v.state.tpms.tyres.RR.coldPressureKpa = 200;
    run(v, 1, PARK);
    const frames = decodeAll(v, v.due(1, 0), 'TPMS_Status');
    expect(frames.map((f) => f.TPMS_WheelIndex)).toEqual([0, 1, 2, 3]);
    expect(frames[3]!.TPMS_Pressure_RR).toBeCloseTo(v.state.tpms.tyres.RR.pressureKpa, -1);
    expect(frames[0]!.TPMS_Pressure_RR).toBeUndefined();
  });
});
