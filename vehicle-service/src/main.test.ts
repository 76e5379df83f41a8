import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));

/** Runs main.ts; `onLine` may return 'term' to send SIGTERM. Resolves with the exit code and output. */
function run(env: Record<string, string>, onLine?: (line: string) => 'term' | undefined): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      const text = d.toString();
      stdout += text;
      for (const line of text.split('\n')) if (onLine?.(line) === 'term') child.kill('SIGTERM');
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('main', () => {
  it('exits with 1 and a clear message on a configuration error', async () => {
    const { code, stderr } = await run({ PORT: 'eighty', LOG_LEVEL: 'loud' });
    expect(code).toBe(1);
    expect(stderr).toContain('invalid configuration');
    expect(stderr).toMatch(/environment variable PORT/);
    expect(stderr).toMatch(/environment variable LOG_LEVEL/);
    expect(stderr).not.toMatch(/at .*\.ts:\d+/); // a message, not a stack trace
  });

  it('starts, then shuts down gracefully on SIGTERM with exit code 0', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'auriga-main-'));
    try {
      const { code, stdout } = await run(
        { PORT: '0', EMBEDDED_MQTT_PORT: '0', DATA_DIR: dataDir, MQTT_TOPIC_ROOT: 'auriga-test/main/v1', LOG_LEVEL: 'info' },
        (line) => (line.includes('"vehicle service started"') ? 'term' : undefined),
      );
      expect(stdout).toContain('"msg":"vehicle service started"');
      expect(stdout).toContain('"msg":"stopped"');
      expect(code).toBe(0);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
