/** Level meter maths: RMS in dBFS, the meter's 0..1 position, and its ballistics. */

/** Quietest level the meter shows; below it the bar is empty. */
export const METER_FLOOR_DB = -60;

export function rms(samples: Float32Array): number {
  if (samples.length === 0) return 0;
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i]! * samples[i]!;
  return Math.sqrt(sum / samples.length);
}

/** RMS (full scale = 1) to dBFS, -Infinity for silence. */
export function toDbfs(rmsValue: number): number {
  return rmsValue > 0 ? 20 * Math.log10(rmsValue) : -Infinity;
}

/** dBFS to the meter's 0..1 position (linear in dB from the floor to 0 dBFS). */
export function meterPosition(db: number, floorDb = METER_FLOOR_DB): number {
  if (!(db > floorDb)) return 0;
  return Math.min(1, (db - floorDb) / -floorDb);
}

/**
 * One step of meter ballistics: rises fast (attack) and falls slowly (release), so speech reads
 * as a steady bar rather than flicker. Time constants in ms; `dtMs` is the block's duration.
 */
export function smoothLevel(previous: number, next: number, dtMs: number, attackMs = 25, releaseMs = 300): number {
  const tau = next > previous ? attackMs : releaseMs;
  const a = 1 - Math.exp(-Math.max(0, dtMs) / tau);
  return previous + (next - previous) * a;
}
