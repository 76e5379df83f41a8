/**
 * A stand-in for ALSA `arecord`, for tests on machines without a sound card (CI containers, this
 * development machine): a small shell script that records the arguments it was given and writes a raw
 * 16 kHz mono S16_LE file to stdout in odd-sized pieces (like a capture device handing over periods, and
 * so that pipe reads end in the middle of samples), optionally prints an arecord-style error on stderr
 * and exits with a chosen code, or keeps the "device" open like a microphone in a quiet room.
 * The code under test runs it exactly as it runs arecord (same arguments, same pipes).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { wavTo16kMono } from '../speech/audio/index.js';

export interface ArecordStandInOptions {
  /** Folder the script is written to (put it first on PATH to shadow a real arecord). */
  readonly dir: string;
  /** File name (default `arecord`). */
  readonly name?: string;
  /** Raw PCM streamed to stdout; none = nothing. */
  readonly pcmFile?: string;
  /** Bytes per write (default 1601: odd on purpose). */
  readonly blockBytes?: number;
  /** Pause after each write, seconds (default 0.01). */
  readonly blockDelaySec?: number;
  /** Printed to stderr before exiting. */
  readonly stderr?: string;
  /** Exit code after streaming (default 0). */
  readonly exitCode?: number;
  /** Instead of exiting: keep running this many seconds (a microphone that stays open), then exit. */
  readonly holdSec?: number;
}

export interface ArecordStandIn {
  /** The script's path (pass as the command, or put `dir` first on PATH). */
  readonly command: string;
  /** One line per argument of the last run. */
  readonly argsFile: string;
  /** The process id of the last run (it stays the same through `holdSec`: exec). */
  pid(): number;
  /** The arguments of the last run. */
  args(): string[];
}

const q = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

export function writeArecordStandIn(opts: ArecordStandInOptions): ArecordStandIn {
  const command = join(opts.dir, opts.name ?? 'arecord');
  const argsFile = `${command}.args`;
  const pidFile = `${command}.pid`;
  const block = opts.blockBytes ?? 1601;
  const lines = [
    '#!/bin/sh',
    '# Stand-in for ALSA arecord in tests (no sound card here): see vehicle-service/src/test-support/arecord-standin.ts.',
    `printf '%s\\n' "$@" > ${q(argsFile)}`,
    `echo $$ > ${q(pidFile)}`,
  ];
  if (opts.pcmFile) {
    lines.push(
      `size=$(wc -c < ${q(opts.pcmFile)})`,
      'i=0',
      `while [ $((i * ${block})) -lt "$size" ]; do`,
      `  dd if=${q(opts.pcmFile)} bs=${block} skip=$i count=1 status=none`,
      `  sleep ${opts.blockDelaySec ?? 0.01}`,
      '  i=$((i + 1))',
      'done',
    );
  }
  if (opts.stderr) lines.push(`printf '%s\\n' ${q(opts.stderr)} >&2`);
  if (opts.holdSec !== undefined) lines.push(`exec sleep ${opts.holdSec}`);
  lines.push(`exit ${opts.exitCode ?? 0}`);
  writeFileSync(command, `${lines.join('\n')}\n`);
  chmodSync(command, 0o755);
  return { command, argsFile, pid: () => Number(readFileSync(pidFile, 'utf8').trim()), args: () => readFileSync(argsFile, 'utf8').split('\n').filter((l) => l !== '') };
}

/** Floats in [-1, 1] -> raw S16_LE bytes. */
export function floatToPcm16(samples: Float32Array): Buffer {
  const out = Buffer.alloc(samples.length * 2);
  for (let i = 0; i < samples.length; i++) out.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(samples[i]! * 32768))), i * 2);
  return out;
}

/** espeak-ng speech at 16 kHz mono (resampled from its 22 050 Hz); the WAV goes through `dir`. */
export function espeak16k(dir: string, text: string, voice = 'en-us'): Float32Array {
  // A file, not --stdout: a streamed WAV header carries no sizes.
  const file = join(dir, `espeak-${text.replace(/\W+/g, '_')}-${voice}.wav`);
  execFileSync('espeak-ng', ['-v', voice, '-w', file, text]);
  return wavTo16kMono(new Uint8Array(readFileSync(file))).samples;
}

/** Pieces of audio and silence (seconds) one after the other. */
export function sequence(...parts: Array<Float32Array | number>): Float32Array {
  const arrays = parts.map((p) => (typeof p === 'number' ? new Float32Array(Math.round(p * 16_000)) : p));
  const out = new Float32Array(arrays.reduce((n, a) => n + a.length, 0));
  let at = 0;
  for (const a of arrays) {
    out.set(a, at);
    at += a.length;
  }
  return out;
}

/** Whether a process is still running (signal 0 checks without killing). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
