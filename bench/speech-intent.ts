/**
 * Speech-to-intent on real voices beside the classic baseline, in one run: our engine and CMU PocketSphinx
 * (JSGF grammar generated from the same context) on shared/speech/real-dev (coffee_maker.yaml unchanged),
 * clean and with the kitchen noise at 12 and 6 dB. MEASURING ONLY (vehicle-service/src/speech/eval.ts does
 * the work; nothing is tuned on these recordings). Prints one JSON line with the targets judged:
 * acceptance >= PocketSphinx's clean, at most half its errors at 12 and 6 dB, RTF <= 0.05 and <= half of
 * PocketSphinx's. Skips (exit 0, "skipped") when shared/ or pocketsphinx is absent.
 *   node --import tsx bench/speech-intent.ts [--quick]   (--quick: the first 30 recordings)
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const realDev = fileURLToPath(new URL('../../shared/speech/real-dev', import.meta.url));
const evalScript = fileURLToPath(new URL('../vehicle-service/src/speech/eval.ts', import.meta.url));
const quick = process.argv.includes('--quick');

if (!existsSync(realDev)) {
  console.log(JSON.stringify({ bench: 'speech-intent', skipped: `no ${realDev}` }));
  process.exit(0);
}
const out = execFileSync(
  process.execPath,
  ['--import', 'tsx', evalScript, '--dir', realDev, '--pocketsphinx', ...(quick ? ['--limit', '30'] : [])],
  { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 26 },
);
type Cond = { accuracy: number; rtf?: number; rtfWallIncludingStartup?: number };
const report = JSON.parse(out) as { auriga: Record<string, Cond>; pocketsphinx?: Record<string, Cond> | { error: string } };
const ours = report.auriga;
const sphinx = report.pocketsphinx && !('error' in report.pocketsphinx) ? report.pocketsphinx : undefined;
const err = (c?: Cond) => (c ? 1 - c.accuracy : NaN);
const targets = sphinx
  ? {
      cleanAtLeastPocketSphinx: (ours['clean']?.accuracy ?? 0) >= (sphinx['clean']?.accuracy ?? 1),
      halfTheErrorsAt12dB: err(ours['12dB']) <= err(sphinx['12dB']) / 2,
      halfTheErrorsAt6dB: err(ours['6dB']) <= err(sphinx['6dB']) / 2,
      rtfAtMost005: (ours['clean']?.rtf ?? 1) <= 0.05,
      rtfAtMostHalfOfPocketSphinx: (ours['clean']?.rtf ?? 1) <= (sphinx['clean']?.rtfWallIncludingStartup ?? 0) / 2,
    }
  : undefined;
console.log(
  JSON.stringify({
    bench: 'speech-intent',
    quick,
    auriga: ours,
    pocketsphinx: report.pocketsphinx,
    targets,
    pass: targets ? Object.values(targets).every(Boolean) : false,
  }),
);
