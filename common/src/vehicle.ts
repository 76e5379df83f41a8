import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseDbc } from './dbc/parser.js';
import type { Dbc } from './dbc/types.js';
import { catalog, type SignalCatalog } from './catalog/catalog.js';
import { compileMapping } from './mapping/compile.js';
import type { VssMapping } from './mapping/types.js';

export interface VehicleDefinition {
  readonly dbc: Dbc;
  readonly catalog: SignalCatalog;
  readonly mapping: VssMapping;
  /** Absolute paths of the files it was read from. */
  readonly dbcPath: string;
  readonly mappingPath: string;
}

export const DEFAULT_DBC_PATH = fileURLToPath(new URL('../data/auriga.dbc', import.meta.url));
export const DEFAULT_MAPPING_PATH = fileURLToPath(new URL('../data/vss-mapping.yaml', import.meta.url));

/** Reads a DBC and a mapping file and compiles them against the catalog (throws the parser's / compiler's AurigaErrors). */
export function loadVehicle(dbcPath: string, mappingPath: string, signalCatalog: SignalCatalog = catalog): VehicleDefinition {
  const dbc = parseDbc(readFileSync(dbcPath, 'utf8'), { fileName: dbcPath });
  const mapping = compileMapping(readFileSync(mappingPath, 'utf8'), dbc, signalCatalog, mappingPath);
  return { dbc, catalog: signalCatalog, mapping, dbcPath, mappingPath };
}

let cached: VehicleDefinition | undefined;

/** The Auriga simulated car: common/data/auriga.dbc + common/data/vss-mapping.yaml, read once and cached. */
export function loadDefaultVehicle(): VehicleDefinition {
  cached ??= loadVehicle(DEFAULT_DBC_PATH, DEFAULT_MAPPING_PATH);
  return cached;
}
