/**
 * `sample-sentences` command line (models/scripts/sample-sentences.ts): prints sentences of a context
 * file as JSON lines {text, intent, slots, numbers}, for the Python model pipeline that synthesizes
 * training audio, or the context's vocabulary, one word a line.
 */
import { parseArgs } from 'node:util';
import { isAurigaError } from '@auriga/common';
import { compileContext } from './compile.js';
import { loadContextFile } from './load.js';
import { enumerateSentences, listVocabulary, sampleSentences } from './sentences.js';

export const SENTENCES_CLI_USAGE = `usage: sample-sentences <context.yaml> [options]
  --count N       random sentences to print (default 100)
  --seed S        seed of the random generator (default 1)
  --intent NAME   only this intent (repeatable)
  --enumerate     print sentences in grammar order instead of sampling (--limit N, default 1000)
  --vocabulary    print the context's words, one a line
Prints one JSON object a line: {"text", "intent", "slots", "numbers"}.`;

export interface CliIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

/** Runs the command; resolves to the exit status (0 ok, 1 bad context, 2 bad usage). */
export async function sentencesCli(argv: readonly string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        count: { type: 'string' },
        seed: { type: 'string' },
        limit: { type: 'string' },
        intent: { type: 'string', multiple: true },
        enumerate: { type: 'boolean' },
        vocabulary: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    io.err(`${(error as Error).message}\n${SENTENCES_CLI_USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(SENTENCES_CLI_USAGE);
    return 0;
  }
  if (positionals.length !== 1) {
    io.err(`expected exactly one context file\n${SENTENCES_CLI_USAGE}`);
    return 2;
  }
  const numberOption = (name: 'count' | 'seed' | 'limit', fallback: number, min: number): number | undefined => {
    const raw = values[name];
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min) {
      io.err(`--${name} must be an integer >= ${min}, not '${raw}'`);
      return undefined;
    }
    return value;
  };
  const count = numberOption('count', 100, 0);
  const seed = numberOption('seed', 1, 0);
  const limit = numberOption('limit', 1000, 0);
  if (count === undefined || seed === undefined || limit === undefined) return 2;

  try {
    const compiled = compileContext(await loadContextFile(positionals[0]!));
    if (values.vocabulary) {
      for (const word of listVocabulary(compiled)) io.out(word);
      return 0;
    }
    const intents = values.intent;
    const sentences = values.enumerate
      ? enumerateSentences(compiled, { limit, ...(intents ? { intents } : {}) })
      : sampleSentences(compiled, { count, seed, ...(intents ? { intents } : {}) });
    for (const sentence of sentences) io.out(JSON.stringify(sentence));
    return 0;
  } catch (error) {
    if (isAurigaError(error) || error instanceof RangeError) {
      io.err(error.message);
      return 1;
    }
    throw error;
  }
}
