/**
 * Resident memory the speech engine adds (target: at most 150 MB on top of the service).
 *
 * 1. Isolated, in fresh child processes (bench/support/speech-memory-child.ts, `node --expose-gc --import
 *    tsx`, as the service runs), alternating, each kind `runs` times (median reported):
 *      BASELINE "package": imports @auriga/vehicle-service and the speech module, compiles the car context
 *        (the assistant does that with or without voice); no speech engine.
 *      "engine": the same, then SpeechEngine.load() (shipped int8 model, lexicon), the car context's
 *        decoding graph, Silero VAD, and N utterances decoded (VAD over 32 ms chunks + recognition).
 *    Read after two full GCs: process.memoryUsage().rss and /proc/self/status VmRSS; VmHWM is the peak
 *    resident size over the process's life (what decoding touched at its worst).
 * 2. The whole service, twice (vehicle-service/src/main.ts as deployed: embedded broker, temp SQLite, the
 *    in-bench ECU echo as the car): with speech (the shipped model) and without (SPEECH_MODEL_DIR = an empty
 *    folder: the engine and the VAD are not loaded, voice answers 503). Both get N commands, spoken
 *    (POST /v1/voice, WAV) with speech and typed (POST /v1/text, same words) without, then 2 s to settle;
 *    VmRSS and VmHWM of the service process are read from /proc/PID/status (no GC can be forced there).
 *
 * Audio: the speech-latency bench's ~3 s espeak-ng (or flite) car commands.
 * met = every delta (isolated RSS after decoding, isolated peak, service RSS, service peak) <= 150 MB.
 *
 *   node --import tsx bench/speech-memory.ts [--quick] [--no-service] [--decoder '{"beam":12}']
 *
 * --decoder: DecoderConfig overrides (JSON) for the isolated engine processes (the service loads the defaults).
 *
 * --quick: one process of each kind and 10 utterances (default: three of each, 20 utterances). Prints one
 * JSON object; pass = met and every process ran. Linux only for VmRSS/VmHWM (rss everywhere). Skips
 * (exit 0, "skipped") without espeak-ng and flite.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startMqttEcu } from '@auriga/vehicle-service/testing';
import { encodeWav16, MODEL_SAMPLE_RATE } from '../vehicle-service/src/speech/index.js';
import { startServiceProcess } from './support/service-process.js';
import { availableTts, CAR_COMMANDS, commandClip, type CommandClip } from './support/speech-audio.js';

export const TARGET_MAX_ADDED_MB = 150;
const CHILD = fileURLToPath(new URL('./support/speech-memory-child.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('..', import.meta.url));

type Stage = Record<string, number | null>;
interface ChildReport {
  mode: string;
  decoded: number;
  understood: number;
  stages: Record<string, Stage>;
  peak: { vmRssMb: number | null; vmHwmMb: number | null };
  decoderConfig?: Record<string, unknown>;
}

function runChild(mode: 'package' | 'engine', dir: string, n: number, decoderJson?: string): ChildReport {
  const res = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', CHILD, mode, dir, String(n), ...(decoderJson ? [decoderJson] : [])], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 24 });
  const line = res.stdout.trim().split('\n').pop() ?? '';
  if (res.status !== 0 || !line.startsWith('{')) throw new Error(`${mode} child exited ${res.status}: ${res.stderr.slice(-2000)}`);
  return JSON.parse(line) as ChildReport;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const r1 = (x: number) => Math.round(x * 10) / 10;

/** Median of one field of one stage over the runs. */
function med(reports: ChildReport[], stage: string, field: string): number | null {
  const xs = reports.map((r) => (stage === 'peak' ? r.peak[field as 'vmHwmMb'] : r.stages[stage]?.[field])).filter((x): x is number => typeof x === 'number');
  return xs.length > 0 ? r1(median(xs)) : null;
}

function summary(reports: ChildReport[], stages: string[]) {
  const out: Record<string, unknown> = {};
  for (const s of stages) out[s] = { rssMb: med(reports, s, 'rssMb'), vmRssMb: med(reports, s, 'vmRssMb'), heapUsedMb: med(reports, s, 'heapUsedMb'), externalMb: med(reports, s, 'externalMb') };
  out.peakVmHwmMb = med(reports, 'peak', 'vmHwmMb');
  out.runsRssMb = reports.map((r) => r.stages[stages[stages.length - 1]!]?.rssMb ?? null);
  return out;
}

function procStatus(pid: number): { vmRssMb: number | null; vmHwmMb: number | null } {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => {
      const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text);
      return m ? r1(Number(m[1]) / 1024) : null;
    };
    return { vmRssMb: kb('VmRSS'), vmHwmMb: kb('VmHWM') };
  } catch {
    return { vmRssMb: null, vmHwmMb: null };
  }
}

/** The service as its own process, with or without speech; N commands; its memory from /proc. */
async function measureService(withSpeech: boolean, clips: CommandClip[], n: number) {
  const dataDir = mkdtempSync(join(tmpdir(), 'auriga-bench-speech-mem-'));
  const noModel = mkdtempSync(join(tmpdir(), 'auriga-bench-no-speech-'));
  const topicRoot = `auriga-bench/${randomUUID()}/v1`;
  const service = await startServiceProcess({
    DATA_DIR: dataDir,
    MQTT_TOPIC_ROOT: topicRoot,
    LOG_LEVEL: 'info',
    ...(withSpeech ? {} : { SPEECH_MODEL_DIR: noModel }),
  });
  const ecu = await startMqttEcu({ url: service.mqttUrl, topicRoot, periodMs: 50 });
  try {
    const pid = service.child.pid!;
    const deadline = Date.now() + 15_000;
    for (;;) {
      const s = (await (await fetch(`${service.url}/v1/signals/Vehicle.Cabin.HVAC.IsAirConditioningActive`)).json()) as { stale?: boolean };
      if (s.stale === false) break;
      if (Date.now() > deadline) throw new Error('the service never saw the car');
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 1000));
    const started = procStatus(pid);
    const statuses: Record<string, number> = {};
    let understood = 0;
    for (let i = 0; i < n; i++) {
      const clip = clips[i % clips.length]!;
      const res = withSpeech
        ? await fetch(`${service.url}/v1/voice`, { method: 'POST', headers: { 'content-type': 'audio/wav' }, body: encodeWav16(clip.samples, MODEL_SAMPLE_RATE) })
        : await fetch(`${service.url}/v1/text`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: clip.text, lang: 'en-US' }) });
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      const body = (await res.json()) as { isUnderstood?: boolean };
      if (body.isUnderstood) understood++;
    }
    await new Promise((r) => setTimeout(r, 2000));
    const after = procStatus(pid);
    // Voice is really off (503) without the model, on with it.
    const voice = await fetch(`${service.url}/v1/voice`, { method: 'POST', headers: { 'content-type': 'audio/wav' }, body: encodeWav16(clips[0]!.samples, MODEL_SAMPLE_RATE) });
    await voice.arrayBuffer();
    return { speech: withSpeech, voiceStatus: voice.status, requests: n, httpStatuses: statuses, understood, startedVmRssMb: started.vmRssMb, vmRssMb: after.vmRssMb, peakVmHwmMb: after.vmHwmMb };
  } finally {
    await ecu.close();
    await service.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(noModel, { recursive: true, force: true });
  }
}

const delta = (a: number | null | undefined, b: number | null | undefined) => (typeof a === 'number' && typeof b === 'number' ? r1(a - b) : null);

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const withService = !process.argv.includes('--no-service');
  const tts = availableTts();
  if (!tts) {
    console.log(JSON.stringify({ bench: 'speech-memory', skipped: 'neither espeak-ng nor flite is installed' }));
    return;
  }
  const decoderArg = process.argv.indexOf('--decoder');
  const decoderJson = decoderArg >= 0 ? process.argv[decoderArg + 1] : undefined;
  const runs = quick ? 1 : 3;
  const n = quick ? 10 : 20;
  const clips = CAR_COMMANDS.map((c, i) => commandClip(c.text, c.intent, tts, { seconds: 3, seed: i + 1 }));
  const dir = mkdtempSync(join(tmpdir(), 'auriga-bench-speech-clips-'));
  const started = Date.now();
  try {
    clips.forEach((c, i) => writeFileSync(join(dir, `${i}.f32`), Buffer.from(c.samples.buffer, c.samples.byteOffset, c.samples.byteLength)));
    const pkg: ChildReport[] = [];
    const eng: ChildReport[] = [];
    for (let i = 0; i < runs; i++) {
      pkg.push(runChild('package', dir, n));
      eng.push(runChild('engine', dir, n, decoderJson));
    }
    const base = summary(pkg, ['ready']) as Record<string, any>;
    const withEngine = summary(eng, ['ready', 'loaded', 'decoded']) as Record<string, any>;
    const isolated = {
      baselinePackage: base,
      withEngine: { ...withEngine, utterancesDecoded: eng[0]!.decoded, understood: eng.map((e) => e.understood) },
      addedMb: {
        rssAfterLoad: delta(withEngine.loaded.rssMb, base.ready.rssMb),
        rssAfterDecoding: delta(withEngine.decoded.rssMb, base.ready.rssMb),
        vmRssAfterDecoding: delta(withEngine.decoded.vmRssMb, base.ready.vmRssMb),
        peakVmHwm: delta(withEngine.peakVmHwmMb, base.peakVmHwmMb),
        heapUsedAfterDecoding: delta(withEngine.decoded.heapUsedMb, base.ready.heapUsedMb),
        externalAfterDecoding: delta(withEngine.decoded.externalMb, base.ready.externalMb),
      },
    };

    let service: Record<string, unknown> | null = null;
    let serviceAdded: { vmRss: number | null; peakVmHwm: number | null } | null = null;
    if (withService) {
      const off = await measureService(false, clips, n);
      const on = await measureService(true, clips, n);
      serviceAdded = { vmRss: delta(on.vmRssMb, off.vmRssMb), peakVmHwm: delta(on.peakVmHwmMb, off.peakVmHwmMb) };
      service = { withoutSpeech: off, withSpeech: on, addedMb: serviceAdded };
    }

    const judged: Record<string, number | null> = {
      isolatedRssAfterDecoding: isolated.addedMb.rssAfterDecoding,
      isolatedPeakVmHwm: isolated.addedMb.peakVmHwm,
      ...(serviceAdded ? { serviceVmRss: serviceAdded.vmRss, servicePeakVmHwm: serviceAdded.peakVmHwm } : {}),
    };
    const metBy = Object.fromEntries(Object.entries(judged).filter(([, v]) => v !== null).map(([k, v]) => [k, v! <= TARGET_MAX_ADDED_MB]));
    const met = Object.keys(metBy).length > 0 && Object.values(metBy).every(Boolean);
    const result = {
      bench: 'speech-memory',
      quick,
      audio: { tts, commands: clips.map((c) => c.text), clipSec: 3 },
      processesPerKind: runs,
      utterances: n,
      decoderConfig: eng[0]?.decoderConfig ?? null,
      decoderOverrides: decoderJson ? (JSON.parse(decoderJson) as unknown) : null,
      isolated,
      service,
      target: { maxAddedMb: TARGET_MAX_ADDED_MB },
      met,
      metBy,
      worstAddedMb: Math.max(...Object.values(judged).filter((v): v is number => v !== null)),
      pass: met,
      seconds: r1((Date.now() - started) / 1000),
      node: process.version,
      cpus: cpus().length,
      totalMemMb: Math.round(totalmem() / 1024 / 1024),
      loadAverage1m: Math.round(loadavg()[0]! * 100) / 100,
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`speech-memory: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
