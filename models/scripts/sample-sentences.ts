/**
 * Print sentences of a voice context as JSON lines, for the Python model pipeline:
 *   node --import tsx models/scripts/sample-sentences.ts \
 *     models/contexts/en-US/car.yaml --count 1000 --seed 7
 * Each line: {"text": "...", "intent": "...", "slots": {...}, "numbers": {...}}. See --help.
 * Imports the context module directly (not the whole vehicle service) so it starts fast.
 */
import { sentencesCli } from '../../vehicle-service/src/context/index.js';

process.exitCode = await sentencesCli(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
});
