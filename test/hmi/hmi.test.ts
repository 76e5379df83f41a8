/**
 * The head-unit screen in a real browser (Debian's Chromium via playwright-core) against the real
 * stack: Mosquitto, vehicle-service and can-sim (test/hmi/support/stack.ts). The spoken command goes
 * through the service's real voice stream (Chromium's fake microphone plays an espeak-ng WAV); the
 * gateway only taps the streamed PCM so the test can compare it with the WAV.
 *
 * One browser page walks through the screens in order; the last tests stop the car, then the service.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resample } from '../../hmi-web/src/audio/resample.js';
import { PALETTES } from '../../hmi-web/src/theme/palette.js';
import { bestCorrelation, envelope, readWav, speakToWav } from './support/audio.js';
import { launchChromium, watchProblems, type PageProblems } from './support/browser.js';
import { ensureHmiBuild } from './support/build.js';
import { startHmiStack, type HmiStack } from './support/stack.js';
import { waitFor } from '@auriga/common/testing';

const DRIVER_TEMP = 'Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature';
const PASSENGER_TEMP = 'Vehicle.Cabin.HVAC.Station.Row1.Passenger.Temperature';
const SPOKEN = 'set the driver temperature to twenty one degrees';
const WORDS: Record<number, string> = { 22: 'twenty two', 23: 'twenty three', 24: 'twenty four' };

let stack: HmiStack;
let browser: Browser;
let page: Page;
let problems: PageProblems;
let tmp: string;
let wav: string;

function hexToRgb(hex: string): string {
  const n = Number.parseInt(hex.slice(1), 16);
  return `rgb(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255})`;
}

async function open(screen: string, query = 'theme=day&lang=en-US'): Promise<void> {
  await page.goto(`${stack.url}/?screen=${screen}&${query}`);
  await page.locator(`main[data-screen="${screen}"]`).waitFor();
  await page.locator('[data-connection="live"]').waitFor({ timeout: 15_000 });
}

/** Page overflow, clipped cards, touch targets under 48 px and unlabelled controls on the current screen. */
async function layoutProblems(): Promise<string[]> {
  return page.evaluate<string[]>(`(() => {
    const out = [];
    const d = document.documentElement;
    if (d.scrollWidth > innerWidth || d.scrollHeight > innerHeight) out.push('page scrolls: ' + d.scrollWidth + 'x' + d.scrollHeight);
    for (const el of document.querySelectorAll('.card, .nav, .topbar')) {
      if (el.scrollHeight > el.clientHeight + 1 || el.scrollWidth > el.clientWidth + 1)
        out.push('clipped ' + (el.dataset.card || el.className) + ': ' + el.scrollWidth + 'x' + el.scrollHeight + ' in ' + el.clientWidth + 'x' + el.clientHeight);
    }
    // Text wider than its box spills over its neighbours without clipping any card.
    for (const el of document.querySelectorAll('.step-value, .stepper, .zone, dd, .gear, .speed-row, .window-name, .body-actions, .energy-head, .climate-temps')) {
      if (el.scrollWidth > el.clientWidth + 1) out.push('overflowing ' + el.className + ' "' + el.textContent.slice(0, 30) + '": ' + el.scrollWidth + ' in ' + el.clientWidth);
    }
    for (const el of document.querySelectorAll('button, input, summary, [role=tab]')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      if (r.width < 48 || r.height < 48) out.push('small target ' + (el.getAttribute('aria-label') || el.textContent) + ': ' + Math.round(r.width) + 'x' + Math.round(r.height));
      if (!(el.getAttribute('aria-label') || el.textContent.trim() || (el.labels && el.labels.length))) out.push('unlabelled ' + el.outerHTML.slice(0, 80));
    }
    return out;
  })()`);
}

/**
 * Polls a JavaScript expression in the page until it is truthy. (Playwright's string predicates
 * run through eval, which the HMI's Content-Security-Policy rightly forbids; evaluate does not.)
 */
async function pageWaits(expression: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await page.evaluate<boolean>(`Boolean(${expression})`))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting in the page for ${expression}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'auriga-hmi-test-'));
  wav = join(tmp, 'command.wav');
  speakToWav(SPOKEN, wav);
  const dist = await ensureHmiBuild();
  stack = await startHmiStack({ dist, scenario: 'parked', timeScale: 1 });
  browser = await launchChromium({ fakeMicWav: `${wav}%noloop` });
  page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  problems = watchProblems(page);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

afterEach(() => {
  // Uncaught exceptions and console errors fail the test that caused them.
  expect(problems.errors, problems.errors.join('\n')).toEqual([]);
});

describe('the HMI in Chromium against can-sim, vehicle-service and Mosquitto', () => {
  it('runs a typed command: intent, slots, answer and the confirmed action, and the car follows', async () => {
    await open('assistant');
    const before = stack.service.state.get(DRIVER_TEMP)?.value as number;
    const target = before === 23 ? 24 : 23;
    await page.getByLabel('Type a command').fill(`set the driver temperature to ${WORDS[target]} degrees`);
    await page.getByRole('button', { name: 'Send' }).click();

    const answer = page.locator('#answer-title').locator('xpath=ancestor::section');
    await answer.locator('[data-intent="setTemperature"]').waitFor();
    await expect(answer.locator('[data-slot="zone"]').textContent()).resolves.toBe('zone: driver');
    await answer.locator('[data-action-status="confirmed"]').waitFor();
    expect(await answer.locator('[data-answer]').textContent()).not.toBe('');
    expect(stack.service.state.get(DRIVER_TEMP)?.value).toBe(target);
    // The typed field is cleared and the turn is listed.
    expect(await page.getByLabel('Type a command').inputValue()).toBe('');
    await expect(page.locator('.turn-list li').count()).resolves.toBe(1);
    expect(await layoutProblems()).toEqual([]);

    // The Vehicle screen shows the new set point from the live stream.
    await page.getByRole('tab', { name: 'Vehicle' }).click();
    await page.locator('[data-zone="Driver"] output').first().filter({ hasText: `${target}.0` }).waitFor();
  });

  it('a spoken command goes through the real voice stream: 16 kHz PCM, understood, and the car follows', async () => {
    await open('assistant');
    const before = stack.service.state.get(DRIVER_TEMP)?.value as number;
    expect(before).not.toBe(21); // the typed command above left 23 or 24
    const recordings = stack.voiceRecordings.length;
    const ptt = page.getByRole('button', { name: /^Push to talk/ });
    await expect(ptt.isEnabled()).resolves.toBe(true);
    const box = (await ptt.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.locator('.ptt-button[data-state="recording"]').waitFor();
    // The level meter moves while the driver speaks.
    await pageWaits('Number(document.querySelector(".level-meter")?.getAttribute("aria-valuenow")) > 10', 5000);
    await page.waitForTimeout(3500);
    await page.mouse.up();
    const turn = page.locator('.turn-list li').first();
    await turn.filter({ hasText: 'Spoken command' }).waitFor({ timeout: 15_000 });

    // What the page streamed (tapped by the gateway on its way to the service) is the TTS command:
    // 16 kHz mono PCM whose loudness envelope follows the WAV's (20 ms frames).
    const rec = stack.voiceRecordings.slice(recordings).find((r) => r.ended)!;
    expect(rec).toBeDefined();
    expect(rec.start).toEqual({ type: 'start', lang: 'en-US', sampleRate: 16000, encoding: 'pcm_s16le', channels: 1 });
    const seconds = rec.pcm.length / 16000;
    expect(seconds).toBeGreaterThan(3);
    expect(seconds).toBeLessThan(6);
    const { rate, samples } = readWav(wav);
    const reference = envelope(resample(samples, rate), 320);
    const received = envelope(rec.pcm, 320, 32768);
    expect(received.filter((v) => v > 0.01).length).toBeGreaterThan(40);
    expect(bestCorrelation(reference, received, 75).r).toBeGreaterThan(0.7);

    // The service's speech engine understood it, the assistant acted, and the simulated car followed.
    const answer = page.locator('#answer-title').locator('xpath=ancestor::section');
    await answer.locator('[data-intent="setTemperature"]').waitFor({ timeout: 15_000 });
    await expect(answer.locator('[data-slot="zone"]').textContent()).resolves.toBe('zone: driver');
    await answer.locator('[data-action-status="confirmed"]').waitFor({ timeout: 15_000 });
    expect(await answer.locator('[data-answer]').textContent()).not.toBe('');
    expect(stack.service.state.get(DRIVER_TEMP)?.value).toBe(21);
    const stored = await stack.service.store.turns({ limit: 1 });
    expect(stored[0]).toMatchObject({ source: 'voice', intent: 'setTemperature' });
  });

  it('sends a climate tap through the actuation API and shows the outcome', async () => {
    await open('vehicle');
    const before = stack.service.state.get(PASSENGER_TEMP)?.value as number;
    const target = before >= 30 ? before - 0.5 : before + 0.5;
    await page.getByRole('button', { name: target > before ? 'Passenger: warmer' : 'Passenger: cooler' }).click();
    await page.locator('[data-control="climate"][data-state="confirmed"]').waitFor({ timeout: 15_000 });
    expect(await page.locator('[data-control="climate"]').textContent()).toBe('Done');
    expect(stack.service.state.get(PASSENGER_TEMP)?.value).toBe(target);
    await page.locator('[data-zone="Passenger"] output').first().filter({ hasText: target.toFixed(1) }).waitFor();
  });

  it('shows a refused action as refused, with the policy’s reason', async () => {
    await open('vehicle');
    stack.sim!.set({ speedKmh: 100 });
    await waitFor('100 km/h', () => Math.abs((stack.service.state.get('Vehicle.Speed')?.value as number) - 100) < 1);
    await pageWaits('Number(document.querySelector(".value.speed")?.textContent?.replace(/[^0-9.]/g, "")) > 95');
    await page.getByRole('button', { name: 'Open the Front left window' }).click();
    const note = page.locator('[data-control="windows"][data-state="refused"]');
    await note.waitFor({ timeout: 15_000 });
    const text = (await note.textContent()) ?? '';
    expect(text).toMatch(/^Refused: .*20%/);
    await expect(note.getAttribute('class')).resolves.toContain('danger');
    expect(stack.service.state.get('Vehicle.Cabin.Door.Row1.DriverSide.Window.Position')?.value).toBe(0);
    // The reason fits its card.
    expect(await layoutProblems()).toEqual([]);
    stack.sim!.set({ speedKmh: 0 });
  });

  it('switches to the night theme and Chinese, and keeps the choice after a reload', async () => {
    await page.goto(`${stack.url}/?screen=vehicle`);
    await page.evaluate('localStorage.clear()');
    await page.goto(`${stack.url}/#vehicle`);
    await page.locator('[data-connection="live"]').waitFor({ timeout: 15_000 });
    await page.getByRole('button', { name: 'Night theme' }).click();
    await page.getByRole('button', { name: /^Language/ }).click();

    const look = async () =>
      page.evaluate<{ theme: string; lang: string; bg: string; nav: string; title: string }>(
        `(() => ({ theme: document.documentElement.dataset.theme, lang: document.documentElement.lang,
           bg: getComputedStyle(document.body).backgroundColor,
           nav: [...document.querySelectorAll('[role=tab]')].map((e) => e.textContent).join(','),
           title: document.querySelector('.topbar h1').textContent }))()`,
      );
    const expected = { theme: 'night', lang: 'zh-CN', bg: hexToRgb(PALETTES.night.bg), nav: '助手,车辆,行程,更新', title: '车辆' };
    expect(await look()).toEqual(expected);
    await page.getByRole('button', { name: '主驾：升温' }).waitFor();
    await page.getByRole('heading', { name: '空调' }).waitFor();

    await page.reload();
    await page.locator('[data-connection="live"]').waitFor({ timeout: 15_000 });
    expect(await look()).toEqual(expected);
    await page.evaluate('localStorage.clear()');
  });

  it('fits 1280x720 and 1920x720 on every screen, in both languages: no overflow, touch targets of 48 px', async () => {
    const report: string[] = [];
    for (const [width, height] of [
      [1280, 720],
      [1920, 720],
    ] as const) {
      await page.setViewportSize({ width, height });
      for (const [lang, theme] of [
        ['en-US', 'day'],
        ['zh-CN', 'night'],
      ]) {
        for (const screen of ['assistant', 'vehicle', 'drive', 'updates']) {
          await open(screen, `theme=${theme}&lang=${lang}`);
          await page.waitForTimeout(150);
          const found = await layoutProblems();
          report.push(...found.map((f) => `${width}x${height} ${lang} ${screen}: ${f}`));
        }
      }
    }
    await page.setViewportSize({ width: 1280, height: 720 });
    expect(report, report.join('\n')).toEqual([]);
  });

  it('shows the stale banner when the simulated car stops', async () => {
    await open('vehicle');
    await expect(page.locator('[data-banner]').count()).resolves.toBe(0);
    await stack.stopSim();
    const banner = page.locator('[data-banner="vehicle-stale"]');
    await banner.waitFor({ timeout: 10_000 });
    expect(await banner.getAttribute('role')).toBe('alert');
    expect(await banner.textContent()).toMatch(/^Car data unavailable: values are stale\./);
    await page.locator('[data-connection="stale"]').waitFor();
    await page.locator('.value.speed[data-stale="true"]').waitFor();
    expect(await layoutProblems()).toEqual([]);
  });

  it('shows the service as unavailable when vehicle-service goes away, and keeps retrying', async () => {
    // The browser logs the refused reconnections: expected here.
    problems.pause();
    await stack.service.close();
    const banner = page.locator('[data-banner="service-unavailable"]');
    await banner.waitFor({ timeout: 15_000 });
    expect(await banner.textContent()).toContain('Vehicle service unavailable.');
    await page.getByRole('button', { name: 'Retry now' }).click();
    await page.locator('[data-connection="offline"]').waitFor();
    // Still retrying on its own: the countdown comes back after the tap.
    await pageWaits('/Retrying in \\d+ s/.test(document.querySelector("[data-banner]")?.textContent ?? "")', 15_000);
  });
});
