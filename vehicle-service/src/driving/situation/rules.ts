import type { Situation } from '../types.js';
import { FEATURE_INDEX as F } from './features.js';

/**
 * Rule baseline on the window features: plain speed bands. Good at the extremes (parked, motorway
 * cruising), poor where speed alone is ambiguous (a red light in town vs a queue, a slow motorway vs a
 * country road): that is what the model is for.
 */
export function classifyByRules(f: Float32Array): Situation {
  const last = f[F.park_frac]!;
  if (f[F.ignition_frac]! < 0.5 || (last > 0.5 && f[F.speed_max]! < 2)) return 'parked';
  const mean = f[F.speed_mean]!;
  if (mean >= 90) return 'highway';
  if (mean >= 60) return 'rural';
  if (mean < 15 && (f[F.stops]! >= 1 || f[F.stopped_frac]! > 0.3)) return 'stop_and_go';
  return 'city';
}
