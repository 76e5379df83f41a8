/**
 * The HMI's production build for browser tests and screenshots: reuses hmi-web/dist when it is
 * newer than every source file, otherwise runs `vite build` (under a lock, so parallel test
 * files do not build into the same folder at once).
 */
import { existsSync, mkdirSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const HMI_DIR = fileURLToPath(new URL('../../../hmi-web/', import.meta.url));
export const HMI_DIST = join(HMI_DIR, 'dist');

function newestMtime(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

function buildIsFresh(): boolean {
  const index = join(HMI_DIST, 'index.html');
  if (!existsSync(index)) return false;
  const sources = Math.max(
    newestMtime(join(HMI_DIR, 'src')),
    newestMtime(join(HMI_DIR, 'index.html')),
    newestMtime(join(HMI_DIR, 'vite.config.ts')),
    newestMtime(join(HMI_DIR, 'package.json')),
  );
  return statSync(index).mtimeMs >= sources;
}

/** Returns hmi-web/dist, building it first when it is missing or older than the sources. */
export async function ensureHmiBuild(): Promise<string> {
  if (buildIsFresh()) return HMI_DIST;
  const lock = join(HMI_DIR, '.build-lock');
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Someone else is building; a lock older than 3 minutes is left over from a killed run.
      try {
        if (Date.now() - statSync(lock).mtimeMs > 180_000) rmdirSync(lock);
      } catch {
        // gone meanwhile
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for the HMI build lock ${lock}`);
      await new Promise((r) => setTimeout(r, 250));
      if (buildIsFresh()) return HMI_DIST;
    }
  }
  try {
    if (!buildIsFresh()) {
      const { build } = await import('vite');
      await build({ configFile: join(HMI_DIR, 'vite.config.ts'), root: HMI_DIR, logLevel: 'warn' });
    }
  } finally {
    rmdirSync(lock);
  }
  return HMI_DIST;
}
