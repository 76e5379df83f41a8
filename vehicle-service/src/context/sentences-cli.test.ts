import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sentencesCli } from './sentences-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'auriga-context-'));
const file = join(dir, 'fan.yaml');
writeFileSync(file, 'context:\n  intents:\n    fan: ["fan $pv.SingleDigitInteger:level"]\n    off: ["fan off"]\n');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const status = await sentencesCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { status, out, err };
}

describe('sentencesCli', () => {
  it('prints sampled sentences as JSON lines, reproducibly', async () => {
    const first = await run(file, '--count', '20', '--seed', '5');
    expect(first.status).toBe(0);
    expect(first.out).toHaveLength(20);
    for (const line of first.out) {
      const sentence = JSON.parse(line) as { text: string; intent: string; slots: Record<string, string>; numbers: Record<string, number> };
      if (sentence.intent === 'fan') {
        expect(sentence.text).toBe(`fan ${sentence.slots['level']}`);
        expect(sentence.numbers['level']).toBeGreaterThanOrEqual(0);
      } else {
        expect(sentence).toEqual({ text: 'fan off', intent: 'off', slots: {}, numbers: {} });
      }
    }
    expect((await run(file, '--count', '20', '--seed', '5')).out).toEqual(first.out);
  });

  it('enumerates, filters intents and lists the vocabulary', async () => {
    const all = await run(file, '--enumerate', '--intent', 'fan');
    expect(all.out.map((l) => (JSON.parse(l) as { text: string }).text)).toEqual(
      ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'].map((n) => `fan ${n}`),
    );
    expect((await run(file, '--enumerate', '--limit', '3')).out).toHaveLength(3);
    const vocabulary = await run(file, '--vocabulary');
    expect(vocabulary.out).toContain('off');
    expect(vocabulary.out).toContain('seven');
  });

  it('fails with status 2 on bad usage and 1 on a bad context', async () => {
    expect((await run()).status).toBe(2);
    expect((await run(file, '--count', 'many')).status).toBe(2);
    expect((await run(file, '--bogus')).status).toBe(2);
    const missing = await run(join(dir, 'nope.yaml'));
    expect(missing.status).toBe(1);
    expect(missing.err[0]).toMatch(/cannot read context file/);
    const unknownIntent = await run(file, '--intent', 'nope');
    expect(unknownIntent.status).toBe(1);
    expect(unknownIntent.err[0]).toMatch(/unknown intent/);
    expect((await run('--help')).status).toBe(0);
  });
});
