import { describe, expect, it } from 'vitest';
import { createDbcCodec, type CanFrame } from '@auriga/common';
import { FakeTimers } from './clock/fake-timers.js';
import { CarSimulator } from './sim.js';
import { loadSimDbc } from './vehicle/dbc.js';

const codec = createDbcCodec(loadSimDbc());

function collect(sim: CarSimulator): CanFrame[] {
  const frames: CanFrame[] = [];
  sim.on('frames', (batch) => frames.push(...batch));
  return frames;
}

describe('CarSimulator', () => {
  it('emits frames stamped epoch + simulated time, at the DBC cycle rates', async () => {
    const sim = new CarSimulator({ scenario: 'parked', epoch: 1_000 });
    const frames = collect(sim);
    sim.advance(2);
    const esp = frames.filter((f) => f.id === 544);
    expect(esp).toHaveLength(100);
    expect(esp[1]!.timestamp - esp[0]!.timestamp).toBeCloseTo(0.02, 9);
    expect(esp[0]!.timestamp).toBeGreaterThan(1_000);
    expect(esp.at(-1)!.timestamp).toBeLessThanOrEqual(1_002);
    await sim.stop();
  });

  it('answers requests received on the bus with an ack and a status change', async () => {
    const sim = new CarSimulator({ scenario: 'parked', epoch: 0 });
    const frames = collect(sim);
    const requests: string[] = [];
    sim.on('request', (r) => requests.push(`${r.message}:${r.outcome.result}`));
    sim.advance(1);
    sim.receive([codec.encodeFrame('HU_HVAC_Request', { HVACReq_TempPassenger: 19, HVACReq_Counter: 7 }, 0)]);
    sim.advance(0.5);
    expect(requests).toEqual(['HU_HVAC_Request:Accepted']);
    const ack = frames.map((f) => codec.decodeFrame(f)!).find((d) => d.message.name === 'ECU_ActuationAck')!;
    expect(ack.signals).toEqual({ Ack_RequestId: 1408, Ack_Counter: 7, Ack_Result: 0 });
    const last = frames.map((f) => codec.decodeFrame(f)!).filter((d) => d.message.name === 'HVAC_Status').at(-1)!;
    expect(last.signals.HVAC_TempSetPassenger).toBe(19);
    await sim.stop();
  });

  it('set speed holds the car at that speed; trunk opening is then refused', async () => {
    const sim = new CarSimulator({ scenario: 'parked' });
    const results: string[] = [];
    sim.on('request', (r) => results.push(r.outcome.result));
    expect(sim.control({ cmd: 'set', speedKmh: 50 })).toEqual({ ok: true });
    sim.advance(10);
    expect(sim.state.powertrain.speedKmh).toBeGreaterThan(48);
    expect(sim.state.powertrain.speedKmh).toBeLessThan(52);
    expect(sim.status().driver).toBe('manual');
    expect(sim.groundTruthLabel()).toBe('city');
    sim.receive([codec.encodeFrame('HU_Body_Request', { BodyReq_TrunkOpen: 1 }, 0)]);
    sim.advance(0.1);
    expect(results).toEqual(['RejectedPolicy']);
    sim.control({ cmd: 'set', speedKmh: 0 });
    sim.advance(15);
    expect(sim.state.powertrain.speedKmh).toBe(0);
    expect(sim.state.powertrain.selector).toBe('P');
    sim.receive([codec.encodeFrame('HU_Body_Request', { BodyReq_TrunkOpen: 1 }, 0)]);
    sim.advance(1);
    expect(results).toEqual(['RejectedPolicy', 'Accepted']);
    expect(sim.state.body.trunkOpen).toBe(true);
    await sim.stop();
  });

  it('applies control commands and reports them in the status; bad ones do not throw', async () => {
    const sim = new CarSimulator({ scenario: 'idle', seed: 3 });
    const warnings: Error[] = [];
    sim.on('warning', (e) => warnings.push(e));
    const added = sim.control('{"cmd":"fault","kind":"silent","ecu":"TPMS"}');
    expect(added.ok).toBe(true);
    expect(sim.status().faults).toMatchObject([{ kind: 'silent', ecu: 'TPMS', id: 'f1' }]);
    const bad = sim.control('{"cmd":"scenario","name":"mars"}');
    expect(bad.ok).toBe(false);
    expect(sim.status().lastControl).toMatchObject({ cmd: 'unknown', ok: false });
    expect(warnings).toHaveLength(1);
    sim.control({ cmd: 'scenario', name: 'highway' });
    expect(sim.status()).toMatchObject({ scenario: 'highway', seed: 3, driver: 'scenario', state: 'running' });
    sim.control({ cmd: 'clearFaults' });
    expect(sim.faults).toEqual([]);
    await sim.stop();
    expect(sim.status().state).toBe('stopped');
  });

  it('keeps the ground-truth label history', async () => {
    const sim = new CarSimulator({ scenario: 'highway', seed: 3, dt: 0.05 });
    const changes: string[] = [];
    sim.on('label', (l) => changes.push(l));
    sim.advance(300);
    const history = sim.labelHistory();
    expect(history[0]).toMatchObject({ from: 0, label: 'parked' });
    expect(changes).toContain('highway');
    expect(history.at(-1)!.to).toBeCloseTo(300, 6);
    expect(history.map((h) => h.label)).toEqual(['parked', ...changes]);
    await sim.stop();
  });

  it('runs on timers at the time scale, pauses and resumes; stop() is idempotent', async () => {
    const timers = new FakeTimers();
    const sim = new CarSimulator({ scenario: 'parked', timers, timeScale: 5, statusIntervalMs: 1000 });
    const statuses: string[] = [];
    sim.on('status', (s) => statuses.push(s.state));
    let batches = 0;
    sim.on('frames', () => batches++);
    sim.start();
    timers.tick(1000);
    expect(sim.simTime).toBeCloseTo(5, 1);
    expect(batches).toBeGreaterThan(50);
    sim.pause();
    timers.tick(1000);
    expect(sim.simTime).toBeCloseTo(5, 1);
    sim.resume();
    timers.tick(200);
    expect(sim.simTime).toBeCloseTo(6, 1);
    expect(statuses).toContain('paused');
    const stopped = sim.stop();
    expect(sim.stop()).toBe(stopped);
    await stopped;
    expect(timers.pendingCount).toBe(0);
    expect(() => sim.advance(1)).toThrow(/AURIGA_ERR_SIM_STOPPED|stopped/);
  });

  it('validates its options', () => {
    expect(() => new CarSimulator({ scenario: 'moon' })).toThrow(/unknown scenario "moon"/);
    expect(() => new CarSimulator({ timeScale: 0 })).toThrow(/timeScale/);
    expect(() => new CarSimulator({ seed: -1 })).toThrow(/seed/);
    expect(() => new CarSimulator({ faults: [{ kind: 'silent', ecu: 'FOO' }] })).toThrow(/ecu "FOO"/);
  });
});
