import { BODY_PLANNERS } from './body.js';
import { CLIMATE_PLANNERS } from './climate.js';
import type { Planner } from './common.js';
import { MEDIA_PLANNERS } from './media.js';
import { PHONE_NAV_PLANNERS } from './phone-nav.js';
import { QUERY_PLANNERS } from './queries.js';
import { WINDOW_PLANNERS } from './windows.js';

export * from './common.js';
export { changeTemperatureBy, changeFanBy, seatHeatingTo } from './climate.js';
export { changeVolumeBy } from './media.js';
export { stepWindows } from './windows.js';
export { externalDomain, type ExternalDomain, type ExternalHandler } from './phone-nav.js';

/** Every car-context intent that is not a dialogue move -> its planner. */
export const PLANNERS: Readonly<Record<string, Planner>> = {
  ...CLIMATE_PLANNERS,
  ...WINDOW_PLANNERS,
  ...BODY_PLANNERS,
  ...MEDIA_PLANNERS,
  ...QUERY_PLANNERS,
  ...PHONE_NAV_PLANNERS,
};

/** Intents the dialogue manager handles (follow-ups and answers to questions). */
export const DIALOGUE_INTENTS = ['addZone', 'adjustMore', 'adjustLess', 'cancel', 'fillSlot', 'confirm', 'deny'] as const;
