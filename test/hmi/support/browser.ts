/**
 * Debian's Chromium driven by playwright-core (never a downloaded browser build), with a fake
 * microphone: a WAV file played as the capture device.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type ConsoleMessage, type Page } from 'playwright-core';

export const CHROMIUM = process.env.AURIGA_CHROMIUM ?? '/usr/bin/chromium';

export function chromiumMissingMessage(): string | undefined {
  return existsSync(CHROMIUM) ? undefined : `${CHROMIUM} not found: run "bash scripts/install-system-deps.sh" (as root) to install Debian's chromium`;
}

export async function launchChromium(options: { fakeMicWav?: string } = {}): Promise<Browser> {
  const missing = chromiumMissingMessage();
  if (missing) throw new Error(missing);
  const args = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-dev-shm-usage',
    '--disable-background-networking',
    '--disable-quic',
    '--no-first-run',
    '--disable-component-update',
    '--disable-sync',
    '--disable-extensions',
    '--autoplay-policy=no-user-gesture-required',
    '--use-fake-ui-for-media-stream',
    '--use-fake-device-for-media-stream',
  ];
  if (options.fakeMicWav) args.push(`--use-file-for-fake-audio-capture=${options.fakeMicWav}`);
  return chromium.launch({ executablePath: CHROMIUM, args, headless: true });
}

/**
 * Routes of later issues: while a service lacks them the browser logs the expected 404 of the
 * HMI's probe as a console error, which is not a fault of the page.
 */
const LATER_ROUTES = [/\/v1\/text$/, /\/v1\/assistant\/turns$/, /\/v1\/voice\/stream$/, /\/v1\/context$/, /\/v1\/trips(\/|$)/, /\/v1\/ota(\/|$)/];

export interface PageProblems {
  errors: string[];
  /** Stop counting (e.g. before deliberately stopping the service). */
  pause(): void;
}

/** Collects uncaught exceptions and console errors, except the expected 404s of later routes. */
export function watchProblems(page: Page): PageProblems {
  const errors: string[] = [];
  let paused = false;
  page.on('pageerror', (err) => {
    if (!paused) errors.push(`pageerror: ${err.message}`);
  });
  page.on('console', (msg: ConsoleMessage) => {
    if (paused || msg.type() !== 'error') return;
    const url = msg.location().url ?? '';
    const path = url.replace(/^https?:\/\/[^/]+/, '').split('?')[0] ?? '';
    if (/status of 404/.test(msg.text()) && LATER_ROUTES.some((re) => re.test(path))) return;
    errors.push(`console.error: ${msg.text()} (${url})`);
  });
  return {
    errors,
    pause: () => {
      paused = true;
    },
  };
}
