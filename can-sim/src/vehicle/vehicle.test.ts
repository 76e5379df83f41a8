import { describe, expect, it } from 'vitest';
import { parseDbc } from '@auriga/common';
import { loadSimDbc } from './dbc.js';
import { PARK, decodeAll, requestFrame, run, testVehicle } from './test-support.js';
import { Vehicle } from './vehicle.js';

describe('Vehicle', () => {
  it('transmits every status message at its GenMsgCycleTime', () => {
    const v = testVehicle();
    const counts = new Map<string, number>();
    for (let i = 1; i <= 1000; i++) {
      const t = i / 100;
      run(v, 0.01, PARK);
      for (const o of v.due(t, t)) counts.set(o.message.name, (counts.get(o.message.name) ?? 0) + 1);
    }
    const sent = v.transmittedMessages;
    expect(sent.length).toBeGreaterThanOrEqual(22);
    for (const m of sent) {
      const perCycle = m.name === 'TPMS_Status' ? 4 : 1;
      // 10 s of simulated time.
      expect(counts.get(m.name), m.name).toBe((10_000 / m.cycleTimeMs!) * perCycle);
    }
    expect(counts.get('ECM_EngineData')).toBe(1000);
    expect(counts.get('ESP_Status')).toBe(500);
  });

  it('answers a request with ECU_ActuationAck carrying the request id, counter and result', () => {
    const v = testVehicle();
    const frame = requestFrame(v, 'HU_Lights_Request', { LightReq_Dome: 1, LightReq_Counter: 9 });
    const record = v.handleRequestFrame(frame, 1.5, 1001.5)!;
    expect(record).toMatchObject({ message: 'HU_Lights_Request', id: 1411, counter: 9, node: 'BCM', answered: true });
    const ack = v.ackFrame(record, 1001.5);
    expect(ack.node).toBe('BCM');
    expect(ack.frame.timestamp).toBe(1001.5);
    expect(decodeAll(v, [ack], 'ECU_ActuationAck')[0]).toEqual({ Ack_RequestId: 1411, Ack_Counter: 9, Ack_Result: 0 });
    expect(v.state.body.domeLight).toBe(true);
  });

  it('acks RejectedFault when the owning ECU is fault-injected and does not act', () => {
    const v = testVehicle();
    const frame = requestFrame(v, 'HU_Seat_Request', { SeatReq_HeatDriver: 50, SeatReq_Counter: 2 });
    const record = v.handleRequestFrame(frame, 0, 0, { reject: (node) => node === 'SCM' })!;
    expect(record.outcome.result).toBe('RejectedFault');
    expect(decodeAll(v, [v.ackFrame(record, 0)], 'ECU_ActuationAck')[0]!.Ack_Result).toBe(3);
    expect(v.state.seats.heatDriverPct).toBe(0);
  });

  it('ignores frames that are not requests it serves, and rejects truncated requests', () => {
    const v = testVehicle();
    expect(v.handleRequestFrame({ timestamp: 0, id: 0x7ff, extended: false, data: new Uint8Array(8) }, 0, 0)).toBeUndefined();
    const status = v.codec.encodeFrame('ESP_Status', {}, 0);
    expect(v.handleRequestFrame(status, 0, 0)).toBeUndefined();
    const short = { timestamp: 0, id: 1413, extended: false, data: new Uint8Array([50]) };
    expect(v.handleRequestFrame(short, 0, 0)!.outcome.result).toBe('RejectedRange');
  });

  it('clamps physics that overshoots a signal range instead of failing to encode', () => {
    const v = testVehicle();
    v.state.environment.outsideTempC = -70;
    const ext = decodeAll(v, v.due(10, 0), 'BCM_ExteriorClimate')[0]!;
    expect(ext.BCM_OutsideTemp).toBe(-50);
  });

  it('lists the DBC nodes it simulates', () => {
    expect(testVehicle().nodes).toEqual(['ACU', 'ADAS', 'BCM', 'ECM', 'EPS', 'ESP', 'HVAC', 'IC', 'INFO', 'SCM', 'TCM', 'TPMS']);
  });

  it('fails with a clear error when the DBC lacks a message the ECUs need', () => {
    const dbc = loadSimDbc();
    const without = { ...dbc, messages: dbc.messages.filter((m) => m.name !== 'HVAC_Status') };
    expect(() => new Vehicle({ dbc: without })).toThrow(/AURIGA_ERR_SIM_DBC_MISMATCH|HVAC_Status/);
    try {
      new Vehicle({ dbc: parseDbc('VERSION ""\nBU_: A\n') });
    } catch (err) {
      expect((err as { code: string }).code).toBe('AURIGA_ERR_SIM_DBC_MISMATCH');
    }
  });
});
