/**
 * Hands-free on the Assistant screen in a real browser (Debian's Chromium via playwright-core) against
 * the real stack: Mosquitto, vehicle-service and can-sim (test/hmi/support/stack.ts). Chromium's fake
 * microphone loops an espeak-ng command padded with silence; the service's voice activity detector
 * ends each utterance, so a result appears without anyone pressing push-to-talk.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readWav, speakToWav } from './support/audio.js';
import { launchChromium, watchProblems, type PageProblems } from './support/browser.js';
import { ensureHmiBuild } from './support/build.js';
import { startHmiStack, type HmiStack } from './support/stack.js';

const SPOKEN = 'set the driver temperature to twenty one degrees';
const DRIVER_TEMP = 'Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature';

let stack: HmiStack;
let browser: Browser;
let page: Page;
let problems: PageProblems;
let tmp: string;

/** A mono 16-bit PCM WAV of `samples` (floats in -1..1). */
function writeWav(file: string, rate: number, samples: Float32Array): void {
  const data = Buffer.alloc(samples.length * 2);
  for (let i = 0; i < samples.length; i++) data.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(samples[i]! * 32768))), i * 2);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(data.length, 40);
  writeFileSync(file, Buffer.concat([header, data]));
}

/** Polls a JavaScript expression in the page until it is truthy (evaluate, not eval: the HMI's CSP forbids eval). */
async function pageWaits(expression: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await page.evaluate<boolean>(`Boolean(${expression})`))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting in the page for ${expression}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'auriga-hmi-hands-free-'));
  const spoken = join(tmp, 'spoken.wav');
  speakToWav(SPOKEN, spoken);
  // The command then ~1.5 s of silence, so the detector hears the end of each loop.
  const { rate, samples } = readWav(spoken);
  const padded = new Float32Array(samples.length + Math.round(rate * 1.5));
  padded.set(samples);
  const wav = join(tmp, 'command.wav');
  writeWav(wav, rate, padded);
  const dist = await ensureHmiBuild();
  stack = await startHmiStack({ dist, scenario: 'parked', timeScale: 1 });
  browser = await launchChromium({ fakeMicWav: wav }); // looped by Chromium
  page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  problems = watchProblems(page);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

afterEach(() => {
  expect(problems.errors, problems.errors.join('\n')).toEqual([]);
});

describe('hands-free on the Assistant screen', () => {
  it('answers a spoken command without push-to-talk, and stops listening when toggled off', async () => {
    await page.goto(`${stack.url}/?screen=assistant&theme=day&lang=en-US`);
    await page.locator('main[data-screen="assistant"]').waitFor();
    await page.locator('[data-connection="live"]').waitFor({ timeout: 15_000 });
    const ptt = page.getByRole('button', { name: /^Push to talk/ });
    const toggle = page.getByRole('button', { name: 'Hands-free' });
    await expect(ptt.isEnabled()).resolves.toBe(true);
    await expect(toggle.isEnabled()).resolves.toBe(true);
    await expect(toggle.getAttribute('aria-pressed')).resolves.toBe('false');
    const box = (await toggle.boundingBox())!;
    expect(box.height).toBeGreaterThanOrEqual(48);
    expect(box.width).toBeGreaterThanOrEqual(48);

    const recordings = stack.voiceRecordings.length;
    await toggle.click();
    await page.locator('#ptt-help[data-hands-free="listening"]').waitFor();
    await expect(toggle.getAttribute('aria-pressed')).resolves.toBe('true');
    await expect(ptt.isDisabled()).resolves.toBe(true);
    await expect(page.locator('#ptt-help').textContent()).resolves.toMatch(/listening/i);
    await pageWaits('Number(document.querySelector(".level-meter")?.getAttribute("aria-valuenow")) > 10', 10_000);

    // The service ends the utterance itself and the answer shows as a push-to-talk answer does.
    const answer = page.locator('#answer-title').locator('xpath=ancestor::section');
    await answer.locator('[data-intent="setTemperature"]').waitFor({ timeout: 30_000 });
    await expect(answer.locator('[data-slot="zone"]').first().textContent()).resolves.toBe('zone: driver');
    expect(await answer.locator('[data-answer]').textContent()).not.toBe('');
    await page.locator('.turn-list li').filter({ hasText: 'Spoken command' }).first().waitFor();
    await waitForValue(() => stack.service.state.get(DRIVER_TEMP)?.value, 21);

    // One socket, started in hands-free mode, never ended by the page.
    const rec = stack.voiceRecordings.slice(recordings);
    expect(rec).toHaveLength(1);
    expect(rec[0]!.start).toEqual({ type: 'start', lang: 'en-US', sampleRate: 16000, encoding: 'pcm_s16le', channels: 1, mode: 'hands-free' });
    expect(rec[0]!.ended).toBe(false);

    // Toggled off: the microphone stops, nothing more is streamed, push-to-talk is back.
    await toggle.click();
    await page.locator('#ptt-help[data-hands-free="off"]').waitFor({ state: 'attached' });
    await expect(toggle.getAttribute('aria-pressed')).resolves.toBe('false');
    await expect(ptt.isEnabled()).resolves.toBe(true);
    await expect(page.locator('.level-meter').getAttribute('aria-valuenow')).resolves.toBe('0');
    await page.waitForTimeout(300);
    const frames = rec[0]!.frames;
    await page.waitForTimeout(1000);
    expect(rec[0]!.frames).toBe(frames);
    expect(stack.voiceRecordings.length).toBe(recordings + 1);
  }, 90_000);
});

async function waitForValue(read: () => unknown, expected: unknown, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (read() !== expected) {
    if (Date.now() > deadline) throw new Error(`expected ${String(expected)}, still ${String(read())}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
