import { describe, expect, it } from 'vitest';
import { curvatureFor, G } from './physics.js';
import { decodeAll, run, testVehicle } from '../vehicle/test-support.js';

function atSpeed(kmh: number, wet = false) {
  const v = testVehicle();
  v.state.powertrain.speedKmh = kmh;
  v.state.powertrain.selector = 'D';
  v.state.environment.roadWet = wet;
  return v;
}

describe('chassis (ESP/EPS)', () => {
  it('derives lateral acceleration and yaw rate from speed and steering (v^2 * curvature)', () => {
    const v = atSpeed(50);
    const holdSpeed = { throttle: 0.12 };
    run(v, 3, { ...holdSpeed, steeringAngleDeg: 45 });
    const c = v.state.chassis;
    const speed = v.state.powertrain.speedKmh / 3.6;
    const k = curvatureFor(45);
    expect(c.lateralAccelMs2).toBeCloseTo(speed * speed * k, 1);
    expect(c.yawRateDegS).toBeCloseTo((speed * k * 180) / Math.PI, 0);
    expect(c.lateralAccelMs2).toBeGreaterThan(0); // positive angle = left
    // Outer (right) wheels turn faster in a left bend.
    expect(c.wheelSpeedsKmh.FR).toBeGreaterThan(c.wheelSpeedsKmh.FL);
    expect((c.wheelSpeedsKmh.FL + c.wheelSpeedsKmh.FR) / 2).toBeCloseTo(v.state.powertrain.speedKmh, 1);
    expect(c.escActive).toBe(false);
  });

  it('reports longitudinal acceleration from the speed change', () => {
    const v = atSpeed(80);
    run(v, 1, { brake: 0.4 });
    expect(v.state.chassis.longitudinalAccelMs2).toBeLessThan(-3);
    expect(v.state.chassis.brakePedalPct).toBeCloseTo(40, 6);
  });

  it('flags ABS under harsh braking at speed but not under gentle braking, and the wheels slip', () => {
    const gentle = atSpeed(100);
    let absGentle = false;
    run(gentle, 3, { brake: 0.3 }, { onStep: () => (absGentle ||= gentle.state.chassis.absActive) });
    expect(absGentle).toBe(false);

    const harsh = atSpeed(100);
    run(harsh, 0.5, { brake: 1 });
    const c = harsh.state.chassis;
    expect(c.absActive).toBe(true);
    expect(Math.min(...Object.values(c.wheelSpeedsKmh))).toBeLessThan(harsh.state.powertrain.speedKmh * 0.97);
    // Deceleration stays near the grip limit (plus drag), not the brakes' 10 m/s^2.
    expect(-c.longitudinalAccelMs2).toBeGreaterThan(0.9 * G - 0.5);
    expect(-c.longitudinalAccelMs2).toBeLessThan(0.9 * G + 0.8);
    run(harsh, 10, { brake: 1 });
    expect(harsh.state.chassis.absActive).toBe(false); // stopped
  });

  it('stops later on a wet road', () => {
    const distance = (wet: boolean) => {
      const v = atSpeed(90, wet);
      const odo = v.state.powertrain.odometerKm;
      run(v, 15, { brake: 1 });
      return v.state.powertrain.odometerKm - odo;
    };
    expect(distance(true)).toBeGreaterThan(distance(false) * 1.4);
  });

  it('flags ESC when the bend asks for more grip than the tyres have', () => {
    const v = atSpeed(100);
    run(v, 2, { throttle: 0.3, steeringAngleDeg: 200 });
    expect(v.state.chassis.escActive).toBe(true);
    expect(Math.abs(v.state.chassis.lateralAccelMs2)).toBeLessThanOrEqual(0.9 * G);
  });

  it('sends ESP_Status with speed, standstill and brake light', () => {
    const v = atSpeed(0);
    run(v, 1, { selector: 'P', parkingBrake: true, brake: 0.2 });
    const status = decodeAll(v, v.due(1, 0), 'ESP_Status')[0]!;
    expect(status.ESP_VehicleSpeed).toBe(0);
    expect(status.ESP_VehicleStandstill).toBe(1);
    expect(status.ESP_BrakeLightOn).toBe(1);
    expect(status.ESP_ParkingBrake).toBe(1);
  });
});
