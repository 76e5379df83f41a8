/**
 * Runs the vehicle service as its own process (vehicle-service/src/main.ts, as deployed), so a
 * bench's load generator does not share its event loop, and its CPU time can be read separately.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../vehicle-service/src/main.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface ServiceProcess {
  readonly url: string;
  readonly mqttUrl: string;
  readonly child: ChildProcess;
  /** Value of a Prometheus sample (first line starting with `name`), from /metrics. */
  metric(name: string): Promise<number>;
  /** SIGTERM and wait for a graceful exit; resolves with the exit code. */
  stop(): Promise<number | null>;
}

export async function startServiceProcess(env: Record<string, string>): Promise<ServiceProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', EMBEDDED_MQTT_PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const started = await new Promise<{ url: string; mqtt: string }>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const timer = setTimeout(() => reject(new Error(`the service did not start within 30 s\n${stderr}`)), 30_000);
    lines.on('line', (line) => {
      try {
        const log = JSON.parse(line) as { msg?: string; url?: string; mqtt?: string };
        if (log.msg === 'vehicle service started' && log.url && log.mqtt) {
          clearTimeout(timer);
          resolve({ url: log.url, mqtt: log.mqtt });
        }
      } catch {
        /* not a log line */
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the service exited with ${code} before starting\n${stderr}`));
    });
  });
  return {
    url: started.url,
    mqttUrl: started.mqtt,
    child,
    async metric(name) {
      const text = await (await fetch(`${started.url}/metrics`)).text();
      const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
      if (!line) throw new Error(`no metric ${name}`);
      return Number(line.slice(line.lastIndexOf(' ') + 1));
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
