/**
 * Smoke test of `npm start` (scripts/start.ts): the whole stack on embedded defaults comes up from a
 * clean data directory, prints its URL, answers /healthz with live data from the simulated car and the
 * HMI route, and stops gracefully on SIGTERM. The HMI build folder is a temp dir here (the page
 * answers 503 "not built"), so this test never races the browser tests that build hmi-web/dist.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../', import.meta.url));

describe('npm start', () => {
  const dir = mkdtempSync(join(tmpdir(), 'auriga-start-'));
  let child: ChildProcess | undefined;
  afterAll(() => {
    child?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('brings up the stack, serves live car data, and stops on SIGTERM', { timeout: 90_000 }, async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', DATA_DIR: join(dir, 'data'), HMI_DIR: join(dir, 'hmi'), LOG_LEVEL: 'warn', AURIGA_SIM: 'highway', AURIGA_SIM_TIME_SCALE: '5', ASSISTANT_TTS: 'false' };
    delete env['MQTT_URL'];
    child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL printed:\n${out}`)), 60_000);
      const check = () => {
        const m = /HMI and API\s+(http:\/\/\S+?)\/?\s/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      };
      child!.stdout!.on('data', check);
      child!.once('exit', (code) => reject(new Error(`exited with ${code}:\n${out}`)));
    });
    expect(out).toMatch(/MQTT broker\s+mqtt:\/\/127\.0\.0\.1:\d+ \(embedded\)/);

    // The simulated car drives: speed becomes fresh and positive.
    let speed: { value: number | null; stale: boolean } | undefined;
    for (let i = 0; i < 100; i++) {
      speed = (await (await fetch(`${url}/v1/signals/Vehicle.Speed`)).json()) as { value: number | null; stale: boolean };
      if (!speed.stale && (speed.value ?? 0) > 0) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(speed).toMatchObject({ stale: false });
    expect(speed!.value).toBeGreaterThan(0);
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', mqtt: { connected: true, embeddedBroker: true } });
    // The HMI route is there (503 with build instructions: this test points HMI_DIR at an empty folder).
    const page = await fetch(`${url}/`);
    expect(page.status).toBe(503);
    expect(await page.text()).toMatch(/npm run build -w hmi-web/);

    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
