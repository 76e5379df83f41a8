/**
 * One fresh process of bench/speech-memory.ts (run with `node --expose-gc --import tsx`):
 *   speech-memory-child.ts package DIR N   imports @auriga/vehicle-service and the speech module, compiles the
 *                                          car context (the assistant does, voice or not); no speech engine
 *   speech-memory-child.ts engine DIR N    the same, then the speech engine (shipped model, lexicon), the car
 *                                          context's decoding graph and Silero VAD loaded, as the service does,
 *                                          then N utterances decoded (each: VAD over its 32 ms chunks, then
 *                                          recognition against the car context)
 * An optional 4th argument: DecoderConfig overrides as JSON (engine mode).
 * DIR holds the bench's clips as raw little-endian float32 16 kHz files (*.f32). Prints one JSON line:
 * memory (MB) after each stage (after two full GCs), VmRSS and the peak VmHWM from /proc/self/status.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileContextFile } from '@auriga/vehicle-service';
import { SileroVad, SpeechEngine, VAD_FRAME_SAMPLES, type DecoderConfig } from '../../vehicle-service/src/speech/index.js';

const MB = 1024 * 1024;
const CAR_CONTEXT_FILE = fileURLToPath(new URL('../../models/contexts/en-US/car.yaml', import.meta.url));
const [mode, dir, count, decoderJson] = process.argv.slice(2);
if ((mode !== 'package' && mode !== 'engine') || !dir) {
  process.stderr.write('usage: speech-memory-child.ts package|engine DIR N\n');
  process.exit(2);
}
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  process.stderr.write('speech-memory-child: run with --expose-gc\n');
  process.exit(2);
}

/** VmRSS and VmHWM (peak) from /proc/self/status, MB; null where there is no procfs. */
function procStatus(): { vmRssMb: number | null; vmHwmMb: number | null } {
  try {
    const text = readFileSync('/proc/self/status', 'utf8');
    const kb = (key: string) => {
      const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text);
      return m ? Math.round((Number(m[1]) / 1024) * 10) / 10 : null;
    };
    return { vmRssMb: kb('VmRSS'), vmHwmMb: kb('VmHWM') };
  } catch {
    return { vmRssMb: null, vmHwmMb: null };
  }
}

async function settle(): Promise<Record<string, number | null>> {
  for (let i = 0; i < 2; i++) {
    gc!();
    await new Promise((r) => setTimeout(r, 50));
  }
  const u = process.memoryUsage();
  const r = (x: number) => Math.round((x / MB) * 10) / 10;
  return { rssMb: r(u.rss), heapUsedMb: r(u.heapUsed), heapTotalMb: r(u.heapTotal), externalMb: r(u.external), arrayBuffersMb: r(u.arrayBuffers), ...procStatus() };
}

async function main(): Promise<void> {
  const context = await compileContextFile(CAR_CONTEXT_FILE);
  const stages: Record<string, Record<string, number | null>> = { ready: await settle() };
  let decoded = 0;
  let decoderConfig: DecoderConfig | undefined;
  let understood = 0;
  if (mode === 'engine') {
    const engine = await SpeechEngine.load(decoderJson ? { config: JSON.parse(decoderJson) as Partial<DecoderConfig> } : {});
    decoderConfig = { ...engine.config };
    const compiled = engine.compile(context);
    const vad = await SileroVad.load();
    stages.loaded = await settle();
    const clips = readdirSync(dir!)
      .filter((f) => f.endsWith('.f32'))
      .sort()
      .map((f) => {
        const b = readFileSync(join(dir!, f));
        return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
      });
    const n = Number(count ?? 20);
    for (let i = 0; i < n; i++) {
      const clip = clips[i % clips.length]!;
      const ep = vad.endpointer();
      for (let at = 0; at < clip.length; at += VAD_FRAME_SAMPLES) await ep.push(clip.subarray(at, at + VAD_FRAME_SAMPLES));
      const r = await engine.recognize(clip, compiled);
      decoded++;
      if (r.isUnderstood) understood++;
    }
    stages.decoded = await settle();
    await vad.close();
    await engine.close();
  }
  process.stdout.write(`${JSON.stringify({ mode, decoded, understood, stages, peak: procStatus(), ...(decoderConfig ? { decoderConfig } : {}) })}\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`speech-memory-child: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
