import { describe, expect, it } from 'vitest';
import type { CanFrame } from '@auriga/common';
import { Prng } from '../util/prng.js';
import { PARK, decodeAll, requestFrame, run, testVehicle } from '../vehicle/test-support.js';
import type { Vehicle } from '../vehicle/vehicle.js';
import { FaultLayer } from './faults.js';

function setup(seed = 1) {
  const v = testVehicle();
  const layer = new FaultLayer({ codec: v.codec, nodes: v.nodes, messages: v.transmittedMessages, rng: new Prng(seed) });
  return { v, layer };
}

/** Runs `seconds` of bus traffic through the fault layer; returns what reached the bus. */
function traffic(v: Vehicle, layer: FaultLayer, seconds: number): CanFrame[] {
  const out: CanFrame[] = [];
  const start = v.state.simTime;
  for (let i = 1; i <= Math.round(seconds * 100); i++) {
    const t = Math.round((start + i / 100) * 1000) / 1000;
    run(v, 0.01, PARK);
    out.push(...layer.process(v.due(t, 1000 + t), t));
  }
  return out;
}

const count = (v: Vehicle, frames: CanFrame[], name: string) => decodeAll(v, frames, name).length;

describe('FaultLayer', () => {
  it('passes everything through when no fault is active', () => {
    const { v, layer } = setup();
    const frames = traffic(v, layer, 1);
    expect(count(v, frames, 'ECM_EngineData')).toBe(100);
  });

  it('silences one ECU: none of its messages, the others unaffected', () => {
    const { v, layer } = setup();
    const fault = layer.add({ kind: 'silent', ecu: 'ecm' }, 0);
    expect(fault).toMatchObject({ kind: 'silent', ecu: 'ECM', id: 'f1' });
    const frames = traffic(v, layer, 1);
    expect(count(v, frames, 'ECM_EngineData')).toBe(0);
    expect(count(v, frames, 'ECM_FuelLevel')).toBe(0);
    expect(count(v, frames, 'TCM_GearStatus')).toBe(50);
    expect(layer.isSilent('ECM')).toBe(true);
    layer.remove(fault.id);
    expect(count(v, traffic(v, layer, 1), 'ECM_EngineData')).toBe(100);
  });

  it('drops frames with the given probability (seeded, reproducible)', () => {
    const dropped = (seed: number) => {
      const { v, layer } = setup(seed);
      layer.add({ kind: 'drop', probability: 0.3, message: 'ECM_EngineData' }, 0);
      const frames = traffic(v, layer, 10);
      expect(count(v, frames, 'ESP_Status')).toBe(500);
      return 1000 - count(v, frames, 'ECM_EngineData');
    };
    const a = dropped(7);
    expect(a).toBeGreaterThan(240);
    expect(a).toBeLessThan(360);
    expect(dropped(7)).toBe(a);
  });

  it('delays frames: they arrive later, stamped when they reach the bus', () => {
    const { v, layer } = setup();
    layer.add({ kind: 'delay', delayMs: 250, ecu: 'HVAC' }, 0);
    const first = traffic(v, layer, 0.2);
    expect(count(v, first, 'HVAC_Status')).toBe(0);
    const later = traffic(v, layer, 2);
    const hvac = later.filter((f) => f.id === 1280);
    expect(hvac.length).toBeGreaterThanOrEqual(9);
    // Still every 200 ms, just shifted.
    expect(hvac[1]!.timestamp - hvac[0]!.timestamp).toBeCloseTo(0.2, 6);
  });

  it('repeats a message N times back-to-back in a burst', () => {
    const { v, layer } = setup();
    layer.add({ kind: 'burst', message: 'BCM_DoorStatus', count: 5 }, 0);
    const frames = traffic(v, layer, 1);
    expect(count(v, frames, 'BCM_DoorStatus')).toBe(50);
    const idx = frames.findIndex((f) => f.id === 768);
    expect(frames.slice(idx, idx + 5).every((f) => f.id === 768)).toBe(true);
  });

  it('sends a signal out of range: raw all ones by default, or the given value', () => {
    const { v, layer } = setup();
    const f = layer.add({ kind: 'outOfRange', message: 'HVAC_Status', signal: 'HVAC_TempSetDriver' }, 0);
    let status = decodeAll(v, traffic(v, layer, 1), 'HVAC_Status');
    expect(status[0]!.HVAC_TempSetDriver).toBe(127.5); // raw 255 * 0.5, DBC range 15..30
    expect(status[0]!.HVAC_TempSetPassenger).toBe(21); // the rest of the frame intact
    layer.remove(f.id);
    layer.add({ kind: 'outOfRange', message: 'TPMS_Status', signal: 'TPMS_Pressure_RL', value: 0 }, 0);
    status = decodeAll(v, traffic(v, layer, 1), 'TPMS_Status');
    expect(status.find((s) => s.TPMS_WheelIndex === 2)!.TPMS_Pressure_RL).toBe(0);
    expect(status.find((s) => s.TPMS_WheelIndex === 0)!.TPMS_Pressure_FL).toBeGreaterThan(200);
  });

  it('rejects requests for an ECU with RejectedFault; a silent ECU does not answer', () => {
    const { v, layer } = setup();
    layer.add({ kind: 'reject', ecu: 'BCM' }, 0);
    const faults = { reject: (n: string) => layer.rejects(n), silent: (n: string) => layer.isSilent(n) };
    const lock = requestFrame(v, 'HU_Body_Request', { BodyReq_DoorLock_FL: 1 });
    expect(v.handleRequestFrame(lock, 0, 0, faults)!.outcome.result).toBe('RejectedFault');
    layer.clear();
    layer.add({ kind: 'silent', ecu: 'BCM' }, 0);
    const record = v.handleRequestFrame(lock, 0, 0, faults)!;
    expect(record.answered).toBe(false);
    run(v, 1, PARK);
    expect(v.state.body.doorsLocked.FL).toBe(false);
  });

  it('expires faults with a duration', () => {
    const { layer } = setup();
    layer.add({ kind: 'silent', ecu: 'ESP', durationS: 2 }, 10);
    expect(layer.expire(11.9)).toEqual([]);
    expect(layer.expire(12).map((f) => f.kind)).toEqual(['silent']);
    expect(layer.list()).toEqual([]);
  });

  it('validates faults with clear errors', () => {
    const { layer } = setup();
    const bad = (spec: unknown) => {
      try {
        layer.add(spec, 0);
      } catch (err) {
        expect((err as { code: string }).code).toBe('AURIGA_ERR_SIM_BAD_FAULT');
        return (err as Error).message;
      }
      throw new Error('accepted');
    };
    expect(bad({ kind: 'explode' })).toMatch(/kind "explode" is not one of silent/);
    expect(bad({ kind: 'silent', ecu: 'XYZ' })).toMatch(/ecu "XYZ" is not one of .*BCM/);
    expect(bad({ kind: 'drop', probability: 2 })).toMatch(/probability/);
    expect(bad({ kind: 'burst', message: 'Nope', count: 3 })).toMatch(/message "Nope"/);
    expect(bad({ kind: 'burst', message: 'ESP_Status', count: 1 })).toMatch(/count/);
    expect(bad({ kind: 'outOfRange', message: 'ESP_Status', signal: 'ESP_VehicleSpeed', value: 1e9 })).toMatch(/does not fit/);
    expect(bad({ kind: 'silent', ecu: 'BCM', color: 'red' })).toMatch(/unknown field "color"/);
    expect(bad('silent')).toMatch(/expected an object/);
  });
});
