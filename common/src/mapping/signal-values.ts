import type { DbcSignal } from '../dbc/types.js';
import { rawRange } from '../dbc/layout.js';

export function physicalOf(signal: DbcSignal, raw: number): number {
  return raw * signal.factor + signal.offset;
}

/**
 * The raw value that encodes `physical`, when the signal can carry it: an integer within the bits'
 * range, allowing for floating-point noise in factor/offset arithmetic. Float signals carry any value.
 * Returns a reason string when it cannot.
 */
export function rawFor(signal: DbcSignal, physical: number, snap: boolean): number | string {
  if (!Number.isFinite(physical)) return `${physical} is not a finite number`;
  if (signal.valueType !== 'integer') return (physical - signal.offset) / signal.factor;
  const exact = (physical - signal.offset) / signal.factor;
  const raw = Math.round(exact);
  if (!snap && Math.abs(exact - raw) > 1e-6) {
    return `${physical} is not a multiple of the signal's resolution ${signal.factor}${signal.offset ? ` (offset ${signal.offset})` : ''}`;
  }
  const { min, max } = rawRange(signal);
  if (raw < min || raw > max) {
    const ends = [physicalOf(signal, min), physicalOf(signal, max)].map(tidyFloat).sort((a, b) => a - b);
    return `${physical} is outside what ${signal.name} can carry (${ends[0]} to ${ends[1]})`;
  }
  return raw;
}

/** Physical values decoded with a fractional factor carry float noise (0.1 * 3 = 0.30000000000000004). */
export function tidyFloat(value: number): number {
  return Number(value.toPrecision(12));
}
