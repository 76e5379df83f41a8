import { describe, expect, it } from 'vitest';
import { LOCK_DELAY_S, TRUNK_CLOSE_S, WINDOW_RATE_PCT_PER_S } from './body.js';
import { PARK, decodeAll, requestFrame, run, testVehicle } from '../vehicle/test-support.js';
import type { Vehicle } from '../vehicle/vehicle.js';

const request = (v: Vehicle, message: string, values: Record<string, number>) =>
  v.handleRequestFrame(requestFrame(v, message, values), v.state.simTime, 0)!.outcome;

describe('body (BCM)', () => {
  it('moves a window at ~25 %/s (4 s full travel) and stops exactly at the target', () => {
    const v = testVehicle();
    run(v, 0.5, PARK);
    expect(request(v, 'HU_Window_Request', { WinReq_Pos_FL: 100 }).result).toBe('Accepted');
    run(v, 2, PARK);
    expect(v.state.body.windows.FL.position).toBeCloseTo(2 * WINDOW_RATE_PCT_PER_S, 0);
    run(v, 2.5, PARK);
    expect(v.state.body.windows.FL.position).toBe(100);
    expect(request(v, 'HU_Window_Request', { WinReq_Pos_FL: 30 }).result).toBe('Accepted');
    const trace: number[] = [];
    run(v, 5, PARK, { onStep: () => trace.push(v.state.body.windows.FL.position) });
    expect(Math.min(...trace)).toBe(30); // never below the target
    expect(trace.at(-1)).toBe(30);
    // The other windows did not move (their signals held "no request").
    expect(v.state.body.windows.FR.position).toBe(0);
    const status = decodeAll(v, v.due(10, 0), 'BCM_WindowStatus')[0]!;
    expect(status.BCM_WindowPos_FL).toBe(30);
  });

  it('tilts and slides the sunroof (negative = tilt)', () => {
    const v = testVehicle();
    run(v, 0.5, PARK);
    expect(request(v, 'HU_Window_Request', { WinReq_SunroofPos: -100 }).result).toBe('Accepted');
    run(v, 7, PARK);
    expect(v.state.body.sunroof.position).toBe(-100);
    const status = decodeAll(v, v.due(10, 0), 'BCM_WindowStatus')[0]!;
    expect(status.BCM_SunroofPos).toBe(-100);
  });

  it('refuses windows with the ignition off', () => {
    const v = testVehicle();
    run(v, 0.5, { ...PARK, ignition: 'off' });
    const outcome = request(v, 'HU_Window_Request', { WinReq_Pos_RR: 50 });
    expect(outcome.result).toBe('RejectedPolicy');
    expect(v.state.body.windows.RR.target).toBe(0);
  });

  it('locks a door after the actuator delay, refuses to lock an open door', () => {
    const v = testVehicle();
    run(v, 0.5, PARK);
    expect(request(v, 'HU_Body_Request', { BodyReq_DoorLock_FL: 1 }).result).toBe('Accepted');
    expect(v.state.body.doorsLocked.FL).toBe(false);
    run(v, LOCK_DELAY_S + 0.05, PARK);
    expect(v.state.body.doorsLocked.FL).toBe(true);
    v.state.body.doorsOpen.RR = true;
    expect(request(v, 'HU_Body_Request', { BodyReq_DoorLock_RR: 1 }).result).toBe('RejectedPolicy');
  });

  it('refuses to open the trunk above 5 km/h, opens it at a standstill, busy while the lid moves', () => {
    const v = testVehicle();
    v.state.powertrain.speedKmh = 30;
    v.state.powertrain.selector = 'D';
    run(v, 0.1, { throttle: 0.1 });
    const moving = request(v, 'HU_Body_Request', { BodyReq_TrunkOpen: 1 });
    expect(moving.result).toBe('RejectedPolicy');
    expect(moving.reason).toMatch(/km\/h/);
    run(v, 20, { brake: 0.5 });
    expect(v.state.powertrain.speedKmh).toBe(0);
    v.state.body.trunkLocked = true;
    expect(request(v, 'HU_Body_Request', { BodyReq_TrunkOpen: 1 }).result).toBe('Accepted');
    run(v, 1, PARK);
    expect(v.state.body.trunkOpen).toBe(true);
    expect(v.state.body.trunkLocked).toBe(false); // popped like the key fob does
    expect(request(v, 'HU_Body_Request', { BodyReq_TrunkOpen: 0 }).result).toBe('Accepted');
    expect(request(v, 'HU_Body_Request', { BodyReq_TrunkOpen: 1 }).result).toBe('RejectedBusy');
    run(v, TRUNK_CLOSE_S + 0.1, PARK);
    expect(v.state.body.trunkOpen).toBe(false);
  });

  it('switches lights and wipers on request and reports them', () => {
    const v = testVehicle();
    expect(request(v, 'HU_Lights_Request', { LightReq_LowBeam: 1, LightReq_Counter: 3 }).result).toBe('Accepted');
    expect(request(v, 'HU_Wiper_Request', { WiperReq_Mode: 4 }).result).toBe('Accepted');
    expect(request(v, 'HU_Wiper_Request', { WiperReq_Mode: 6 }).result).toBe('RejectedRange');
    run(v, 0.1, PARK);
    const frames = v.due(1, 0);
    expect(decodeAll(v, frames, 'BCM_LightStatus')[0]).toMatchObject({ BCM_LowBeamOn: 1, BCM_ParkingLightsOn: 1, BCM_FogFrontOn: 0 });
    expect(decodeAll(v, frames, 'BCM_WiperStatus')[0]).toMatchObject({ BCM_WiperMode: 4 });
  });

  it('reports the ignition state and battery in BCM_PowerMode', () => {
    const v = testVehicle();
    run(v, 5, PARK);
    const pm = decodeAll(v, v.due(5, 0), 'BCM_PowerMode')[0]!;
    expect(pm.BCM_IgnitionState).toBe(3); // ON
    expect(pm.BCM_BatteryVoltage).toBeGreaterThan(13.5);
  });
});
