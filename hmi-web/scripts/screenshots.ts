/**
 * Screenshots of every HMI screen against the real stack (Mosquitto, vehicle-service, can-sim),
 * saved to docs/screenshots/. Run from the repository root:
 *
 *   npm run screenshots -w hmi-web          (or: node --import tsx hmi-web/scripts/screenshots.ts)
 *
 * Needs Debian's chromium (scripts/install-system-deps.sh), Mosquitto on 127.0.0.1:1883 (or
 * MQTT_URL), and espeak-ng for the spoken command. AURIGA_SHOT_WARMUP_S sets how long the car
 * drives before the pictures (default 20 s, at 5x speed) so the trip chart has a history.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { launchChromium, watchProblems } from '../../test/hmi/support/browser.js';
import { ensureHmiBuild } from '../../test/hmi/support/build.js';
import { startHmiStack } from '../../test/hmi/support/stack.js';

const OUT = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));
const WARMUP_S = Number(process.env.AURIGA_SHOT_WARMUP_S ?? 20);
const COMMAND = 'set the driver temperature to twenty one degrees';

async function shoot(page: Page, name: string): Promise<void> {
  // Let live values and the chart settle after navigation.
  await page.waitForTimeout(800);
  const file = join(OUT, `${name}.png`);
  await page.screenshot({ path: file });
  console.log(`saved ${file}`);
}

async function open(page: Page, base: string, screen: string, theme: 'day' | 'night', lang: 'en-US' | 'zh-CN'): Promise<void> {
  // Settings come from the URL for a reproducible picture (the driver's choice lives in localStorage).
  await page.goto(`${base}/?screen=${screen}&theme=${theme}&lang=${lang}`);
  await page.locator(`main[data-screen="${screen}"]`).waitFor();
  await page.locator('[data-connection="live"]').waitFor({ timeout: 15_000 });
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const tmp = mkdtempSync(join(tmpdir(), 'auriga-shots-'));
  const wav = join(tmp, 'command.wav');
  let haveWav = true;
  try {
    execFileSync('espeak-ng', ['-v', 'en-us', '-s', '150', '-w', wav, COMMAND]);
  } catch {
    haveWav = false;
    console.warn('espeak-ng not found: the spoken command is left out of the Assistant screenshot');
  }

  const dist = await ensureHmiBuild();
  const stack = await startHmiStack({ dist, scenario: 'city', timeScale: 5, ...(process.env.MQTT_URL ? { mqttUrl: process.env.MQTT_URL } : {}) });
  const browser = await launchChromium(haveWav ? { fakeMicWav: `${wav}%noloop` } : {});
  try {
    console.log(`stack up at ${stack.url}; letting the car drive ${WARMUP_S} s for the trip chart…`);
    await new Promise((r) => setTimeout(r, WARMUP_S * 1000));

    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    const problems = watchProblems(page);

    // Assistant: a spoken and a typed command.
    await open(page, stack.url, 'assistant', 'day', 'en-US');
    if (haveWav) {
      const ptt = page.locator('.ptt-button');
      await ptt.waitFor();
      if (await ptt.isEnabled()) {
        await ptt.hover();
        await page.mouse.down();
        await page.waitForTimeout(3500);
        await page.mouse.up();
        await page.locator('.turn-list li').first().waitFor();
      }
    }
    await page.getByLabel('Type a command').fill(COMMAND);
    await page.getByRole('button', { name: 'Send' }).click();
    await page.locator('[data-answer]').waitFor();
    await shoot(page, 'assistant');

    // Vehicle: a climate tap, then a refused window at highway speed.
    await open(page, stack.url, 'vehicle', 'day', 'en-US');
    await page.getByRole('button', { name: 'Passenger: warmer' }).click();
    await page.locator('[data-control="climate"][data-state="confirmed"]').waitFor({ timeout: 15_000 });
    stack.sim?.set({ speedKmh: 110 });
    await page.waitForFunction(() => Number(document.querySelector('.value.speed')?.textContent?.replace(/[^0-9.]/g, '')) > 100, undefined, { timeout: 20_000 });
    await page.getByRole('button', { name: 'Open the Front left window' }).click();
    await page.locator('[data-control="windows"][data-state="refused"]').waitFor({ timeout: 15_000 });
    await shoot(page, 'vehicle');

    await open(page, stack.url, 'drive', 'day', 'en-US');
    await page.waitForFunction(() => Number(document.querySelector('.chart-host')?.getAttribute('data-points')) > 5, undefined, { timeout: 15_000 });
    await shoot(page, 'drive');

    await open(page, stack.url, 'updates', 'day', 'en-US');
    await shoot(page, 'updates');

    // Wide head unit, night theme, Chinese.
    await page.setViewportSize({ width: 1920, height: 720 });
    await open(page, stack.url, 'vehicle', 'night', 'zh-CN');
    await shoot(page, 'vehicle-1920-night-zh-CN');
    await open(page, stack.url, 'assistant', 'night', 'zh-CN');
    await shoot(page, 'assistant-1920-night-zh-CN');

    // The car goes silent: the stale banner.
    await page.setViewportSize({ width: 1280, height: 720 });
    await open(page, stack.url, 'vehicle', 'day', 'en-US');
    problems.pause();
    await stack.stopSim();
    await page.locator('[data-banner="vehicle-stale"]').waitFor({ timeout: 15_000 });
    await shoot(page, 'vehicle-stale');

    if (problems.errors.length > 0) {
      console.error(`page problems:\n${problems.errors.join('\n')}`);
      process.exitCode = 1;
    }
  } finally {
    await browser.close();
    await stack.close();
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
