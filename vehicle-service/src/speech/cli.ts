/**
 * `auriga intent --context FILE.yaml AUDIO.wav...`: one JSON line per file
 * {"file","isUnderstood","intent","slots","numbers","confidence","ms"}. A file that cannot be read
 * or decoded prints {"file","error":{code,message}} and makes the exit code 1; the others still run.
 *
 * `auriga intent --context FILE.yaml --mic [--device hw:0,0] [--max-seconds N]`: listens on an ALSA
 * capture device through `arecord`, ends each command with Silero VAD (hands-free, as the voice stream)
 * and prints the same line per command with "file": "mic:<device>", until Ctrl+C or N seconds (the
 * command being spoken then is still answered). A microphone that fails or stops prints its
 * AURIGA_ERR_MIC_* error on stderr and makes the exit code 1.
 */
import { readFile } from 'node:fs/promises';
import { isAurigaError, type AurigaError } from '@auriga/common';
import type { CompiledContext } from '../context/types.js';
import { compileContextFile } from '../context/index.js';
import { ArecordMicrophone } from './audio/microphone.js';
import { SpeechEngine, type SpeechResult } from './engine.js';
import { AudioReadError } from './errors.js';
import { MicListener } from './mic-listener.js';
import { SileroVad } from './vad/silero.js';

export const INTENT_CLI_USAGE = `usage: auriga intent --context FILE.yaml [--model-dir DIR] [--threads N] [--reject-margin M] AUDIO.wav...
       auriga intent --context FILE.yaml [--model-dir DIR] --mic [--device DEV] [--max-seconds N] [--arecord CMD]
  Recognizes each WAV file against the voice context and prints one JSON line per file.
  --mic listens on the ALSA capture device DEV (default "default"; list them with arecord -l, e.g. hw:0,0)
  and prints one line per spoken command until Ctrl+C or N seconds; --arecord names the arecord binary.
  --reject-margin M: the rejection margin in nats per frame (default: the tuned value; higher accepts more).`;

export interface IntentCliIo {
  readonly stdout: (line: string) => void;
  readonly stderr: (line: string) => void;
}

export interface IntentCliOptions {
  /** Stops --mic listening (the CLI's Ctrl+C). */
  readonly signal?: AbortSignal;
}

function resultJson(file: string, result: SpeechResult): string {
  return JSON.stringify({
    file,
    isUnderstood: result.isUnderstood,
    intent: result.intent ?? null,
    slots: result.slots,
    numbers: result.numbers,
    confidence: result.confidence,
    ms: result.timings.totalMs,
  });
}

const defaultIo: IntentCliIo = {
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
};

function errorJson(err: unknown): { code: string; message: string } {
  return isAurigaError(err) ? { code: err.code, message: err.message } : { code: 'AURIGA_ERR_INTERNAL', message: (err as Error)?.message ?? String(err) };
}

/** Runs the CLI; returns the exit code (0 ok, 1 some file failed, 2 usage). */
export async function intentCli(argv: readonly string[], io: IntentCliIo = defaultIo, options: IntentCliOptions = {}): Promise<number> {
  const args = [...argv];
  if (args[0] === 'intent') args.shift();
  else {
    io.stderr(INTENT_CLI_USAGE);
    return 2;
  }
  let context: string | undefined;
  let modelDir: string | undefined;
  let threads = 1;
  let rejectMargin: number | undefined;
  let mic = false;
  let device = 'default';
  let maxSeconds: number | undefined;
  let arecord: string | undefined;
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--context') context = args[++i];
    else if (a.startsWith('--context=')) context = a.slice('--context='.length);
    else if (a === '--model-dir') modelDir = args[++i];
    else if (a === '--threads') threads = Number(args[++i]);
    else if (a === '--reject-margin') rejectMargin = Number(args[++i]);
    else if (a === '--mic') mic = true;
    else if (a === '--device') device = args[++i] ?? '';
    else if (a === '--max-seconds') maxSeconds = Number(args[++i]);
    else if (a === '--arecord') arecord = args[++i] ?? '';
    else if (a === '-h' || a === '--help') {
      io.stdout(INTENT_CLI_USAGE);
      return 0;
    } else if (a.startsWith('--')) {
      io.stderr(`unknown option ${a}\n${INTENT_CLI_USAGE}`);
      return 2;
    } else files.push(a);
  }
  const badMic = mic
    ? files.length > 0 || !device || arecord === '' || (maxSeconds !== undefined && !(Number.isFinite(maxSeconds) && maxSeconds > 0))
    : device !== 'default' || maxSeconds !== undefined || arecord !== undefined;
  const badMargin = rejectMargin !== undefined && !Number.isFinite(rejectMargin);
  if (!context || (files.length === 0 && !mic) || badMic || badMargin || !Number.isInteger(threads) || threads < 1) {
    io.stderr(INTENT_CLI_USAGE);
    return 2;
  }
  let engine: SpeechEngine | undefined;
  try {
    const compiled = await compileContextFile(context);
    engine = await SpeechEngine.load({ ...(modelDir ? { modelDir } : {}), threads, ...(rejectMargin !== undefined ? { config: { rejectMargin } } : {}) });
    engine.compile(compiled);
    if (mic) return await listenOnMic(engine, compiled, { device, ...(maxSeconds !== undefined ? { maxSeconds } : {}), ...(arecord ? { command: arecord } : {}) }, io, options.signal);
    let failed = false;
    for (const file of files) {
      try {
        const bytes = await readFile(file).catch((err: NodeJS.ErrnoException) => {
          throw AudioReadError(file, err.code ?? err.message, { cause: err });
        });
        const result = await engine.recognize(bytes, compiled);
        io.stdout(resultJson(file, result));
      } catch (err) {
        failed = true;
        io.stdout(JSON.stringify({ file, error: errorJson(err) }));
      }
    }
    return failed ? 1 : 0;
  } catch (err) {
    const e = errorJson(err);
    io.stderr(`${e.code}: ${e.message}`);
    return 1;
  } finally {
    await engine?.close();
  }
}

/**
 * --mic: arecord -> MicListener (voice-stream session, Silero VAD) -> engine; one line per command. Returns
 * the exit code: 1 when the microphone failed or stopped on its own, or a command could not be recognized.
 */
async function listenOnMic(
  engine: SpeechEngine,
  context: CompiledContext,
  opts: { device: string; maxSeconds?: number; command?: string },
  io: IntentCliIo,
  signal: AbortSignal | undefined,
): Promise<number> {
  const file = `mic:${opts.device}`;
  const vad = await SileroVad.load();
  let failed = false;
  const listener = new MicListener<SpeechResult>({
    utterance: (samples) => engine.recognize(samples, context),
    createEndpointer: () => vad.endpointer(),
    onResult: (result) => io.stdout(resultJson(file, result)),
    onError: (err) => {
      failed = true;
      io.stdout(JSON.stringify({ file, error: errorJson(err) }));
    },
  });
  const microphone = new ArecordMicrophone({ device: opts.device, ...(opts.command ? { command: opts.command } : {}) });
  let micError: AurigaError | undefined;
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  try {
    await new Promise<void>((resolve) => {
      onAbort = resolve;
      if (signal?.aborted) return resolve();
      signal?.addEventListener('abort', onAbort, { once: true });
      if (opts.maxSeconds !== undefined) timer = setTimeout(resolve, opts.maxSeconds * 1000);
      microphone.on('error', (err) => {
        micError = err;
        resolve();
      });
      listener.attach(microphone);
      microphone.start();
      io.stderr(`listening on ${opts.device} (${microphone.command} ${microphone.args.join(' ')}); Ctrl+C stops`);
    });
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
    await microphone.destroy();
    // Everything heard up to here is answered, a command cut off by the stop included.
    await listener.drain();
  } finally {
    await microphone.destroy();
    await listener.close();
    await vad.close();
  }
  if (micError) {
    io.stderr(`${micError.code}: ${micError.message}`);
    return 1;
  }
  return failed ? 1 : 0;
}

const isMain = process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain) {
  // With --mic, Ctrl+C (or SIGTERM) ends listening gracefully; a second one exits at once.
  const stop = new AbortController();
  if (process.argv.includes('--mic')) {
    const onSignal = (sig: NodeJS.Signals) => {
      if (stop.signal.aborted) process.exit(130);
      stop.abort(sig);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  intentCli(process.argv.slice(2), defaultIo, { signal: stop.signal }).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`${String(err)}\n`);
      process.exit(1);
    },
  );
}
