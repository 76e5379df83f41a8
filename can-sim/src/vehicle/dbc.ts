import { readFileSync } from 'node:fs';
import { DEFAULT_DBC_PATH, parseDbc, type Dbc } from '@auriga/common';

let cached: Dbc | undefined;

/** Path of the car's DBC shipped with @auriga/common (common/data/auriga.dbc). */
export function defaultDbcPath(): string {
  return DEFAULT_DBC_PATH;
}

/**
 * The simulated car's DBC, parsed once. Only the DBC: the simulator does not need the VSS mapping,
 * so a problem in the mapping file cannot stop the car.
 */
export function loadSimDbc(): Dbc {
  cached ??= parseDbc(readFileSync(DEFAULT_DBC_PATH, 'utf8'), { fileName: DEFAULT_DBC_PATH });
  return cached;
}
