import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { signalLayout, type BitField } from '../dbc/layout.js';
import { createDbcCodec } from '../dbc/dbc-codec.js';
import type { DbcMessage, DbcSignal } from '../dbc/types.js';
import { isIntegerType, isNumericType } from '../catalog/catalog.js';
import type { SignalValue } from '../catalog/types.js';
import { compileMapping } from './compile.js';
import { loadDefaultVehicle, DEFAULT_MAPPING_PATH } from '../vehicle.js';

const vehicle = loadDefaultVehicle();
const { dbc, catalog, mapping } = vehicle;
const codec = createDbcCodec(dbc);
const requestMessages = dbc.messages.filter((m) => m.sender === 'HU');

/** Payload bit positions (8 * byte + bit) a signal occupies. */
function bitsOf(signal: DbcSignal, message: DbcMessage): number[] {
  const layout = signalLayout(signal, message.length);
  if ('problem' in layout) throw new Error(`${message.name}.${signal.name}: ${layout.problem}`);
  const positions: number[] = [];
  const add = (field: BitField) => {
    for (let k = 0; k < field.length; k++) {
      const p = field.shift + k;
      positions.push(field.bytes[p >> 3]! * 8 + (p & 7));
    }
  };
  add(layout.low);
  if (layout.high) add(layout.high);
  return positions;
}

/** Sets of signals that can be in one frame: the plain ones plus those of one multiplexer value. */
function coexistingSets(message: DbcMessage): DbcSignal[][] {
  const plain = message.signals.filter((s) => s.multiplexValue === undefined);
  const muxValues = [...new Set(message.signals.flatMap((s) => (s.multiplexValue === undefined ? [] : [s.multiplexValue])))];
  if (muxValues.length === 0) return [plain];
  return muxValues.map((v) => [...plain, ...message.signals.filter((s) => s.multiplexValue === v)]);
}

function overlaps(message: DbcMessage): string[] {
  const problems: string[] = [];
  for (const set of coexistingSets(message)) {
    const owner = new Map<number, string>();
    for (const signal of set) {
      for (const bit of bitsOf(signal, message)) {
        const other = owner.get(bit);
        if (other !== undefined && other !== signal.name) problems.push(`${message.name}: ${signal.name} and ${other} share bit ${bit}`);
        owner.set(bit, signal.name);
      }
    }
  }
  return problems;
}

describe('the default vehicle DBC', () => {
  it('loads without warnings, with at least 25 messages on 11-bit ids', () => {
    expect(dbc.warnings).toEqual([]);
    expect(dbc.messages.length).toBeGreaterThanOrEqual(25);
    for (const m of dbc.messages) {
      expect(m.extended, m.name).toBe(false);
      expect(m.id, m.name).toBeLessThan(0x800);
      expect(m.signals.every((s) => s.unusable === undefined), m.name).toBe(true);
      expect(dbc.nodes, m.name).toContain(m.sender);
    }
    expect(new Set(dbc.messages.map((m) => m.id)).size).toBe(dbc.messages.length);
    expect(dbc.nodes).toEqual(expect.arrayContaining(['ECM', 'TCM', 'ESP', 'EPS', 'BCM', 'HVAC', 'TPMS', 'ADAS', 'IC', 'INFO', 'HU']));
  });

  it('gives every status message a cycle time that suits its id range', () => {
    const band = (id: number): [number, number] =>
      id < 0x200 ? [10, 100] : id < 0x300 ? [10, 20] : id < 0x500 ? [100, 100] : id < 0x600 ? [200, 500] : [1000, 1000];
    for (const m of dbc.messages) {
      if (m.sender === 'HU' || m.name === 'ECU_ActuationAck') {
        expect(m.cycleTimeMs, `${m.name} is event-driven`).toBeUndefined();
        continue;
      }
      const [lo, hi] = band(m.id);
      expect(m.cycleTimeMs, m.name).toBeGreaterThanOrEqual(lo);
      expect(m.cycleTimeMs, m.name).toBeLessThanOrEqual(hi);
    }
  });

  it('uses both byte orders, signed values, scaling, enumerations and multiplexing', () => {
    const signals = dbc.messages.flatMap((m) => m.signals);
    expect(signals.some((s) => s.byteOrder === 'big_endian')).toBe(true);
    expect(signals.some((s) => s.byteOrder === 'little_endian')).toBe(true);
    expect(signals.some((s) => s.signed)).toBe(true);
    expect(signals.some((s) => s.factor !== 1)).toBe(true);
    expect(signals.some((s) => s.offset !== 0)).toBe(true);
    expect(signals.some((s) => (s.choices?.size ?? 0) > 2)).toBe(true);
    const tpms = codec.messageByName('TPMS_Status')!;
    expect(tpms.multiplexer?.name).toBe('TPMS_WheelIndex');
    for (const [v, wheel] of ['FL', 'FR', 'RL', 'RR'].entries()) {
      expect(tpms.signals.filter((s) => s.multiplexValue === v).map((s) => s.name))
        .toEqual([`TPMS_Pressure_${wheel}`, `TPMS_Temp_${wheel}`, `TPMS_LowPressure_${wheel}`]);
    }
  });

  it('has no overlapping bits among signals that can be in the same frame', () => {
    expect(dbc.messages.flatMap(overlaps)).toEqual([]);
  });

  it('the overlap check finds a real overlap', () => {
    const message: DbcMessage = {
      ...codec.messageByName('BCM_WindowStatus')!,
      signals: [...codec.messageByName('BCM_WindowStatus')!.signals, { ...codec.messageByName('BCM_WindowStatus')!.signals[0]!, name: 'Clash', startBit: 4 }],
    };
    expect(overlaps(message)).toEqual(expect.arrayContaining([
      'BCM_WindowStatus: Clash and BCM_WindowPos_FL share bit 4',
      'BCM_WindowStatus: Clash and BCM_WindowPos_FR share bit 8',
    ]));
  });

  it('gives every request message a 4-bit Counter and a NoRequest start value for every request signal', () => {
    expect(requestMessages.map((m) => m.name).sort()).toEqual([
      'HU_Body_Request', 'HU_HVAC_Request', 'HU_Lights_Request', 'HU_Media_Request', 'HU_Seat_Request',
      'HU_Window_Request', 'HU_Wiper_Request',
    ]);
    for (const m of requestMessages) {
      const counters = m.signals.filter((s) => s.name.endsWith('_Counter'));
      expect(counters.map((s) => s.length), m.name).toEqual([4]);
      for (const s of m.signals.filter((x) => !x.name.endsWith('_Counter'))) {
        const noRequest = [...(s.choices ?? [])].find(([, label]) => label === 'NoRequest')?.[0];
        expect(noRequest, `${m.name}.${s.name} has a NoRequest value`).toBeDefined();
        expect(s.startValue, `${m.name}.${s.name} starts at NoRequest`).toBe(noRequest);
        expect(noRequest, `${m.name}.${s.name} NoRequest is all ones`).toBe(2 ** s.length - 1);
      }
    }
  });

  it('defines ECU_ActuationAck as specified', () => {
    const ack = codec.messageByName('ECU_ActuationAck')!;
    const byName = new Map(ack.signals.map((s) => [s.name, s]));
    expect(byName.get('Ack_RequestId')?.length).toBe(16);
    expect(byName.get('Ack_Counter')?.length).toBe(4);
    expect([...byName.get('Ack_Result')!.choices!]).toEqual([
      [0, 'Accepted'], [1, 'RejectedPolicy'], [2, 'RejectedRange'], [3, 'RejectedFault'], [4, 'RejectedBusy'],
    ]);
  });
});

describe('the default vehicle mapping', () => {
  it('is cached and reads the data files next to the package', () => {
    expect(loadDefaultVehicle()).toBe(vehicle);
    expect(vehicle.dbcPath).toMatch(/common[/\\]data[/\\]auriga\.dbc$/);
    expect(vehicle.mappingPath).toMatch(/common[/\\]data[/\\]vss-mapping\.yaml$/);
  });

  it('maps every catalog signal the car delivers: sensors and actuators read, actuators written, attributes valued', () => {
    const notDelivered = ['Vehicle.Powertrain.TractionBattery.StateOfCharge.Displayed'];
    for (const spec of catalog.signals) {
      const entry = mapping.byPath.get(spec.path);
      if (notDelivered.includes(spec.path)) {
        expect(entry, spec.path).toBeUndefined();
        continue;
      }
      expect(entry, spec.path).toBeDefined();
      if (spec.kind === 'attribute') expect(catalog.checkValue(spec.path, entry!.value), spec.path).toBeUndefined();
      else expect(entry!.read, spec.path).toBeDefined();
      if (spec.kind === 'actuator') expect(entry!.write?.message.sender, spec.path).toBe('HU');
      else expect(entry!.write, spec.path).toBeUndefined();
    }
  });

  it('reads actuator states from cyclic status messages of the ECU that receives the request', () => {
    for (const entry of mapping.entries.filter((e) => e.write)) {
      expect(entry.read!.message.cycleTimeMs, entry.path).toBeGreaterThan(0);
      expect(entry.write!.signal.receivers, entry.path).toContain(entry.read!.message.sender);
    }
  });

  /** Values worth requesting for an actuator: every allowed value, both booleans, the range ends and a middle. */
  function sampleValues(path: string): SignalValue[] {
    const spec = catalog.get(path)!;
    if (spec.datatype === 'boolean') return [false, true];
    if (spec.datatype === 'string') return [...spec.allowed!];
    const mid = (spec.min! + spec.max!) / 2;
    return [spec.min!, isIntegerType(spec.datatype) ? Math.round(mid) : mid, spec.max!];
  }

  it('round-trips every actuator value: VSS -> toDbc -> request frame -> decode -> VSS', () => {
    let checked = 0;
    for (const entry of mapping.entries.filter((e) => e.write)) {
      const { message, signal } = entry.write!;
      const counter = message.signals.find((s) => s.name.endsWith('_Counter'))!;
      for (const value of sampleValues(entry.path)) {
        const physical = entry.write!.toDbc(value);
        const frame = codec.encodeFrame(message.name, { [signal.name]: physical, [counter.name]: 9 }, 0);
        expect(frame.id).toBe(message.id);
        const decoded = codec.decodeFrame(frame)!;
        expect(decoded.signals[signal.name], `${entry.path}=${String(value)}`).toBeCloseTo(physical, 9);
        expect(decoded.signals[counter.name]).toBe(9);
        // Every other request signal of the frame says NoRequest.
        for (const other of message.signals.filter((s) => s !== signal && s !== counter)) {
          expect(decoded.signals[other.name], `${message.name}.${other.name}`).toBeCloseTo(other.startValue! * other.factor + other.offset, 9);
        }
        // Status and request signals share physical meaning, so the read transform brings it back.
        expect(entry.read!.toVss(decoded.signals[signal.name]!), `${entry.path}=${String(value)}`).toEqual(value);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(80);
  });

  it('round-trips numeric actuator states through their status frames', () => {
    for (const entry of mapping.entries.filter((e) => e.write && isNumericType(e.spec.datatype))) {
      for (const value of sampleValues(entry.path)) {
        const physical = entry.write!.toDbc(value);
        const frame = codec.encodeFrame(entry.read!.message.name, { [entry.read!.signal.name]: physical }, 0);
        expect(entry.read!.toVss(codec.decodeFrame(frame)!.signals[entry.read!.signal.name]!), entry.path).toEqual(value);
      }
    }
  });

  it('decodes hand-computed status frames into VSS values', () => {
    const read = (path: string, id: number, hex: string) => {
      const entry = mapping.byPath.get(path)!;
      const decoded = codec.decodeFrame({ timestamp: 0, id, extended: false, data: Buffer.from(hex, 'hex') })!;
      return entry.read!.toVss(decoded.signals[entry.read!.signal.name]!);
    };
    // ECM_EngineData: speed 0x1F40 * 0.25 = 2000 rpm; torque 12 bits at 32 = 0xF9C (-100) * 0.5 = -50 Nm.
    expect(read('Vehicle.Powertrain.CombustionEngine.Speed', 0x0C0, '401f0000' + '9c0f0000')).toBe(2000);
    expect(read('Vehicle.Powertrain.CombustionEngine.Torque', 0x0C0, '401f0000' + '9c0f0000')).toBe(-50);
    // ESP_VehicleDynamics (big-endian): LongAccel 0xFC18 = -1000 * 0.001 = -1 m/s^2; YawRate 0x01F4 = 500 * 0.01 = 5 deg/s.
    expect(read('Vehicle.Acceleration.Longitudinal', 0x210, 'fc180000000001f4')).toBe(-1);
    expect(read('Vehicle.AngularVelocity.Yaw', 0x210, 'fc180000000001f4')).toBe(5);
    // TPMS_Status mux 2 (rear left): pressure 0x73 * 2 = 230 kPa, temperature 0x3C - 40 = 20 celsius.
    expect(read('Vehicle.Chassis.Axle.Row2.Wheel.Left.Tire.Pressure', 0x600, '02733c00')).toBe(230);
    expect(read('Vehicle.Chassis.Axle.Row2.Wheel.Left.Tire.Temperature', 0x600, '02733c00')).toBe(20);
    // BCM_PowerMode: ignition 3 = ON; 10-bit voltage at bit 8: 0x2BC = 700 * 0.02 = 14 V.
    expect(read('Vehicle.LowVoltageSystemState', 0x350, '03bc0200')).toBe('ON');
    expect(read('Vehicle.LowVoltageBattery.CurrentVoltage', 0x350, '03bc0200')).toBe(14);
    expect(read('Vehicle.LowVoltageSystemState', 0x350, '07000000')).toBe('UNDEFINED');
    // ECM_FuelLevel: 12-bit range at bit 8 = 0x1A5 = 421 km -> 421000 m.
    expect(read('Vehicle.Powertrain.FuelSystem.Range', 0x620, '00a501')).toBe(421_000);
    // TCM_GearStatus: lever D (3) -> VSS 127, SNA (15) -> not available; gear 4 bits signed at 4: 0xF = -1.
    expect(read('Vehicle.Powertrain.Transmission.SelectedGear', 0x0D0, '0300')).toBe(127);
    expect(read('Vehicle.Powertrain.Transmission.SelectedGear', 0x0D0, '0f00')).toBeUndefined();
    expect(read('Vehicle.Powertrain.Transmission.CurrentGear', 0x0D0, 'f100')).toBe(-1);
    // ESP_Status: standstill bit 29 set -> not moving.
    expect(read('Vehicle.IsMoving', 0x220, '00000020')).toBe(false);
    expect(read('Vehicle.IsMoving', 0x220, '00000000')).toBe(true);
  });

  it('recompiles identically from the file text', () => {
    const again = compileMapping(readFileSync(DEFAULT_MAPPING_PATH, 'utf8'), dbc, catalog, 'vss-mapping.yaml');
    expect(again.entries.map((e) => e.path)).toEqual(mapping.entries.map((e) => e.path));
  });
});
