import { PATHS, TYRES } from '../car.js';
import type { TyreId, WarningId } from '../types.js';
import { answer, type PlanContext, type Planner } from './common.js';

/** Questions about the car: answered from current values, with units; never an actuation. */

const TYRE_SLOT: Record<string, TyreId> = { 'front left': 'frontLeft', 'front right': 'frontRight', 'rear left': 'rearLeft', 'rear right': 'rearRight' };

function rangeKm(ctx: PlanContext): number | undefined {
  const meters = ctx.car.number(PATHS.fuelRange); // VSS Range is in meters
  return meters === undefined ? undefined : Math.round(meters / 1000);
}

export const askFuelLevel: Planner = (ctx) => {
  const fuelPercent = ctx.car.number(PATHS.fuelLevel);
  if (fuelPercent === undefined) return answer('unknownValue', { name: 'fuel' });
  const km = rangeKm(ctx);
  return answer('fuel', { fuelPercent: Math.round(fuelPercent), ...(km !== undefined ? { rangeKm: km } : {}) });
};

export const askRange: Planner = (ctx) => {
  const km = rangeKm(ctx);
  return km === undefined ? answer('unknownValue', { name: 'range' }) : answer('range', { rangeKm: km });
};

export const askTyrePressure: Planner = (ctx) => {
  const tyres = ctx.slots.tyre && TYRE_SLOT[ctx.slots.tyre] ? [TYRE_SLOT[ctx.slots.tyre]!] : TYRES;
  const pressures = [];
  for (const tyre of tyres) {
    const kPa = ctx.car.number(PATHS.tyrePressure(tyre));
    if (kPa === undefined) continue;
    pressures.push({ tyre, kPa: Math.round(kPa), low: ctx.car.boolean(PATHS.tyreLow(tyre)) === true });
  }
  if (pressures.length === 0) return answer('unknownValue', { name: 'tyres' });
  return answer(tyres.length === 1 ? 'tyrePressure' : 'tyrePressures', { pressures });
};

/** Active warnings, most important first. */
export function activeWarnings(ctx: PlanContext): WarningId[] {
  const out: WarningId[] = [];
  if (ctx.car.boolean(PATHS.checkEngine)) out.push('checkEngine');
  if (ctx.car.boolean(PATHS.absError)) out.push('absFault');
  if (ctx.car.boolean(PATHS.escError)) out.push('escFault');
  if (TYRES.some((t) => ctx.car.boolean(PATHS.tyreLow(t)))) out.push('tyrePressureLow');
  if (ctx.car.boolean(PATHS.fuelLow)) out.push('fuelLow');
  if (ctx.car.boolean(PATHS.washerFluidLow)) out.push('washerFluidLow');
  if (!out.includes('checkEngine') && (ctx.car.number(PATHS.dtcCount) ?? 0) > 0) out.push('troubleCodes');
  return out;
}

export const askWarnings: Planner = (ctx) => {
  const warnings = activeWarnings(ctx);
  return warnings.length === 0 ? answer('noWarnings') : answer('warnings', { warnings });
};

export const askVehicleStatus: Planner = (ctx) => {
  const fuelPercent = ctx.car.number(PATHS.fuelLevel);
  const km = rangeKm(ctx);
  return answer('vehicleStatus', {
    warnings: activeWarnings(ctx),
    ...(fuelPercent !== undefined ? { fuelPercent: Math.round(fuelPercent) } : {}),
    ...(km !== undefined ? { rangeKm: km } : {}),
  });
};

/** Only the current drive is known here (distance since start); day and week summaries come from the trip log. */
export const summarizeDrive: Planner = (ctx) => {
  const period = ctx.slots.period ?? 'drive';
  const km = ctx.car.number(PATHS.distanceSinceStart);
  if (period !== 'drive' || km === undefined) return answer('driveSummaryUnavailable');
  return answer('driveSummary', { distanceKm: Math.round(km * 10) / 10 });
};

export const help: Planner = () => answer('help');

export const QUERY_PLANNERS: Record<string, Planner> = {
  askFuelLevel,
  askRange,
  askTyrePressure,
  askWarnings,
  askVehicleStatus,
  summarizeDrive,
  help,
};
