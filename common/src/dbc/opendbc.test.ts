/**
 * Real-world DBC files from commaai/opendbc (MIT), copied to /work/shared/dbc/opendbc-sample/.
 * Counts and frames below were read off the files by hand.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileMessageCodec } from './codec.js';
import { createDbcCodec } from './dbc-codec.js';
import { rawRange } from './layout.js';
import { parseDbc } from './parser.js';
import type { Dbc, DbcMessage, DbcSignal, SignalValues } from './types.js';

const dir = '/work/shared/dbc/opendbc-sample';
const load = (file: string): Dbc => parseDbc(readFileSync(join(dir, file), 'utf8'), { fileName: file });
const hex = (s: string) => Uint8Array.from(s.split(/\s+/).filter(Boolean).map((b) => parseInt(b, 16)));
const signalCount = (dbc: Dbc) => dbc.messages.reduce((n, m) => n + m.signals.length, 0);

function expectValues(actual: SignalValues, expected: SignalValues): void {
  expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
  for (const [k, v] of Object.entries(expected)) expect(actual[k], k).toBeCloseTo(v, 9);
}

describe.skipIf(!existsSync(dir))(`opendbc sample files (skipped: ${dir} is absent on this machine)`, () => {
  describe('test.dbc: CAN FD 32-byte message, 64-bit signals', () => {
    const dbc = load('test.dbc');
    const codec = createDbcCodec(dbc);

    it('has 3 messages and 18 signals; the VAL_ for message 80 that does not exist is a warning', () => {
      expect(dbc.messages).toHaveLength(3);
      expect(signalCount(dbc)).toBe(18);
      expect(dbc.warnings).toEqual([{ line: 27, message: expect.stringContaining('message id 80') }]);
      const fd = codec.messageByName('CAN_FD_MESSAGE')!;
      expect(fd).toMatchObject({ id: 245, length: 32, fd: true });
    });

    it('decodes a hand-built CAN FD frame', () => {
      // COUNTER 7|8@0+ -> byte0 = 05.
      // SIGNED 22|16@0- -> MSB byte2.b6: byte2 bits 6..0, byte3, byte4.b7; raw -1 = all ones -> 7F FF 80.
      // 64_BIT_BE 80|64@0+ -> MSB byte10.b0, then bytes 11..17, LSB byte18.b1; raw 1 -> byte18 = 02.
      // 64_BIT_LE 159|64@1+ -> LSB byte19.b7, MSB at bit 222 = byte27.b6; raw 2^63 -> byte27 = 40.
      const d = new Uint8Array(32);
      d.set(hex('05 00 7F FF 80'));
      d[18] = 0x02;
      d[27] = 0x40;
      const out = codec.decodeFrame({ timestamp: 0, id: 245, extended: false, data: d, fd: true })!.signals;
      expect(out).toEqual({ COUNTER: 5, SIGNED: -1, '64_BIT_BE': 1, '64_BIT_LE': 2 ** 63 });
      expect(Array.from(codec.codecFor(codec.messageByName('CAN_FD_MESSAGE')!).encode(out))).toEqual(Array.from(d));
    });

    it('decodes STEERING_CONTROL (big-endian signed torque)', () => {
      // STEER_TORQUE 7|16@0- bytes 0..1 = FC18 = -1000; byte2.b7 STEER_TORQUE_REQUEST = 1;
      // byte4 = 6B = 0110 1011: b6 STEER_DOWN_TO_ZERO 1, b5..4 COUNTER 2, b3..0 CHECKSUM 11.
      const out = codec.decodeFrame({ timestamp: 0, id: 228, extended: false, data: hex('FC 18 80 00 6B') })!.signals;
      expect(out).toEqual({
        STEER_TORQUE_REQUEST: 1, SET_ME_X00: 0, SET_ME_X00_2: 0, STEER_TORQUE: -1000, STEER_DOWN_TO_ZERO: 1, COUNTER: 2, CHECKSUM: 11,
      });
    });
  });

  describe('tesla_can.dbc: multiplexed messages', () => {
    const dbc = load('tesla_can.dbc');
    const codec = createDbcCodec(dbc);

    it('has 44 messages, 572 signals, 11 nodes, 2 multiplexed messages with 36 multiplexed signals', () => {
      expect(dbc.messages).toHaveLength(44);
      expect(signalCount(dbc)).toBe(572);
      expect(dbc.nodes).toEqual(['NEO', 'MCU', 'GTW', 'EPAS', 'DI', 'ESP', 'SBW', 'STW', 'APP', 'DAS', 'XXX']);
      expect(dbc.messages.filter((m) => m.multiplexer).map((m) => m.multiplexer!.name).sort()).toEqual(['UI_autopilotControlIndex', 'UI_roadSign']);
      expect(dbc.messages.flatMap((m) => m.signals).filter((s) => s.multiplexValue !== undefined)).toHaveLength(36);
      // The file's only problem: a VAL_ for a signal UI_driverAssistRoadSign does not define.
      expect(dbc.warnings).toHaveLength(1);
      expect(dbc.warnings[0]!.message).toContain('UI_mapSpeedLimit');
    });

    it('attaches VAL_ tables', () => {
      const steering = codec.messageById(1160, false)!;
      const type = steering.signals.find((s) => s.name === 'DAS_steeringControlType')!;
      expect(type.choices).toEqual(new Map([[1, 'ANGLE_CONTROL'], [3, 'DISABLED'], [0, 'NONE'], [2, 'RESERVED']]));
    });

    it('decodes only the multiplexed signals the switch selects', () => {
      // UI_driverAssistRoadSign (568): UI_roadSign M 0|8 = byte0 = 1 selects the m1 signals:
      //   UI_stopSignStopLineDist 8|10@1+ (0.25,-8): byte1 + byte2 bits 1..0 -> raw 0x028 = 40 -> 2 m
      //   UI_stopSignStopLineConf 18|7@1+: byte2 bits 7..2 and byte3.b0 -> byte2 = 50 << 2 = C8 -> 50
      // The always-present signals live in bytes 5..7, all zero here.
      const out = codec.decodeFrame({ timestamp: 0, id: 568, extended: false, data: hex('01 28 C8 00 00 00 00 00') })!.signals;
      expectValues(out, {
        UI_roadSign: 1, UI_splineLocConfidence: 0, UI_splineID: 0, UI_roadSignCounter: 0, UI_roadSignChecksum: 0,
        UI_stopSignStopLineDist: 2, UI_stopSignStopLineConf: 50,
      });
      // UI_roadSign 5 selects UI_currSplineIdFull 8|32@1+ only: bytes 1..4 little-endian.
      const five = codec.decodeFrame({ timestamp: 0, id: 568, extended: false, data: hex('05 78 56 34 12 00 00 00') })!.signals;
      expect(five.UI_currSplineIdFull).toBe(0x12345678);
      expect(five.UI_stopSignStopLineDist).toBeUndefined();
    });
  });

  describe('bmw_e9x_e8x.dbc', () => {
    const dbc = load('bmw_e9x_e8x.dbc');

    it('has 326 messages, 165 signals, 53 distinct nodes (DSC is listed twice), comments and no warnings', () => {
      expect(dbc.messages).toHaveLength(326);
      expect(signalCount(dbc)).toBe(165);
      expect(dbc.nodes).toHaveLength(53);
      expect(dbc.warnings).toEqual([]);
      const gear = dbc.messages.find((m) => m.id === 466)!.signals.find((s) => s.name === 'ShiftLeverMode')!;
      expect(gear.comment).toBe('On the dashboard, there are displayed:  D1...D7 in Normal. S1...S6 in Sport.  M1..M7 in Manual');
      expect(gear.choices?.get(2)).toBe('Manual');
    });

    it('decodes AccPedal (170)', () => {
      // Checksum_170 0|8@1- byte0 F0 = -16; Counter_170 8|4@1+ byte1 low nibble A = 10;
      // AcceleratorPedalPercentage 16|16@1+ x0.04: 03E8 = 1000 -> 40; EngineSpeed 32|16@1+ x0.25: 1F40 = 8000 -> 2000;
      // byte6 14 = 0001 0100: ThrottlelPressed b2 (start 50) = 1, AcceleratorPedalPressed b4 (52) = 1, b5..b7 = 0.
      const codec = compileMessageCodec(dbc.messages.find((m) => m.id === 170)!);
      expectValues(codec.decode(hex('F0 0A E8 03 40 1F 14 00')), {
        Checksum_170: -16, Counter_170: 10, AcceleratorPedalPercentage: 40, EngineSpeed: 2000,
        ThrottlelPressed: 1, AcceleratorPedalPressed: 1, KickDownPressed: 0, CruisePedalActive: 0, CruisePedalInactive: 0,
      });
    });
  });

  describe('ESR.dbc (CRLF line ends)', () => {
    const dbc = load('ESR.dbc');

    it('has 80 messages, 868 signals, 2 nodes and no warnings', () => {
      expect(dbc.messages).toHaveLength(80);
      expect(signalCount(dbc)).toBe(868);
      expect(dbc.nodes).toEqual(['Gateway', 'ESR']);
      expect(dbc.warnings).toEqual([]);
      expect(dbc.messages.find((m) => m.id === 1264)!.signals.find((s) => s.name === 'CAN_RX_VEHICLE_SPEED_DIRECTION')!.choices)
        .toEqual(new Map([[1, 'Reverse'], [0, 'Forward']]));
    });

    it('decodes Target64 (1343), big-endian signed fields', () => {
      // CAN_TX_TRACK_STATUS 15|3@0+: byte1 bits 7..5 = 011 -> 3
      // CAN_TX_TRACK_ANGLE 12|10@0- x0.1: byte1 bits 4..0 = 10000, byte2 bits 7..3 = 00000 -> raw -512 -> -51.2
      // CAN_TX_TRACK_MED_RANGE_MODE 55|2@0+: byte6 bits 7..6 = 10 -> 2
      // CAN_TX_TRACK_RANGE_RATE 53|14@0- x0.01: byte6 bits 5..0 + byte7 = all ones -> raw -1 -> -0.01
      const codec = compileMessageCodec(dbc.messages.find((m) => m.id === 1343)!);
      expectValues(codec.decode(hex('00 70 00 00 00 00 BF FF')), {
        CAN_TX_TRACK_WIDTH: 0, CAN_TX_TRACK_STATUS: 3, CAN_TX_TRACK_ROLLING_COUNT: 0, CAN_TX_TRACK_RANGE_RATE: -0.01,
        CAN_TX_TRACK_RANGE_ACCEL: 0, CAN_TX_TRACK_RANGE: 0, CAN_TX_TRACK_ONCOMING: 0, CAN_TX_TRACK_MED_RANGE_MODE: 2,
        CAN_TX_TRACK_LAT_RATE: 0, CAN_TX_TRACK_GROUPING_CHANGED: 0, CAN_TX_TRACK_BRIDGE_OBJECT: 0, CAN_TX_TRACK_ANGLE: -51.2,
      });
    });
  });

  describe('acura_ilx_2016_nidec.dbc', () => {
    const dbc = load('acura_ilx_2016_nidec.dbc');

    it('has 36 messages, 69 signals, 4 nodes, a comment and a VAL_ table', () => {
      expect(dbc.messages).toHaveLength(36);
      expect(signalCount(dbc)).toBe(69);
      expect(dbc.nodes).toEqual(['ADAS', 'RADAR', 'NEO', 'XXX']);
      const state = dbc.messages.find((m) => m.id === 1024)!.signals[0]!;
      expect(state.comment).toBe('need to find out more diagnostic values');
      expect(state.choices).toEqual(new Map([[121, 'ok'], [110, 'faulted'], [105, 'wrong_config']]));
    });

    it('decodes TRACK_0 (1072)', () => {
      // LONG_DIST 7|12@0+ x0.0625: byte0 64 + byte1 bits 7..4 0 -> 0x640 = 1600 -> 100
      // NEW_TRACK 11|1@0+: byte1.b3 = 1; LAT_DIST 9|10@0- x0.0625: byte1 bits 1..0 = 11 + byte2 FF -> -1 -> -0.0625
      // REL_SPEED 31|12@0- x0.03125: byte3 FF + byte4 bits 7..4 0 -> 0xFF0 = -16 -> -0.5
      const codec = compileMessageCodec(dbc.messages.find((m) => m.id === 1072)!);
      expectValues(codec.decode(hex('64 0B FF FF 00 00 00 00')), { LONG_DIST: 100, NEW_TRACK: 1, LAT_DIST: -0.0625, REL_SPEED: -0.5 });
    });
  });

  describe('encode -> decode round trip of every signal with random in-range values', () => {
    let seed = 12345;
    const random = () => (seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32;
    /** A raw value uniformly in the signal's raw range (a double-precision integer above 2^53). */
    const randomRaw = (s: DbcSignal) => {
      if (s.valueType === 'float32') return Math.fround((random() - 0.5) * 1e6);
      if (s.valueType === 'float64') return (random() - 0.5) * 1e12;
      const { min, max } = rawRange(s);
      return Math.min(max, min + Math.floor(random() * (max - min + 1)));
    };
    const physical = (s: DbcSignal, raw: number) => raw * s.factor + s.offset;

    for (const file of ['test.dbc', 'tesla_can.dbc', 'bmw_e9x_e8x.dbc', 'ESR.dbc', 'acura_ilx_2016_nidec.dbc']) {
      it(file, () => {
        const dbc = load(file);
        let checked = 0;
        for (const message of dbc.messages) {
          const codec = compileMessageCodec(message);
          const usable = message.signals.filter((s) => !s.unusable);
          for (let round = 0; round < 5; round++) {
            // Each signal alone (multiplexers are inferred from it).
            for (const s of usable) {
              const value = physical(s, randomRaw(s));
              const out = codec.decode(codec.encode({ [s.name]: value }));
              expect(out[s.name], `${message.name}.${s.name}`).toBeCloseTo(value, 6);
              checked++;
            }
            // All signals that are always present, at once: no signal may disturb another.
            const values: SignalValues = {};
            for (const s of usable) if (s.multiplexValue === undefined) values[s.name] = physical(s, randomRaw(s));
            const out = codec.decode(codec.encode(values));
            for (const [k, v] of Object.entries(values)) expect(out[k], `${message.name}.${k}`).toBeCloseTo(v, 6);
          }
        }
        expect(checked).toBe(5 * dbc.messages.reduce((n, m: DbcMessage) => n + m.signals.filter((s) => !s.unusable).length, 0));
      });
    }
  });
});
