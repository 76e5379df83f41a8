import type { Fact } from './types.js';

/** Paths of values the driving context derives itself (not VSS signals of the car). */
export const DERIVED = {
  situation: 'Auriga.Driving.Situation',
  style: 'Auriga.Driving.StyleScore',
  eventCount: 'Auriga.Driving.EventCount',
  tripDuration: 'Auriga.Driving.TripDuration',
} as const;

/** Rounds for display: the fact holds exactly the number the text shows. */
export function roundTo(value: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}

export function fact(id: string, path: string, value: Fact['value'], unit: string, at: number): Fact {
  return { id, path, value, unit, at };
}

/** Duration shown in minutes below 2 h, else in hours with one decimal. */
export function durationFact(id: string, seconds: number, at: number): Fact {
  const minutes = seconds / 60;
  return minutes < 120 ? fact(id, DERIVED.tripDuration, Math.max(0, Math.round(minutes)), 'min', at) : fact(id, DERIVED.tripDuration, roundTo(minutes / 60, 1), 'h', at);
}

/** Every number written in a text (integers and decimals), for the grounding check. */
export function numbersIn(text: string): number[] {
  return (text.match(/\d+(?:\.\d+)?/g) ?? []).map(Number);
}

/** Numbers of the text that no fact holds (empty = grounded). */
export function ungroundedNumbers(text: string, facts: readonly Fact[]): number[] {
  const known = new Set(facts.filter((f) => typeof f.value === 'number').map((f) => f.value as number));
  return numbersIn(text).filter((n) => !known.has(n));
}
