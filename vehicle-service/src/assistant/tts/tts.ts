import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { AnswerLang } from '../types.js';

/**
 * Local text to speech through a child process: espeak-ng (en-US and zh-CN, `-v cmn`) or flite
 * (English only). Detected once at start; without either the assistant answers with text only.
 */
export type TtsEngine = 'espeak-ng' | 'flite';

export interface SpokenAnswer {
  /** A RIFF WAV file. */
  readonly wav: Buffer;
  readonly engine: TtsEngine;
  readonly ms: number;
}

export interface Tts {
  readonly engine: TtsEngine;
  /** True when the engine has a voice for the language. */
  speaks(lang: AnswerLang): boolean;
  /** The answer as WAV, or undefined when the engine cannot say it (language) or failed (logged). */
  synthesize(text: string, lang: AnswerLang): Promise<SpokenAnswer | undefined>;
}

export interface TtsOptions {
  logger?: Logger;
  /** Engines tried in order (default espeak-ng, then flite). */
  engines?: readonly TtsEngine[];
  /** Kill a synthesis running longer than this (ms); default 10 000. */
  timeoutMs?: number;
}

const VOICES: Record<TtsEngine, Partial<Record<AnswerLang, string>>> = {
  'espeak-ng': { 'en-US': 'en-us', 'zh-CN': 'cmn' },
  flite: { 'en-US': 'slt' },
};

/** Finds a usable engine (runs it once with --version); undefined when there is none. */
export async function detectTts(options: TtsOptions = {}): Promise<Tts | undefined> {
  for (const engine of options.engines ?? (['espeak-ng', 'flite'] as const)) {
    const probe = await run(engine, ['--version'], 3000).catch(() => undefined);
    if (probe && probe.code === 0) {
      options.logger?.info({ engine }, 'text to speech available');
      return new ChildProcessTts(engine, options);
    }
  }
  options.logger?.info('no text to speech engine (espeak-ng, flite) found: answers are text only');
  return undefined;
}

class ChildProcessTts implements Tts {
  constructor(
    readonly engine: TtsEngine,
    private readonly opts: TtsOptions,
  ) {}

  speaks(lang: AnswerLang): boolean {
    return VOICES[this.engine][lang] !== undefined;
  }

  async synthesize(text: string, lang: AnswerLang): Promise<SpokenAnswer | undefined> {
    const voice = VOICES[this.engine][lang];
    if (!voice || text.trim() === '') return undefined;
    const started = performance.now();
    const spoken = speakable(text, lang);
    const timeoutMs = this.opts.timeoutMs ?? 10_000;
    try {
      let wav: Buffer;
      if (this.engine === 'espeak-ng') {
        // `--` so an answer can never be read as an option.
        const r = await run('espeak-ng', ['-v', voice, '--stdout', '--', spoken], timeoutMs);
        if (r.code !== 0) throw new Error(`espeak-ng exited with ${r.code}: ${r.stderr.trim()}`);
        wav = r.stdout;
      } else {
        const dir = await mkdtemp(join(tmpdir(), 'auriga-tts-'));
        try {
          const file = join(dir, 'answer.wav');
          const r = await run('flite', ['-voice', voice, '-t', spoken, '-o', file], timeoutMs);
          if (r.code !== 0) throw new Error(`flite exited with ${r.code}: ${r.stderr.trim()}`);
          wav = await readFile(file);
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      }
      if (wav.length < 44 || wav.toString('ascii', 0, 4) !== 'RIFF') throw new Error(`${this.engine} did not produce a WAV file`);
      return { wav, engine: this.engine, ms: performance.now() - started };
    } catch (err) {
      this.opts.logger?.warn({ err, engine: this.engine }, 'text to speech failed; answering with text only');
      return undefined;
    }
  }
}

/** What a TTS voice reads well: units and symbols spelled out. */
export function speakable(text: string, lang: AnswerLang): string {
  if (lang === 'zh-CN') {
    return text
      .replace(/(\d+(?:\.\d+)?)\s*°C/g, '$1摄氏度')
      .replace(/(\d+(?:\.\d+)?)%/g, '百分之$1')
      .replace(/[“”"]/g, '');
  }
  return text
    .replace(/(\d+(?:\.\d+)?)\s*°C/g, '$1 degrees')
    .replace(/(\d+(?:\.\d+)?)%/g, '$1 percent')
    .replace(/(\d+(?:\.\d+)?)\s*km\b/g, '$1 kilometers')
    .replace(/(\d+(?:\.\d+)?)\s*kPa\b/g, '$1 kilopascals')
    .replace(/"/g, '');
}

function run(cmd: string, args: string[], timeoutMs: number): Promise<{ code: number | null; stdout: Buffer; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => (err += b.toString('utf8')));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out), stderr: err });
    });
  });
}
