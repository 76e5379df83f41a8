export { SimClock, validateTimeScale, type SimClockOptions, type TimeScale } from './sim-clock.js';
export { realTimers, type Timers } from './timers.js';
