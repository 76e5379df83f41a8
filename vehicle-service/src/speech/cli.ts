/**
 * `auriga intent --context FILE.yaml AUDIO.wav...`: one JSON line per file
 * {"file","isUnderstood","intent","slots","numbers","confidence","ms"}. A file that cannot be read
 * or decoded prints {"file","error":{code,message}} and makes the exit code 1; the others still run.
 */
import { readFile } from 'node:fs/promises';
import { isAurigaError } from '@auriga/common';
import { compileContextFile } from '../context/index.js';
import { SpeechEngine } from './engine.js';
import { AudioReadError } from './errors.js';

export const INTENT_CLI_USAGE = `usage: auriga intent --context FILE.yaml [--model-dir DIR] [--threads N] AUDIO.wav...
  Recognizes each WAV file against the voice context and prints one JSON line per file.`;

export interface IntentCliIo {
  readonly stdout: (line: string) => void;
  readonly stderr: (line: string) => void;
}

const defaultIo: IntentCliIo = {
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
};

function errorJson(err: unknown): { code: string; message: string } {
  return isAurigaError(err) ? { code: err.code, message: err.message } : { code: 'AURIGA_ERR_INTERNAL', message: (err as Error)?.message ?? String(err) };
}

/** Runs the CLI; returns the exit code (0 ok, 1 some file failed, 2 usage). */
export async function intentCli(argv: readonly string[], io: IntentCliIo = defaultIo): Promise<number> {
  const args = [...argv];
  if (args[0] === 'intent') args.shift();
  else {
    io.stderr(INTENT_CLI_USAGE);
    return 2;
  }
  let context: string | undefined;
  let modelDir: string | undefined;
  let threads = 1;
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--context') context = args[++i];
    else if (a.startsWith('--context=')) context = a.slice('--context='.length);
    else if (a === '--model-dir') modelDir = args[++i];
    else if (a === '--threads') threads = Number(args[++i]);
    else if (a === '-h' || a === '--help') {
      io.stdout(INTENT_CLI_USAGE);
      return 0;
    } else if (a.startsWith('--')) {
      io.stderr(`unknown option ${a}\n${INTENT_CLI_USAGE}`);
      return 2;
    } else files.push(a);
  }
  if (!context || files.length === 0 || !Number.isInteger(threads) || threads < 1) {
    io.stderr(INTENT_CLI_USAGE);
    return 2;
  }
  let engine: SpeechEngine | undefined;
  try {
    const compiled = await compileContextFile(context);
    engine = await SpeechEngine.load({ ...(modelDir ? { modelDir } : {}), threads });
    engine.compile(compiled);
    let failed = false;
    for (const file of files) {
      try {
        const bytes = await readFile(file).catch((err: NodeJS.ErrnoException) => {
          throw AudioReadError(file, err.code ?? err.message, { cause: err });
        });
        const result = await engine.recognize(bytes, compiled);
        io.stdout(
          JSON.stringify({
            file,
            isUnderstood: result.isUnderstood,
            intent: result.intent ?? null,
            slots: result.slots,
            numbers: result.numbers,
            confidence: result.confidence,
            ms: result.timings.totalMs,
          }),
        );
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

const isMain = process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain) {
  intentCli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`${String(err)}\n`);
      process.exit(1);
    },
  );
}
