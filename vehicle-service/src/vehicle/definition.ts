import { readFile } from 'node:fs/promises';
import {
  catalog as defaultCatalog,
  compileMapping,
  createDbcCodec,
  isAurigaError,
  loadDefaultVehicle,
  parseDbc,
  type Dbc,
  type DbcCodec,
  type SignalCatalog,
  type VssMapping,
} from '@auriga/common';
import { VehicleDefinitionError } from '../errors.js';

/** The car the service talks to: its DBC, signal catalog and DBC <-> VSS mapping. */
export interface VehicleDefinition {
  dbc: Dbc;
  codec: DbcCodec;
  catalog: SignalCatalog;
  mapping: VssMapping;
  dbcPath: string;
  mappingPath: string;
}

/**
 * Loads the shipped definition, or the DBC and/or mapping files named by the configuration
 * (a custom DBC is mapped with the shipped mapping unless a mapping file is given too).
 */
export async function loadVehicleDefinition(files: { dbcFile?: string | undefined; mappingFile?: string | undefined }): Promise<VehicleDefinition> {
  try {
    const shipped = loadDefaultVehicle();
    if (!files.dbcFile && !files.mappingFile) {
      return { ...shipped, codec: createDbcCodec(shipped.dbc) };
    }
    const dbcPath = files.dbcFile ?? shipped.dbcPath;
    const mappingPath = files.mappingFile ?? shipped.mappingPath;
    const dbc = files.dbcFile ? parseDbc(await readText(dbcPath, 'DBC_FILE'), { fileName: dbcPath }) : shipped.dbc;
    const mapping = compileMapping(await readText(mappingPath, 'VSS_MAPPING_FILE'), dbc, defaultCatalog, mappingPath);
    return { dbc, codec: createDbcCodec(dbc), catalog: defaultCatalog, mapping, dbcPath, mappingPath };
  } catch (err) {
    if (isAurigaError(err) && err.code === VehicleDefinitionError.code) throw err;
    throw VehicleDefinitionError(err instanceof Error ? err.message : String(err), { cause: err });
  }
}

async function readText(file: string, variable: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw VehicleDefinitionError(`cannot read ${file} (${variable}): ${(err as Error).message}`, { cause: err });
  }
}
