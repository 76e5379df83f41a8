import type { AnswerKey, AnswerLang, AnswerParams, ClimateZone, DefrostTarget, LightId, Part, PartKind, Quantity, Seat } from '../types.js';

/** Everything one language needs to answer: a template for every key, part names, units. */
export interface LanguagePack {
  readonly lang: AnswerLang;
  readonly templates: Readonly<Record<AnswerKey, (p: AnswerParams) => string>>;
  partsPhrase(parts: readonly Part[]): string;
  quantity(q: Quantity): string;
}

/** 22 -> "22", 21.5 -> "21.5", 21.25 -> "21.3". */
export function formatNumber(n: number): string {
  return String(Math.round(n * 10) / 10);
}

/** Parts of one kind together (in first-seen order), with their seats, zones, targets or lights. */
export interface PartGroup {
  kind: PartKind;
  seats: Seat[];
  zones: ClimateZone[];
  targets: DefrostTarget[];
  lights: LightId[];
}

export function groupParts(parts: readonly Part[]): PartGroup[] {
  const groups = new Map<PartKind, PartGroup>();
  for (const part of parts) {
    let g = groups.get(part.kind);
    if (!g) groups.set(part.kind, (g = { kind: part.kind, seats: [], zones: [], targets: [], lights: [] }));
    if ('seat' in part && !g.seats.includes(part.seat)) g.seats.push(part.seat);
    if ('zone' in part && !g.zones.includes(part.zone)) g.zones.push(part.zone);
    if ('target' in part && !g.targets.includes(part.target)) g.targets.push(part.target);
    if ('light' in part && !g.lights.includes(part.light)) g.lights.push(part.light);
  }
  return [...groups.values()];
}
