/**
 * DBC decode throughput: CAN frames decoded into physical signal values per second, on one core.
 *
 * Measures createDbcCodec(dbc).decodeFrame (id lookup + compiled message codec) on the project DBC
 * (common/data/auriga.dbc, or the fallback DBC below when it is absent) and on a real car's DBC
 * (opendbc's tesla_can.dbc when /work/shared is present), against a BASELINE in the same run: a naive
 * decoder that reads every signal bit by bit straight from the DBC definition.
 *
 *   node --import tsx bench/dbc-decode.ts [--quick]
 *
 * Prints one JSON object: {"bench":"dbc-decode","framesPerSecond",..,"baselineFramesPerSecond",..,
 * "speedup",..,"target":500000,"pass":bool,"dbcs":[...per DBC...]}. pass = every DBC measured reaches
 * the target.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createDbcCodec, parseDbc, type CanFrame, type Dbc, type DbcMessage, type DbcSignal, type SignalValues } from '@auriga/common';

export const TARGET_FRAMES_PER_SECOND = 500_000;

const PROJECT_DBC = fileURLToPath(new URL('../common/data/auriga.dbc', import.meta.url));
const REAL_DBC = '/work/shared/dbc/opendbc-sample/tesla_can.dbc';

/** Used when common/data/auriga.dbc is absent: a small car with both byte orders, scaling and multiplexing. */
const FALLBACK_DBC = `VERSION "bench fallback"
BU_: ECM ESP BCM HU
BO_ 192 EngineData: 8 ECM
 SG_ EngineSpeed : 0|16@1+ (0.25,0) [0|16383.75] "rpm" HU
 SG_ Throttle : 16|8@1+ (0.4,0) [0|100] "%" HU
 SG_ Torque : 24|12@1- (0.5,0) [-1024|1023.5] "Nm" HU
 SG_ Running : 36|1@1+ (1,0) [0|1] "" HU
 SG_ Counter : 56|4@1+ (1,0) [0|15] "" HU
BO_ 416 WheelSpeeds: 8 ESP
 SG_ WheelFL : 7|16@0+ (0.01,0) [0|655.35] "km/h" HU
 SG_ WheelFR : 23|16@0+ (0.01,0) [0|655.35] "km/h" HU
 SG_ WheelRL : 39|16@0+ (0.01,0) [0|655.35] "km/h" HU
 SG_ WheelRR : 55|16@0+ (0.01,0) [0|655.35] "km/h" HU
BO_ 512 Dynamics: 8 ESP
 SG_ YawRate : 0|16@1- (0.01,0) [-327.68|327.67] "deg/s" HU
 SG_ LatAccel : 16|12@1- (0.01,0) [-20.48|20.47] "m/s^2" HU
 SG_ LongAccel : 28|12@1- (0.01,0) [-20.48|20.47] "m/s^2" HU
 SG_ BrakePressed : 40|1@1+ (1,0) [0|1] "" HU
BO_ 784 Doors: 2 BCM
 SG_ DoorFL : 0|1@1+ (1,0) [0|1] "" HU
 SG_ DoorFR : 1|1@1+ (1,0) [0|1] "" HU
 SG_ DoorRL : 2|1@1+ (1,0) [0|1] "" HU
 SG_ DoorRR : 3|1@1+ (1,0) [0|1] "" HU
 SG_ Trunk : 4|1@1+ (1,0) [0|1] "" HU
 SG_ Locked : 5|1@1+ (1,0) [0|1] "" HU
BO_ 1280 Diag: 8 BCM
 SG_ Page M : 0|8@1+ (1,0) [0|255] "" HU
 SG_ Voltage m0 : 8|16@1+ (0.001,0) [0|65.535] "V" HU
 SG_ Current m0 : 24|16@1- (0.01,0) [-327.68|327.67] "A" HU
 SG_ Odometer m1 : 8|32@1+ (0.1,0) [0|429496729.5] "km" HU
BA_DEF_ BO_ "GenMsgCycleTime" INT 0 10000;
BA_ "GenMsgCycleTime" BO_ 192 10;
BA_ "GenMsgCycleTime" BO_ 416 20;
BA_ "GenMsgCycleTime" BO_ 512 20;
BA_ "GenMsgCycleTime" BO_ 784 100;
BA_ "GenMsgCycleTime" BO_ 1280 1000;
`;

export interface DbcBenchFigures {
  name: string;
  source: string;
  messages: number;
  framesInMix: number;
  avgSignalsPerFrame: number;
  framesPerSecond: number;
  baselineFramesPerSecond: number;
  speedup: number;
}

export interface DbcDecodeBenchResult {
  bench: 'dbc-decode';
  framesPerSecond: number;
  baselineFramesPerSecond: number;
  speedup: number;
  target: number;
  pass: boolean;
  quick: boolean;
  node: string;
  dbcs: DbcBenchFigures[];
}

// ---------------------------------------------------------------- BASELINE: naive bit-by-bit decoder

/** BASELINE only: reads each signal one bit at a time from the DBC definition, no precomputation. */
function baselineRawValue(signal: DbcSignal, data: Uint8Array): number {
  let raw = 0;
  if (signal.byteOrder === 'little_endian') {
    for (let k = 0; k < signal.length; k++) {
      const pos = signal.startBit + k;
      if ((data[pos >> 3]! >> (pos & 7)) & 1) raw += 2 ** k;
    }
  } else {
    let pos = signal.startBit;
    for (let k = 0; k < signal.length; k++) {
      raw = raw * 2 + ((data[pos >> 3]! >> (pos & 7)) & 1);
      pos = (pos & 7) === 0 ? pos + 15 : pos - 1; // Vector sawtooth: bit 0 -> bit 7 of the next byte
    }
  }
  if (signal.valueType === 'float32') {
    const view = new DataView(new ArrayBuffer(4));
    view.setUint32(0, raw);
    return view.getFloat32(0);
  }
  if (signal.valueType === 'float64') {
    const view = new DataView(new ArrayBuffer(8));
    view.setUint32(0, Math.floor(raw / 2 ** 32));
    view.setUint32(4, raw % 2 ** 32);
    return view.getFloat64(0);
  }
  if (signal.signed && raw >= 2 ** (signal.length - 1)) raw -= 2 ** signal.length;
  return raw;
}

/** BASELINE only: a message found by a Map lookup, every signal decoded in turn, switches checked by name. */
function createBaselineDecoder(dbc: Dbc): (frame: CanFrame) => SignalValues | undefined {
  const byId = new Map<string, DbcMessage>();
  for (const m of dbc.messages) byId.set(`${m.extended ? 'x' : 's'}${m.id}`, m);
  return (frame) => {
    const message = byId.get(`${frame.extended ? 'x' : 's'}${frame.id}`);
    if (!message) return undefined;
    const raws = new Map<string, number>();
    const out: SignalValues = {};
    for (const s of message.signals) {
      if (s.unusable) continue;
      const raw = baselineRawValue(s, frame.data);
      raws.set(s.name, raw);
      out[s.name] = raw * s.factor + s.offset;
    }
    for (const s of message.signals) {
      if (s.multiplexValue === undefined || s.unusable) continue;
      const switchName = s.multiplexerName ?? message.multiplexer?.name;
      const selector = switchName === undefined ? undefined : raws.get(switchName);
      const ranges = s.multiplexRanges ?? [[s.multiplexValue, s.multiplexValue]];
      if (selector === undefined || !ranges.some(([lo, hi]) => selector >= lo && selector <= hi)) delete out[s.name];
    }
    return out;
  };
}

// ---------------------------------------------------------------- frame mix and timing

/** Random payloads; each message appears as often as its cycle time makes it (1000 / ms), at least once. */
function frameMix(dbc: Dbc, seed: number): CanFrame[] {
  let state = seed >>> 0;
  const random = () => ((state = (state * 1664525 + 1013904223) >>> 0) >>> 24) & 0xff;
  const frames: CanFrame[] = [];
  for (const message of dbc.messages) {
    if (message.length === 0 || !message.signals.some((s) => !s.unusable)) continue;
    const copies = 8 * Math.max(1, Math.round(1000 / (message.cycleTimeMs ?? 1000)));
    for (let i = 0; i < copies; i++) {
      const data = Uint8Array.from({ length: message.length }, random);
      // Keep multiplexers on values that select something, so multiplexed branches are exercised.
      const sw = message.multiplexer;
      const selectors = message.signals.flatMap((s) => (s.multiplexValue === undefined ? [] : [s.multiplexValue]));
      if (sw && selectors.length > 0 && sw.byteOrder === 'little_endian' && sw.startBit % 8 === 0 && sw.length === 8) {
        data[sw.startBit >> 3] = selectors[i % selectors.length]!;
      }
      frames.push({ timestamp: 0, id: message.id, extended: message.extended, data, fd: message.length > 8 });
    }
  }
  // Shuffle (deterministically) so consecutive frames are different messages, as on a bus.
  for (let i = frames.length - 1; i > 0; i--) {
    const j = (random() * 256 + random()) % (i + 1);
    [frames[i], frames[j]] = [frames[j]!, frames[i]!];
  }
  return frames;
}

/** Decode results are kept here so the engine cannot drop the work as unused. */
const sink: unknown[] = new Array<unknown>(1024);

/** Frames per second of `decode` over the mix, run in batches until `seconds` have passed. */
function measure(frames: CanFrame[], decode: (f: CanFrame) => unknown, seconds: number, warmupFrames: number): number {
  for (let i = 0; i < warmupFrames; i++) sink[i & 1023] = decode(frames[i % frames.length]!);
  const batch = 20_000;
  let done = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  let i = 0;
  do {
    for (let b = 0; b < batch; b++) {
      sink[b & 1023] = decode(frames[i]!);
      if (++i === frames.length) i = 0;
    }
    done += batch;
    elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  } while (elapsed < seconds);
  return done / elapsed;
}

function benchOne(name: string, source: string, dbc: Dbc, quick: boolean): DbcBenchFigures {
  const frames = frameMix(dbc, 20240611);
  const codec = createDbcCodec(dbc);
  const baseline = createBaselineDecoder(dbc);
  const signalsPerFrame = frames.reduce((n, f) => n + Object.keys(codec.decodeFrame(f)?.signals ?? {}).length, 0) / frames.length;
  // The baseline must agree with the codec, or the comparison means nothing.
  for (const f of frames.slice(0, 500)) {
    const a = codec.decodeFrame(f)?.signals ?? {};
    const b = baseline(f) ?? {};
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      if (!(Object.is(a[k], b[k]) || Math.abs(a[k]! - b[k]!) <= 1e-9 * Math.max(1, Math.abs(b[k]!)))) {
        throw new Error(`${name}: codec and baseline disagree on ${k}: ${a[k]} vs ${b[k]}`);
      }
    }
  }
  const seconds = quick ? 0.25 : 2;
  const warmup = quick ? 20_000 : 200_000;
  const fps = measure(frames, (f) => codec.decodeFrame(f), seconds, warmup);
  const baselineFps = measure(frames, baseline, seconds, warmup);
  return {
    name,
    source,
    messages: dbc.messages.length,
    framesInMix: frames.length,
    avgSignalsPerFrame: Math.round(signalsPerFrame * 10) / 10,
    framesPerSecond: Math.round(fps),
    baselineFramesPerSecond: Math.round(baselineFps),
    speedup: Math.round((fps / baselineFps) * 100) / 100,
  };
}

export async function runDbcDecodeBench(options: { quick?: boolean } = {}): Promise<DbcDecodeBenchResult> {
  const quick = options.quick ?? false;
  const dbcs: DbcBenchFigures[] = [];
  if (existsSync(PROJECT_DBC)) {
    dbcs.push(benchOne('auriga', 'common/data/auriga.dbc', parseDbc(readFileSync(PROJECT_DBC, 'utf8'), { fileName: PROJECT_DBC }), quick));
  } else {
    dbcs.push(benchOne('fallback', 'bench/dbc-decode.ts (common/data/auriga.dbc absent)', parseDbc(FALLBACK_DBC, { fileName: 'fallback.dbc' }), quick));
  }
  if (existsSync(REAL_DBC)) {
    dbcs.push(benchOne('tesla_can', REAL_DBC, parseDbc(readFileSync(REAL_DBC, 'utf8'), { fileName: 'tesla_can.dbc' }), quick));
  }
  const main = dbcs[0]!;
  return {
    bench: 'dbc-decode',
    framesPerSecond: main.framesPerSecond,
    baselineFramesPerSecond: main.baselineFramesPerSecond,
    speedup: main.speedup,
    target: TARGET_FRAMES_PER_SECOND,
    pass: dbcs.every((d) => d.framesPerSecond >= TARGET_FRAMES_PER_SECOND),
    quick,
    node: process.version,
    dbcs,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await runDbcDecodeBench({ quick: process.argv.includes('--quick') });
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
