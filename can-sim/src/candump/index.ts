export { CandumpRecorder, type CandumpRecorderOptions } from './recorder.js';
export { replayCandump, type ReplayOptions, type ReplayResult } from './replay.js';
