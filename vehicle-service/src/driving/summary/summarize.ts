import { DERIVED, durationFact, fact, roundTo } from '../facts.js';
import { P, tyrePressurePath, WHEELS, type Wheel } from '../signals.js';
import { SITUATIONS, type DrivingEvent, type Fact, type Lang, type Summary, type TripRecord } from '../types.js';
import { PHRASES, type Phrases } from './i18n.js';

/**
 * Grounded summaries: every statement is built from facts (signal, value, unit, time) and every number
 * in the text is printed from a fact's value, so the API can return the facts beside the text and a
 * test can check that nothing was made up. Statements are ranked by what matters to the driver now:
 * safety (tyres, warnings, doors, low fuel) before habits (speeding, harsh events) before statistics.
 */

interface Statement {
  /** Higher first. */
  priority: number;
  facts: Fact[];
  render: (t: Phrases) => string;
}

/** Safety first, then what costs money or time, then the record. */
export const PRIORITY = {
  tyre: 100,
  warning: 95,
  door: 90,
  lowFuel: 85,
  longDrive: 75,
  speeding: 70,
  harsh: 60,
  adas: 50,
  trip: 40,
  fuel: 35,
  consumption: 30,
  situations: 20,
  style: 15,
} as const;

export interface SummaryOptions {
  /** Most statements in the text (default 5): short enough to be read out. */
  maxStatements?: number;
}

const str = (f: Fact): string => String(f.value);

function tyreStatement(e: DrivingEvent): Statement {
  const w = e.subject as Wheel;
  const facts = [fact(`tyre.${w}.pressure`, e.path, Math.round(e.value as number), 'kPa', e.valueAt)];
  const deficit = e.data?.deficit && e.data.deficit.value > 0 ? fact(`tyre.${w}.deficit`, e.data.deficit.path, Math.round(e.data.deficit.value), 'kPa', e.data.deficit.at) : undefined;
  const rate = e.data?.rate ? fact(`tyre.${w}.rate`, e.data.rate.path, roundTo(e.data.rate.value, 1), 'kPa/min', e.data.rate.at) : undefined;
  if (deficit) facts.push(deficit);
  if (rate) facts.push(rate);
  return {
    priority: PRIORITY.tyre + (e.endedAt === undefined ? 5 : 0),
    facts,
    render: (t) => t.tyre(t.wheel[w] ?? w, str(facts[0]!), deficit && str(deficit), rate && str(rate)),
  };
}

function lowFuelStatement(e: DrivingEvent): Statement {
  const facts: Fact[] = [];
  const level = typeof e.value === 'number' ? fact('fuel.level', P.fuelLevel, Math.round(e.value), 'percent', e.valueAt) : undefined;
  if (level) facts.push(level);
  const range = e.data?.range ? fact('fuel.range', P.fuelRange, Math.round(e.data.range.value), 'km', e.data.range.at) : undefined;
  if (range) facts.push(range);
  if (!level) facts.push(fact('fuel.low', P.fuelLow, true, '', e.valueAt));
  return { priority: PRIORITY.lowFuel, facts, render: (t) => t.lowFuel(level ? str(level) : '?', range && str(range)) };
}

function eventStatements(events: readonly DrivingEvent[], counts: TripRecord['stats']['eventCounts'], at: number, limitKmh: number): Statement[] {
  const out: Statement[] = [];
  // Tyres: the latest occurrence per wheel.
  const tyres = new Map<string, DrivingEvent>();
  for (const e of events) if (e.kind === 'tyre_pressure') tyres.set(e.subject, e);
  for (const e of tyres.values()) out.push(tyreStatement(e));
  const warnings = new Map<string, DrivingEvent>();
  for (const e of events) if (e.kind === 'warning') warnings.set(e.path, e);
  for (const e of warnings.values()) {
    out.push({ priority: PRIORITY.warning, facts: [fact(`warning.${e.path}`, e.path, e.value, '', e.startedAt)], render: (t) => t.warningOn(t.warning(e.path)) });
  }
  const doors = new Map<string, DrivingEvent>();
  for (const e of events) if (e.kind === 'door_open_moving') doors.set(e.subject, e);
  for (const e of doors.values()) {
    const speed = fact(`door.${e.subject}.speed`, P.speed, Math.round(e.data?.speed?.value ?? 0), 'km/h', e.data?.speed?.at ?? e.startedAt);
    out.push({ priority: PRIORITY.door, facts: [fact(`door.${e.subject}`, e.path, true, '', e.startedAt), speed], render: (t) => t.doorMoving(t.opening(e.path), str(speed)) });
  }
  const fuel = events.filter((e) => e.kind === 'low_fuel').at(-1);
  if (fuel) out.push(lowFuelStatement(fuel));
  const long = events.filter((e) => e.kind === 'long_drive').at(-1);
  if (long) {
    const minutes = durationFact('drive.sinceBreak', (long.value as number) * 60, long.startedAt);
    out.push({ priority: PRIORITY.longDrive, facts: [minutes], render: (t) => t.longDrive(t.duration(str(minutes), minutes.unit)) });
  }
  const speeding = events.filter((e) => e.kind === 'speeding');
  if (speeding.length > 0 && counts.speeding) {
    const worst = speeding.reduce((a, b) => ((b.value as number) > (a.value as number) ? b : a));
    const count = fact('speeding.count', DERIVED.eventCount, counts.speeding, '', at);
    const max = fact('speeding.max', P.speed, Math.round(worst.value as number), 'km/h', worst.valueAt);
    const limit = fact('speeding.limit', P.speed, worst.data?.limit?.value ?? limitKmh, 'km/h', worst.startedAt);
    out.push({ priority: PRIORITY.speeding, facts: [count, max, limit], render: (t) => t.speeding(str(count), str(max), str(limit)) });
  }
  const harshKinds = (['harsh_braking', 'harsh_acceleration', 'sharp_cornering'] as const).filter((k) => (counts[k] ?? 0) > 0);
  if (harshKinds.length > 0) {
    const facts = harshKinds.map((k) => fact(`events.${k}`, DERIVED.eventCount, counts[k]!, '', at));
    out.push({ priority: PRIORITY.harsh, facts, render: (t) => t.harsh(harshKinds.map((k, i) => t.harshPart[k](str(facts[i]!)))) });
  }
  if ((counts.adas_alert ?? 0) > 0) {
    const n = fact('events.adas_alert', DERIVED.eventCount, counts.adas_alert!, '', at);
    out.push({ priority: PRIORITY.adas, facts: [n], render: (t) => t.adas(str(n)) });
  }
  return out;
}

function render(statements: Statement[], lang: Lang, options: SummaryOptions): Summary {
  const t = PHRASES[lang];
  const chosen = [...statements].sort((a, b) => b.priority - a.priority).slice(0, options.maxStatements ?? 5);
  if (chosen.length === 0) return { text: t.empty, lang, facts: [] };
  const facts: Fact[] = [];
  const seen = new Set<string>();
  for (const s of chosen) for (const f of s.facts) if (!seen.has(f.id)) { seen.add(f.id); facts.push(f); }
  return { text: chosen.map((s) => s.render(t)).join(t.join), lang, facts };
}

/** "Summarize my drive": a trip (in progress or finished). */
export function summarizeTrip(trip: TripRecord, lang: Lang, options: SummaryOptions & { now?: number; speedLimitKmh?: number } = {}): Summary {
  const at = trip.endedAt ?? options.now ?? trip.startedAt;
  const s = trip.stats;
  const statements = eventStatements(trip.events, s.eventCounts, at, options.speedLimitKmh ?? 130);
  const km = fact('trip.distance', P.odometer, roundTo(s.distanceKm, 1), 'km', at);
  const duration = durationFact('trip.duration', s.durationS, at);
  const avg = fact('trip.avgSpeed', P.speed, Math.round(s.avgSpeedKmh), 'km/h', at);
  const max = fact('trip.maxSpeed', P.speed, Math.round(s.maxSpeedKmh), 'km/h', s.maxSpeedAt || at);
  statements.push({ priority: PRIORITY.trip, facts: [km, duration, avg, max], render: (t) => t.trip(str(km), t.duration(str(duration), duration.unit), str(avg), str(max)) });
  if (s.fuelUsedL >= 0.05 && s.distanceKm >= 1) {
    const liters = fact('trip.fuelUsed', P.consumption, roundTo(s.fuelUsedL, 1), 'l', at);
    const per100 = fact('trip.avgConsumption', P.consumption, roundTo(s.avgConsumptionL100, 1), 'l/100km', at);
    statements.push({ priority: PRIORITY.consumption, facts: [liters, per100], render: (t) => t.consumption(str(liters), str(per100)) });
  }
  const total = SITUATIONS.reduce((sum, k) => sum + s.situations[k], 0);
  if (total > 0) {
    const shares = SITUATIONS.filter((k) => k !== 'parked')
      .map((k) => ({ k, pct: Math.round((s.situations[k] / total) * 100) }))
      .filter((x) => x.pct >= 5)
      .sort((a, b) => b.pct - a.pct)
      .slice(0, 3);
    if (shares.length > 0) {
      const facts = shares.map((x) => fact(`situation.${x.k}`, DERIVED.situation, x.pct, 'percent', at));
      statements.push({ priority: PRIORITY.situations, facts, render: (t) => t.situations(shares.map((x, i) => t.situationPart(t.situation[x.k]!, str(facts[i]!)))) });
    }
  }
  if (s.styleScore !== undefined) {
    const score = fact('trip.style', DERIVED.style, Math.round(s.styleScore), '', at);
    statements.push({ priority: PRIORITY.style, facts: [score], render: (t) => t.style(t.styleLabel(score.value as number), str(score)) });
  }
  return render(statements, lang, options);
}

/** What "how is the car" looks at: the current readings and the events in progress. */
export interface CarSnapshot {
  now: number;
  /** Current value and time of a signal, undefined when unknown or stale. */
  read: (path: string) => { value: unknown; at: number } | undefined;
  activeEvents: readonly DrivingEvent[];
}

/** "How is the car": active problems first, then fuel, tyres and warning lights. */
export function summarizeCar(snapshot: CarSnapshot, lang: Lang, options: SummaryOptions = {}): Summary {
  const active = snapshot.activeEvents.filter((e) => e.kind === 'tyre_pressure' || e.kind === 'warning' || e.kind === 'door_open_moving' || e.kind === 'low_fuel');
  const counts: TripRecord['stats']['eventCounts'] = {};
  const statements = eventStatements(active, counts, snapshot.now, 130);
  if (!active.some((e) => e.kind === 'low_fuel')) {
    const level = snapshot.read(P.fuelLevel);
    if (level && typeof level.value === 'number') {
      const pct = fact('fuel.level', P.fuelLevel, Math.round(level.value), 'percent', level.at);
      const r = snapshot.read(P.fuelRange);
      const range = r && typeof r.value === 'number' ? fact('fuel.range', P.fuelRange, Math.round(r.value / 1000), 'km', r.at) : undefined;
      statements.push({ priority: PRIORITY.fuel, facts: range ? [pct, range] : [pct], render: (t) => t.fuel(str(pct), range && str(range)) });
    }
  }
  if (!active.some((e) => e.kind === 'tyre_pressure')) {
    const tyres = WHEELS.map((w) => ({ w, r: snapshot.read(tyrePressurePath(w)) })).filter((x) => x.r && typeof x.r.value === 'number');
    if (tyres.length > 0) {
      const sorted = [...tyres].sort((a, b) => (a.r!.value as number) - (b.r!.value as number));
      const lo = sorted[0]!;
      const hi = sorted[sorted.length - 1]!;
      const min = fact(`tyre.${lo.w}.pressure`, tyrePressurePath(lo.w), Math.round(lo.r!.value as number), 'kPa', lo.r!.at);
      const max = fact(`tyre.${hi.w}.pressure`, tyrePressurePath(hi.w), Math.round(hi.r!.value as number), 'kPa', hi.r!.at);
      statements.push({ priority: PRIORITY.fuel - 1, facts: min.id === max.id ? [min] : [min, max], render: (t) => t.tyresOk(str(min), str(max)) });
    }
  }
  if (!active.some((e) => e.kind === 'warning')) {
    const mil = snapshot.read(P.mil);
    if (mil && mil.value === false) statements.push({ priority: PRIORITY.fuel - 2, facts: [fact('warning.none', P.mil, false, '', mil.at)], render: (t) => t.noWarnings });
  }
  return render(statements, lang, options);
}

/** The text of a proactive notification about one event, with its facts. */
export function notificationSummary(e: DrivingEvent, lang: Lang): Summary {
  const statements = eventStatements([e], {}, e.valueAt, 130);
  return render(statements, lang, { maxStatements: 1 });
}
