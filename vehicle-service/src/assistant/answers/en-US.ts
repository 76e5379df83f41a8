import type { AnswerParams, ClimateZone, FailureKind, Operation, Part, PartFailure, Quantity, Seat, TyreId, WarningId } from '../types.js';
import { formatNumber, groupParts, type LanguagePack } from './common.js';

const SEAT: Record<Seat, string> = { driver: "driver's", passenger: "passenger's", rearLeft: 'rear left', rearRight: 'rear right' };
const ZONE: Record<ClimateZone, string> = { driver: "driver's", passenger: "passenger's" };
const TYRE: Record<TyreId, string> = { frontLeft: 'front left', frontRight: 'front right', rearLeft: 'rear left', rearRight: 'rear right' };

function seatsPhrase(seats: readonly Seat[], noun: string, nounPlural: string): string {
  const set = new Set(seats);
  if (set.size === 4) return `all ${nounPlural}`;
  if (set.size === 2 && set.has('rearLeft') && set.has('rearRight')) return `the rear ${nounPlural}`;
  if (set.size === 2 && set.has('driver') && set.has('passenger')) return `the front ${nounPlural}`;
  if (set.size === 1) return `the ${SEAT[seats[0]!]} ${noun}`;
  return `the ${join(seats.map((s) => SEAT[s]))} ${nounPlural}`;
}

function zonesPhrase(zones: readonly ClimateZone[], noun: string): string {
  return zones.length === 1 ? `the ${ZONE[zones[0]!]} ${noun}` : `the ${noun} on both sides`;
}

function join(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** "the driver's window", "all windows", "the doors and the trunk". */
export function partsPhrase(parts: readonly Part[]): string {
  const groups = groupParts(parts);
  const phrases: string[] = [];
  for (const g of groups) {
    switch (g.kind) {
      case 'temperature':
        phrases.push(zonesPhrase(g.zones, 'temperature'));
        break;
      case 'fan':
        phrases.push('the fan');
        break;
      case 'seatHeating':
        phrases.push(g.zones.length === 1 ? `the ${ZONE[g.zones[0]!]} seat heating` : 'the front seat heating');
        break;
      case 'window':
        phrases.push(seatsPhrase(g.seats, 'window', 'windows'));
        break;
      case 'doorLock':
        phrases.push(seatsPhrase(g.seats, 'door', 'doors'));
        break;
      case 'sunroof':
        phrases.push('the sunroof');
        break;
      case 'trunk':
      case 'trunkLock':
        phrases.push('the trunk');
        break;
      case 'airConditioning':
        phrases.push('the air conditioning');
        break;
      case 'defrost':
        phrases.push(g.targets.length === 2 ? 'the defrosters' : g.targets[0] === 'front' ? 'the windshield defroster' : 'the rear window defroster');
        break;
      case 'light':
        phrases.push(join(g.lights.map((l) => ({ headlights: 'the headlights', fogLights: 'the fog lights', hazards: 'the hazard lights', interior: 'the interior light' })[l])));
        break;
      case 'volume':
        phrases.push('the volume');
        break;
      case 'media':
        phrases.push('the music');
        break;
      case 'mediaSource':
        phrases.push('the audio source');
        break;
    }
  }
  // "all doors and the trunk" reads better as "the car".
  if (phrases.length === 2 && phrases[0] === 'all doors' && phrases[1] === 'the trunk') return 'the car';
  return join(phrases);
}

function pluralNoun(parts: readonly Part[]): string {
  const kind = parts[0]?.kind;
  return kind === 'window' ? 'windows' : kind === 'doorLock' || kind === 'trunkLock' ? 'locks' : kind === 'temperature' ? 'zones' : 'actions';
}

export function quantity(q: Quantity): string {
  switch (q.unit) {
    case 'celsius':
      return `${formatNumber(q.n)} °C`;
    case 'percent':
      return `${formatNumber(q.n)}%`;
    case 'km':
      return `${formatNumber(q.n)} km`;
    case 'kPa':
      return `${formatNumber(q.n)} kPa`;
    case 'level':
      return `level ${formatNumber(q.n)}`;
  }
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
/** Contact names as names: "john smith" -> "John Smith". */
const title = (s: string) => s.split(' ').map(cap).join(' ');

const PAST: Record<Operation, string> = {
  set: 'set', raise: 'raised', lower: 'lowered', open: 'opened', close: 'closed', tilt: 'tilted', lock: 'locked',
  unlock: 'unlocked', turnOn: 'turned on', turnOff: 'turned off', nextTrack: 'skipped', previousTrack: 'went back',
  pause: 'paused', resume: 'resumed', mute: 'muted', unmute: 'unmuted', undo: 'put back',
};
const INFINITIVE: Record<Operation, string> = {
  set: 'set', raise: 'raise', lower: 'lower', open: 'open', close: 'close', tilt: 'tilt', lock: 'lock', unlock: 'unlock',
  turnOn: 'turn on', turnOff: 'turn off', nextTrack: 'skip', previousTrack: 'go back', pause: 'pause', resume: 'resume',
  mute: 'mute', unmute: 'unmute', undo: 'put back',
};
const STATE: Partial<Record<Operation, string>> = { open: 'open', close: 'closed', lock: 'locked', unlock: 'unlocked', turnOn: 'on', turnOff: 'off' };

function done(p: AnswerParams): string {
  const parts = partsPhrase(p.parts ?? []);
  const to = p.value ? ` to ${quantity(p.value)}` : p.name ? ` to ${p.name}` : '';
  switch (p.op) {
    case 'nextTrack':
      return 'Skipping to the next track.';
    case 'previousTrack':
      return 'Back to the previous track.';
    case 'pause':
      return 'Paused.';
    case 'resume':
      return 'Resuming playback.';
    case 'mute':
      return 'Muted.';
    case 'unmute':
      return p.value ? `Sound is back on, at ${quantity(p.value)}.` : 'Sound is back on.';
    case 'undo':
      return `OK, I put ${parts} back.`;
    default:
      return `I ${PAST[p.op ?? 'set']} ${parts}${to || (p.by ? ` by ${quantity(p.by)}` : '')}.`;
  }
}

/** The policy's reason, in plain words, from its rule id (the raw reason stays in the actions list). */
function refusal(f: { part?: Part | undefined; parts?: readonly Part[] | undefined; op?: Operation | undefined; ruleId?: string | undefined; limitPercent?: number | undefined }): string {
  const what = partsPhrase(f.parts ?? (f.part ? [f.part] : []));
  const verb = INFINITIVE[f.op ?? 'set'];
  switch (f.ruleId) {
    case 'no-opening-above-walking-speed':
      return `I can't ${verb} ${what} while driving.`;
    case 'window-opening-limited-at-highway-speed':
      return `At this speed I can only open ${what} up to ${f.limitPercent ?? 20}%.`;
    case 'ecu-status-stale':
      return `I can't reach ${what} right now, so I left it as it is.`;
    case 'confirmation-declined':
      return `OK, I won't ${verb} ${what}.`;
    default:
      return `The car didn't let me ${verb} ${what}.`;
  }
}

const FAILURE: Record<FailureKind, string> = {
  timeout: "didn't respond in time",
  fault: 'reported a fault',
  busy: 'was busy',
  notConnected: "can't be reached: I'm not connected to the car",
  stale: "isn't reporting its state",
  other: 'failed',
};

function failureClause(f: PartFailure): string {
  const what = partsPhrase([f.part]);
  if (f.status === 'refused') return refusal({ part: f.part, ruleId: f.ruleId, limitPercent: f.limitPercent }).replace(/\.$/, '');
  return `${what} ${FAILURE[f.failure ?? (f.status === 'timeout' ? 'timeout' : 'other')]}`;
}

const WARNING: Record<WarningId, string> = {
  checkEngine: 'the check engine light is on',
  fuelLow: 'fuel is low',
  tyrePressureLow: 'a tyre pressure is low',
  washerFluidLow: 'washer fluid is low',
  absFault: 'the ABS reports a fault',
  escFault: 'the stability control reports a fault',
  troubleCodes: 'the car has stored fault codes',
};

const SLOT_QUESTION: Record<NonNullable<AnswerParams['slot']>, string> = {
  temperature: 'To what temperature?',
  window: 'Which window?',
  fanLevel: 'Which fan level, 1 to 7?',
  volume: 'What volume, 0 to 30?',
  contact: 'Who should I call?',
  place: 'Where to?',
};

function pressures(p: AnswerParams): string {
  return (p.pressures ?? []).map((t) => `${TYRE[t.tyre]} ${t.kPa} kPa${t.low ? ' (low)' : ''}`).join(', ');
}

export const EN_US: LanguagePack = {
  lang: 'en-US',
  partsPhrase,
  quantity,
  templates: {
    done,
    alreadyDone: (p) => `${cap(partsPhrase(p.part ? [p.part] : (p.parts ?? [])))} ${p.part?.kind === 'window' || p.parts?.length === 1 ? 'is' : 'are'} already ${STATE[p.op ?? 'close'] ?? 'set'}.`,
    atLimit: (p) => `${cap(partsPhrase(p.part ? [p.part] : []))} is already at its ${p.op === 'lower' ? 'lowest' : 'highest'}${p.value ? `, ${quantity(p.value)}` : ''}.`,
    partial: (p) => {
      const failures = (p.failures ?? []).map(failureClause);
      return `I ${PAST[p.op ?? 'set']} ${p.count} of ${p.total} ${pluralNoun(p.parts ?? [])}; ${failures.join('; ')}.`;
    },
    refused: (p) => refusal(p),
    failed: (p) => {
      const what = partsPhrase(p.parts ?? (p.part ? [p.part] : []));
      return `I couldn't ${INFINITIVE[p.op ?? 'set']} ${what}: it ${FAILURE[p.failure ?? 'other']}.`;
    },
    notUnderstood: () => "Sorry, I didn't get that.",
    askSlot: (p) => SLOT_QUESTION[p.slot ?? 'temperature'],
    askConfirmation: (p) => {
      const what = partsPhrase(p.parts ?? []);
      return p.ruleId === 'confirm-unlock-while-moving' ? `The car is moving. Should I ${INFINITIVE[p.op ?? 'unlock']} ${what}?` : `Should I ${INFINITIVE[p.op ?? 'open']} ${what}?`;
    },
    confirmationDeclined: () => "OK, I won't.",
    confirmationExpired: () => "OK, I won't.",
    cancelled: () => 'OK, cancelled.',
    nothingToCancel: () => "There's nothing to cancel.",
    nothingToAdjust: () => "I'm not sure what to change. Try saying it in full.",
    notAvailable: (p) => {
      // Climate and seat heating are unavailable only for the rear seats (front zones only on this car).
      if (p.part?.kind === 'temperature') return 'This car has no separate temperature control for the rear seats.';
      if (p.part?.kind === 'seatHeating') return 'This car has no seat heating in the rear.';
      return p.part ? `This car can't control ${partsPhrase([p.part])}.` : `This car can't control ${p.name ? `the ${p.name}` : 'that'}.`;
    },
    unknownValue: (p) => `I can't read ${p.part ? partsPhrase([p.part]) : `the ${p.name ?? 'value'}`} right now.`,
    fuel: (p) => `You have ${p.fuelPercent}% fuel${p.rangeKm !== undefined ? `, about ${p.rangeKm} km of range` : ''}.`,
    range: (p) => `You can drive about ${p.rangeKm} km on the fuel left.`,
    tyrePressures: (p) => {
      const low = (p.pressures ?? []).filter((t) => t.low);
      const head = low.length === 0 ? 'All tyres look fine' : `${cap(join(low.map((t) => `the ${TYRE[t.tyre]}`)))} ${low.length === 1 ? 'tyre is' : 'tyres are'} low`;
      return `${head}: ${pressures(p)}.`;
    },
    tyrePressure: (p) => {
      const t = p.pressures?.[0];
      return t ? `The ${TYRE[t.tyre]} tyre is at ${t.kPa} kPa${t.low ? ', which is low' : ''}.` : "I can't read the tyre pressure right now.";
    },
    warnings: (p) => `${(p.warnings ?? []).length === 1 ? 'One warning' : `${(p.warnings ?? []).length} warnings`}: ${join((p.warnings ?? []).map((w) => WARNING[w]))}.`,
    noWarnings: () => 'No warnings: everything looks fine.',
    vehicleStatus: (p) => {
      const w = p.warnings ?? [];
      const head = w.length === 0 ? 'The car is fine, no warnings' : `${cap(join(w.map((x) => WARNING[x])))}`;
      const fuel = p.fuelPercent !== undefined ? `; ${p.fuelPercent}% fuel${p.rangeKm !== undefined ? `, about ${p.rangeKm} km of range` : ''}` : '';
      return `${head}${fuel}.`;
    },
    driveSummary: (p) => `This drive so far: ${formatNumber(p.distanceKm ?? 0)} km.`,
    driveSummaryUnavailable: () => "I don't have a summary for that period yet.",
    phoneUnavailable: (p) => `No phone is connected, so I can't ${p.name ? `call ${title(p.name)}` : 'handle calls'}.`,
    navigationUnavailable: (p) => {
      const why = p.category ? `, so I can't find a ${p.category} nearby` : p.name ? `, so I can't take you ${p.name === 'home' ? 'home' : `to ${p.name}`}` : '';
      return `Navigation isn't available on this head unit${why}.`;
    },
    help: () => 'You can say things like "make it warmer", "open the window", "lock the doors" or "how much fuel do I have?".',
    nothingOpen: (p) => `${cap(partsPhrase(p.parts ?? []))} are already closed.`,
    internalError: () => 'Sorry, something went wrong on my side.',
    nothingToConfirm: () => "There's nothing to confirm right now.",
  },
};
