import { describe, expect, it } from 'vitest';
import { PARK, decodeAll, requestFrame, run, testVehicle } from '../vehicle/test-support.js';

function cabin(options: { cabin: number; outside: number; setpoint: number; fan: number; ac: boolean; ignition?: 'on' | 'off' }) {
  const v = testVehicle();
  const h = v.state.hvac;
  h.cabinTempC = options.cabin;
  v.state.environment.outsideTempC = options.outside;
  h.driver.setpointC = h.passenger.setpointC = options.setpoint;
  h.driver.fanPct = h.passenger.fanPct = options.fan;
  h.acOn = options.ac;
  return { v, step: (s: number) => run(v, s, { ...PARK, ignition: options.ignition ?? 'on' }, { dt: 0.1 }) };
}

describe('HVAC', () => {
  it('brings the cabin to the set point with a first-order lag', () => {
    const { v, step } = cabin({ cabin: 32, outside: 30, setpoint: 21, fan: 100, ac: true });
    step(60);
    const after1 = v.state.hvac.cabinTempC;
    expect(after1).toBeLessThan(32);
    expect(after1).toBeGreaterThan(21);
    step(900);
    expect(v.state.hvac.cabinTempC).toBeCloseTo(21, 1);
    // And stays there (no overshoot).
    step(300);
    expect(v.state.hvac.cabinTempC).toBeCloseTo(21, 1);
    expect(v.state.hvac.cabinTempC).toBeGreaterThanOrEqual(20.9);
  });

  it('heats a cold cabin, faster with more fan', () => {
    const gap = (fan: number) => {
      const { v, step } = cabin({ cabin: 5, outside: 2, setpoint: 22, fan, ac: false });
      step(180);
      return 22 - v.state.hvac.cabinTempC;
    };
    const slow = gap(20);
    const fast = gap(100);
    expect(fast).toBeLessThan(slow);
    expect(fast).toBeGreaterThanOrEqual(0);
  });

  it('without AC cannot cool below the outside air', () => {
    const { v, step } = cabin({ cabin: 35, outside: 28, setpoint: 20, fan: 100, ac: false });
    step(1800);
    expect(v.state.hvac.cabinTempC).toBeGreaterThan(27.5);
    expect(v.state.hvac.cabinTempC).toBeLessThan(29);
  });

  it('with the ignition off drifts slowly toward the outside temperature', () => {
    const { v, step } = cabin({ cabin: 22, outside: 5, setpoint: 22, fan: 100, ac: false, ignition: 'off' });
    step(600);
    const t = v.state.hvac.cabinTempC;
    expect(t).toBeLessThan(22);
    expect(t).toBeGreaterThan(5);
    // Time constant ~25 min with everything closed: after 10 min about a third of the way.
    expect(22 - t).toBeGreaterThan(3);
    expect(22 - t).toBeLessThan(9);
  });

  it('accepts set-point requests (acked) and reports them in HVAC_Status; "no request" leaves the rest alone', () => {
    const v = testVehicle();
    v.state.hvac.driver.fanPct = 30;
    const record = v.handleRequestFrame(requestFrame(v, 'HU_HVAC_Request', { HVACReq_TempDriver: 23.5, HVACReq_Counter: 5 }), 0, 0)!;
    expect(record.outcome.result).toBe('Accepted');
    expect(record.counter).toBe(5);
    expect(record.node).toBe('HVAC');
    run(v, 0.2, PARK);
    const status = decodeAll(v, [...v.due(1, 0), ...v.due(1.2, 0)], 'HVAC_Status')[0]!;
    expect(status.HVAC_TempSetDriver).toBe(23.5);
    expect(status.HVAC_TempSetPassenger).toBe(21);
    expect(status.HVAC_FanSpeedDriver).toBe(30);
  });

  it('rejects out-of-range and undefined values and changes nothing', () => {
    const v = testVehicle();
    const hot = v.handleRequestFrame(requestFrame(v, 'HU_HVAC_Request', { HVACReq_TempDriver: 40 }), 0, 0)!;
    expect(hot.outcome.result).toBe('RejectedRange');
    const ac = v.handleRequestFrame(requestFrame(v, 'HU_HVAC_Request', { HVACReq_AC: 2 }), 0, 0)!;
    expect(ac.outcome.result).toBe('RejectedRange');
    // Atomic: a bad signal next to a good one rejects the whole request.
    const mixed = v.handleRequestFrame(requestFrame(v, 'HU_HVAC_Request', { HVACReq_AC: 1, HVACReq_TempPassenger: 12 }), 0, 0)!;
    expect(mixed.outcome.result).toBe('RejectedRange');
    expect(v.state.hvac.driver.setpointC).toBe(21);
    expect(v.state.hvac.acOn).toBe(false);
  });
});
