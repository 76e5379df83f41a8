import { GEAR_PARK, isIgnitionOn, P } from '../signals.js';

/**
 * Window features for the situation rules and the ONNX model. The same code runs in the service and in
 * models/driving/generate.ts (training data), so what the model was trained on is exactly what it sees.
 */

/** Samples per second taken from the live state. */
export const SAMPLE_HZ = 2;
/** Short window: 20 s. */
export const WINDOW_SAMPLES = 40;
/** Long context: 120 s (mean speed, stops), which tells a red light in town from a queue. */
export const CONTEXT_SAMPLES = 240;

export const FEATURE_NAMES = [
  'speed_mean', 'speed_std', 'speed_min', 'speed_max', 'speed_last', 'stopped_frac', 'stops',
  'along_abs_mean', 'along_std', 'alat_abs_mean', 'alat_max_abs', 'steer_abs_mean', 'steer_std',
  'pedal_mean', 'brake_mean', 'brake_frac', 'park_frac', 'wiper_frac', 'lowbeam_frac', 'cruise_frac',
  'indicator_frac', 'ctx_speed_mean', 'ctx_speed_max', 'ctx_stopped_frac', 'ctx_stops', 'ignition_frac',
] as const;
export const FEATURE_COUNT = FEATURE_NAMES.length;

/** One sample of the signals the classifier uses (numbers; booleans as 0/1; unknown as 0). */
export interface RawSample {
  speed: number;
  accelLong: number;
  accelLat: number;
  steering: number;
  pedal: number;
  brake: number;
  park: number;
  wiper: number;
  lowBeam: number;
  cruise: number;
  indicator: number;
  ignition: number;
}

export type SignalReader = (path: string) => unknown;

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'boolean' ? (v ? 1 : 0) : 0);

export function readSample(read: SignalReader): RawSample {
  const wipers = read(P.wipers);
  return {
    speed: num(read(P.speed)),
    accelLong: num(read(P.accelLong)),
    accelLat: num(read(P.accelLat)),
    steering: num(read(P.steering)),
    pedal: num(read(P.accelPedal)),
    brake: num(read(P.brakePedal)),
    park: read(P.gear) === GEAR_PARK ? 1 : 0,
    wiper: typeof wipers === 'string' && wipers !== 'OFF' ? 1 : 0,
    lowBeam: num(read(P.lowBeam)),
    cruise: num(read(P.cruise)),
    indicator: num(read(P.indicatorLeft)) || num(read(P.indicatorRight)),
    ignition: isIgnitionOn(read(P.ignition)) ? 1 : 0,
  };
}

const STOPPED_KMH = 2;

/** Ring buffer of samples; `features()` computes the window vector in FEATURE_NAMES order. */
export class FeatureWindow {
  private readonly buf: RawSample[] = [];
  private start = 0;
  /** Samples seen since the last reset (the window is usable once it reaches WINDOW_SAMPLES). */
  count = 0;

  push(s: RawSample): void {
    if (this.buf.length < CONTEXT_SAMPLES) this.buf.push(s);
    else {
      this.buf[this.start] = s;
      this.start = (this.start + 1) % CONTEXT_SAMPLES;
    }
    this.count++;
  }

  reset(): void {
    this.buf.length = 0;
    this.start = 0;
    this.count = 0;
  }

  get ready(): boolean {
    return this.buf.length >= WINDOW_SAMPLES;
  }

  /** i-th newest sample (0 = last). */
  private at(i: number): RawSample {
    const n = this.buf.length;
    return this.buf[(this.start + n - 1 - i) % n]!;
  }

  last(): RawSample | undefined {
    return this.buf.length ? this.at(0) : undefined;
  }

  /** The feature vector into `out` (allocated when absent). Call only when `ready`. */
  features(out: Float32Array = new Float32Array(FEATURE_COUNT)): Float32Array {
    const w = WINDOW_SAMPLES;
    let sSum = 0, sSq = 0, sMin = Infinity, sMax = -Infinity, stopped = 0, stops = 0;
    let aAbs = 0, aSum = 0, aSq = 0, latAbs = 0, latMax = 0, stAbs = 0, stSum = 0, stSq = 0;
    let pedal = 0, brake = 0, brakeOn = 0, park = 0, wiper = 0, low = 0, cruise = 0, ind = 0, ign = 0;
    let prevMoving = false;
    for (let i = w - 1; i >= 0; i--) {
      const s = this.at(i);
      sSum += s.speed; sSq += s.speed * s.speed;
      if (s.speed < sMin) sMin = s.speed;
      if (s.speed > sMax) sMax = s.speed;
      const moving = s.speed >= STOPPED_KMH;
      if (!moving) { stopped++; if (prevMoving) stops++; }
      prevMoving = moving;
      aAbs += Math.abs(s.accelLong); aSum += s.accelLong; aSq += s.accelLong * s.accelLong;
      const lat = Math.abs(s.accelLat);
      latAbs += lat; if (lat > latMax) latMax = lat;
      stAbs += Math.abs(s.steering); stSum += s.steering; stSq += s.steering * s.steering;
      pedal += s.pedal; brake += s.brake; if (s.brake > 5) brakeOn++;
      park += s.park; wiper += s.wiper; low += s.lowBeam; cruise += s.cruise; ind += s.indicator; ign += s.ignition;
    }
    const n = this.buf.length;
    let cSum = 0, cMax = 0, cStopped = 0, cStops = 0;
    prevMoving = false;
    for (let i = n - 1; i >= 0; i--) {
      const v = this.at(i).speed;
      cSum += v; if (v > cMax) cMax = v;
      const moving = v >= STOPPED_KMH;
      if (!moving) { cStopped++; if (prevMoving) cStops++; }
      prevMoving = moving;
    }
    const sMean = sSum / w;
    const aMean = aSum / w;
    const stMean = stSum / w;
    let k = 0;
    out[k++] = sMean;
    out[k++] = Math.sqrt(Math.max(0, sSq / w - sMean * sMean));
    out[k++] = sMin;
    out[k++] = sMax;
    out[k++] = this.at(0).speed;
    out[k++] = stopped / w;
    out[k++] = stops;
    out[k++] = aAbs / w;
    out[k++] = Math.sqrt(Math.max(0, aSq / w - aMean * aMean));
    out[k++] = latAbs / w;
    out[k++] = latMax;
    out[k++] = stAbs / w;
    out[k++] = Math.sqrt(Math.max(0, stSq / w - stMean * stMean));
    out[k++] = pedal / w;
    out[k++] = brake / w;
    out[k++] = brakeOn / w;
    out[k++] = park / w;
    out[k++] = wiper / w;
    out[k++] = low / w;
    out[k++] = cruise / w;
    out[k++] = ind / w;
    out[k++] = cSum / n;
    out[k++] = cMax;
    out[k++] = cStopped / n;
    out[k++] = cStops;
    out[k++] = ign / w;
    return out;
  }
}

const F = Object.fromEntries(FEATURE_NAMES.map((name, i) => [name, i])) as Record<(typeof FEATURE_NAMES)[number], number>;
export { F as FEATURE_INDEX };
