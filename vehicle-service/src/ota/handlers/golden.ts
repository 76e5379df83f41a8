import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ManifestFile } from '@auriga/ota/client';

/** The bundle's acceptance data: the file with role `acceptance-data` (JSON), or undefined when there is none. */
export async function readAcceptanceData(dir: string, files: readonly ManifestFile[]): Promise<unknown> {
  const file = files.find((f) => f.role === 'acceptance-data');
  if (!file) return undefined;
  const text = await readFile(join(dir, ...file.path.split('/')), 'utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new Error(`${file.path} is not JSON (${(err as Error).message})`);
  }
}
