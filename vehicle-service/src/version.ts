import { readFileSync } from 'node:fs';

/** The running vehicle-service version (package.json): OTA releases name the service versions they support. */
export const SERVICE_VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
