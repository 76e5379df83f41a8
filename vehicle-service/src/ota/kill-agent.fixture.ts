/**
 * TESTS ONLY: runs an OtaAgent in its own process and kills it with SIGKILL right after it persisted the
 * step named in the config (agent-kill.test.ts). Without a kill step it runs the update to its end and
 * prints the final report and status as JSON.
 */
import pino from 'pino';
import { OtaAgent, type CrashPoint } from './agent.js';
import { VoiceContextHandler } from './handlers/voice-context.js';

interface FixtureConfig {
  url: string;
  vehicleId: string;
  hardwareId: string;
  token: string;
  dataDir: string;
  rootJson: string;
  metaNow: number;
  factoryDir: string;
  killAt?: CrashPoint;
  healthWindowMs: number;
}

const cfg = JSON.parse(process.env.OTA_FIXTURE ?? '{}') as FixtureConfig;
const agent = new OtaAgent({
  serverUrl: cfg.url,
  vehicleId: cfg.vehicleId,
  hardwareId: cfg.hardwareId,
  token: cfg.token,
  serviceVersion: '0.1.0',
  dataDir: cfg.dataDir,
  trustedRoot: cfg.rootJson,
  handlers: [new VoiceContextHandler()],
  factory: [{ kind: 'voice-context', name: 'garage-context', version: '1.0.0', dir: cfg.factoryDir }],
  pollIntervalMs: 3_600_000,
  healthWindowMs: cfg.healthWindowMs,
  healthCheckIntervalMs: 50,
  limits: { requestTimeoutMs: 5000, stallTimeoutMs: 5000, retries: 2, backoffMs: 20 },
  logger: pino({ level: 'silent' }),
  metadataNow: () => cfg.metaNow,
  onPersisted: (point) => {
    if (point === cfg.killAt) process.kill(process.pid, 'SIGKILL');
  },
});
const guard = setTimeout(() => {
  process.stderr.write(`no final report within 20 s: ${JSON.stringify(agent.status())}\n`);
  process.exit(3);
}, 20_000);
agent.on('report', (r) => {
  if (r.step !== 'active' && r.step !== 'failed' && r.step !== 'rolled_back') return;
  void (async () => {
    await agent.idle();
    const status = agent.status();
    await agent.destroy();
    clearTimeout(guard);
    process.stdout.write(`${JSON.stringify({ report: r, status })}\n`);
    process.exit(0);
  })();
});
await agent.start();
