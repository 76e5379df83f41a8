import { describe, expect, it } from 'vitest';
import { createDbcCodec, decodeFrameBatch, encodeFrameBatch, loadDefaultVehicle, type CanFrame } from '@auriga/common';
import { Ingest } from './ingest.js';
import { VehicleState, type SignalChange } from './state.js';

function setup(start = 1_000_000) {
  const { dbc, catalog, mapping } = loadDefaultVehicle();
  const codec = createDbcCodec(dbc);
  const state = new VehicleState(catalog.signals);
  let now = start;
  const ingest = new Ingest({ codec, mapping, state, staleFactor: 3, now: () => now });
  const changes: SignalChange[] = [];
  state.on('change', (c) => changes.push(c));
  return { codec, state, ingest, changes, advance: (ms: number) => (now += ms), now: () => now };
}

const frame = (id: number, bytes: number[]): CanFrame => ({ timestamp: 0, id, extended: false, data: Uint8Array.from(bytes) });

describe('Ingest', () => {
  it('decodes a hand-built frame into the mapped VSS values', () => {
    const { state, ingest } = setup();
    // ESP_Status (0x220): ESP_VehicleSpeed = raw 0x222E = 8750 x 0.01 = 87.5 km/h (little endian);
    // byte 3 bit 5 (bit 29) = ESP_VehicleStandstill = 0 -> Vehicle.IsMoving true.
    ingest.applyFrame(frame(0x220, [0x2e, 0x22, 0x00, 0x00]));
    expect(state.get('Vehicle.Speed')).toMatchObject({ value: 87.5, stale: false, timestamp: 1_000_000 });
    expect(state.get('Vehicle.IsMoving')).toMatchObject({ value: true, stale: false });
    // Standstill bit set -> IsMoving false.
    ingest.applyFrame(frame(0x220, [0x00, 0x00, 0x00, 0x20]));
    expect(state.get('Vehicle.Speed')?.value).toBe(0);
    expect(state.get('Vehicle.IsMoving')?.value).toBe(false);
    expect(ingest.framesIngested).toBe(2);
  });

  it('applies only the entries fed by the message', () => {
    const { codec, ingest, changes } = setup();
    ingest.applyFrame(codec.encodeFrame('HVAC_Status', { HVAC_TempSetDriver: 21.5, HVAC_TempSetPassenger: 23 }));
    const paths = new Set(changes.map((c) => c.path));
    expect(paths.has('Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature')).toBe(true);
    expect(paths.has('Vehicle.Speed')).toBe(false);
    for (const p of paths) expect(p.startsWith('Vehicle.Cabin.HVAC')).toBe(true);
    expect(changes.find((c) => c.path === 'Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature')?.value).toBe(21.5);
  });

  it('walks an MQTT frame batch in place', () => {
    const { codec, state, ingest } = setup();
    const batch = encodeFrameBatch([
      codec.encodeFrame('ESP_Status', { ESP_VehicleSpeed: 12.34 }),
      frame(0x7ff, [1, 2, 3]),
      codec.encodeFrame('HVAC_CabinClimate', { HVAC_CabinTemp: -3.5, HVAC_CabinHumidity: 40 }),
    ]);
    expect(ingest.applyBatch(batch)).toBe(3);
    expect(state.get('Vehicle.Speed')?.value).toBeCloseTo(12.34, 6);
    expect(state.get('Vehicle.Cabin.HVAC.AmbientAirTemperature')?.value).toBeCloseTo(-3.5, 6);
    expect(ingest.unknownFrames).toBe(1);
    expect(ingest.decodeErrors).toBe(0);
    // Same frames as the reference decoder sees them.
    expect(decodeFrameBatch(batch).map((f) => f.id)).toEqual([0x220, 0x7ff, codec.messageByName('HVAC_CabinClimate')!.id]);
  });

  it('handles extended ids and empty frames in a batch', () => {
    const { ingest } = setup();
    const batch = encodeFrameBatch([
      { timestamp: 1, id: 0x220, extended: true, data: new Uint8Array(4) },
      { timestamp: 1, id: 0x100, extended: false, data: new Uint8Array(0) },
    ]);
    expect(ingest.applyBatch(batch)).toBe(2);
    // 0x220 extended is not ESP_Status (standard 0x220).
    expect(ingest.unknownFrames).toBe(2);
  });

  it('counts malformed batches instead of throwing', () => {
    const { ingest } = setup();
    expect(ingest.applyBatch(Buffer.from([2, 0, 0]))).toBe(0);
    expect(ingest.applyBatch(Buffer.from([1, 0, 0, 0]))).toBe(0);
    expect(ingest.decodeErrors).toBe(2);
  });

  it('selects multiplexed signals by the multiplexer value', () => {
    const { codec, state, ingest } = setup();
    ingest.applyFrame(codec.encodeFrame('TPMS_Status', { TPMS_WheelIndex: 2, TPMS_Pressure_RL: 230 }));
    expect(state.get('Vehicle.Chassis.Axle.Row2.Wheel.Left.Tire.Pressure')).toMatchObject({ value: 230, stale: false });
    expect(state.get('Vehicle.Chassis.Axle.Row1.Wheel.Left.Tire.Pressure')).toMatchObject({ value: undefined, stale: true });
  });

  it('marks signals stale after 3 missed cycles and fresh on the next frame', () => {
    const { codec, state, ingest, advance } = setup();
    const speed = () => state.get('Vehicle.Speed')!;
    ingest.applyFrame(codec.encodeFrame('ESP_Status', { ESP_VehicleSpeed: 50 })); // 20 ms cycle -> stale after 60 ms
    ingest.applyFrame(codec.encodeFrame('HVAC_Status', { HVAC_TempSetDriver: 21 })); // 200 ms cycle
    advance(60);
    ingest.checkStaleness();
    expect(speed().stale).toBe(false);
    advance(1);
    ingest.checkStaleness();
    expect(speed()).toMatchObject({ stale: true, value: 50 });
    expect(ingest.isMessageStale('ESP_Status')).toBe(true);
    expect(state.get('Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature')?.stale).toBe(false);
    ingest.applyFrame(codec.encodeFrame('ESP_Status', { ESP_VehicleSpeed: 50 }));
    expect(speed().stale).toBe(false);
    expect(ingest.isMessageStale('ESP_Status')).toBe(false);
  });

  it('never times out event messages, but marks everything stale on demand', () => {
    const { codec, state, ingest, advance } = setup();
    let acks = 0;
    ingest.onMessage(codec.messageByName('ECU_ActuationAck')!, () => acks++);
    ingest.applyFrame(codec.encodeFrame('ECU_ActuationAck', { Ack_RequestId: 1410, Ack_Counter: 3, Ack_Result: 0 }));
    expect(acks).toBe(1);
    advance(3_600_000);
    ingest.checkStaleness();
    expect(ingest.isMessageStale('ECU_ActuationAck')).toBe(false);
    ingest.applyFrame(codec.encodeFrame('ESP_Status', { ESP_VehicleSpeed: 10 }));
    ingest.markAllStale();
    expect(state.get('Vehicle.Speed')?.stale).toBe(true);
    expect(ingest.isMessageStale('ECU_ActuationAck')).toBe(true);
  });

  it('turns a "not available" value stale and keeps the last good one', () => {
    const { codec, state, ingest } = setup();
    // TCM_GearLever 15 maps to null (SNA) in the mapping.
    ingest.applyFrame(codec.encodeFrame('TCM_GearStatus', { TCM_GearLever: 3 }));
    expect(state.get('Vehicle.Powertrain.Transmission.SelectedGear')).toMatchObject({ value: 127, stale: false });
    ingest.applyFrame(codec.encodeFrame('TCM_GearStatus', { TCM_GearLever: 15 }));
    expect(state.get('Vehicle.Powertrain.Transmission.SelectedGear')).toMatchObject({ value: 127, stale: true });
  });

  it('passes the message listeners the decoded values', () => {
    const { codec, ingest } = setup();
    const seen: Array<Record<string, number>> = [];
    const stop = ingest.onMessage(codec.messageByName('ECU_ActuationAck')!, (v) => seen.push(v));
    ingest.applyFrame(codec.encodeFrame('ECU_ActuationAck', { Ack_RequestId: 1408, Ack_Counter: 15, Ack_Result: 2 }));
    stop();
    ingest.applyFrame(codec.encodeFrame('ECU_ActuationAck', { Ack_RequestId: 1408, Ack_Counter: 1, Ack_Result: 0 }));
    expect(seen).toEqual([{ Ack_RequestId: 1408, Ack_Counter: 15, Ack_Result: 2 }]);
  });
});
