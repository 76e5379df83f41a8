import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile, readdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildBundle, extractBundle, readBundle, verifyBundleFile } from './bundle.js';
import { validateManifest, type ManifestInput } from './manifest.js';
import { TAR_END, tarHeader, tarPadding } from './tar.js';

let dir: string;
beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'ota-bundle-')); });
afterEach(async () => { await rm(dir, { recursive: true, force: true }); });

const baseManifest: ManifestInput = {
  name: 'speech-en',
  version: '1.2.0',
  kind: 'speech-model',
  supports: { serviceVersions: '>=0.1.0 <0.3.0', hardware: ['hu-a1', 'hu-a2'] },
  acceptance: { minAccuracy: 0.9, maxLatencyMs: 250 },
};

async function makeSource(): Promise<string> {
  const src = join(dir, 'src');
  await mkdir(join(src, 'contexts'), { recursive: true });
  await writeFile(join(src, 'model.onnx'), Buffer.alloc(3000, 1));
  await writeFile(join(src, 'contexts', 'nav.json'), '{"phrases":["navigate home"]}');
  return src;
}

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/** Hand-assembled archive, to feed the reader what our writer would never produce. */
function rawTar(entries: { path: string; data: Buffer | string; type?: string }[], trailer: Buffer = TAR_END): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const data = Buffer.from(e.data);
    const h = tarHeader(e.path, data.length);
    if (e.type) {
      h.write(e.type, 156, 1, 'ascii');
      h.fill(0x20, 148, 156);
      let sum = 0;
      for (const b of h) sum += b;
      h.write(sum.toString(8).padStart(6, '0'), 148, 6, 'ascii');
      h[154] = 0;
      h[155] = 0x20;
    }
    parts.push(h, data, tarPadding(data.length));
  }
  parts.push(trailer);
  return Buffer.concat(parts);
}

function manifestFor(files: Record<string, Buffer | string>, over: Record<string, unknown> = {}): string {
  return JSON.stringify({
    ...baseManifest,
    files: Object.entries(files).map(([path, data]) => ({ path, sha256: sha(data), length: Buffer.byteLength(data) })),
    ...over,
  });
}

describe('bundles', () => {
  it('builds deterministic bundles that verify and extract', async () => {
    const src = await makeSource();
    const a = await buildBundle({ sourceDir: src, manifest: baseManifest, outFile: join(dir, 'a.bundle') });
    const b = await buildBundle({ sourceDir: src, manifest: baseManifest, outFile: join(dir, 'b.bundle') });
    expect(a.sha256).toBe(b.sha256);
    expect(a.sha256).toBe(sha(await readFile(a.path)));
    expect(a.length % 512).toBe(0);
    expect(a.manifest.files.map((f) => f.path)).toEqual(['contexts/nav.json', 'model.onnx']);
    expect(a.target.custom).toEqual({ name: 'speech-en', version: '1.2.0', kind: 'speech-model', hardwareIds: ['hu-a1', 'hu-a2'], serviceVersions: '>=0.1.0 <0.3.0' });

    const manifest = await verifyBundleFile(a.path, a.target.custom as never);
    expect(manifest.files[1]).toMatchObject({ path: 'model.onnx', length: 3000, sha256: sha(Buffer.alloc(3000, 1)) });
    const slot = join(dir, 'slots', 'b');
    await extractBundle(a.path, slot, { fsync: true });
    expect(await readFile(join(slot, 'contexts', 'nav.json'), 'utf8')).toBe('{"phrases":["navigate home"]}');
    expect((await stat(join(slot, 'model.onnx'))).size).toBe(3000);
    // Never merges into an existing directory.
    await expect(extractBundle(a.path, slot)).rejects.toThrow(/EEXIST/);
  });

  it('refuses a tampered file, and removes what it had extracted', async () => {
    const src = await makeSource();
    const built = await buildBundle({ sourceDir: src, manifest: baseManifest, outFile: join(dir, 'a.bundle') });
    const bytes = await readFile(built.path);
    bytes[bytes.length - 1024 - 600]! ^= 0xff; // inside model.onnx, the last file
    await writeFile(built.path, bytes);
    await expect(verifyBundleFile(built.path)).rejects.toThrow(/model.onnx does not match its sha256/);
    const slot = join(dir, 'slot');
    await expect(extractBundle(built.path, slot)).rejects.toThrow(/sha256/);
    await expect(readdir(slot)).rejects.toThrow(/ENOENT/);
  });

  it('refuses a manifest that differs from the signed release', async () => {
    const src = await makeSource();
    const built = await buildBundle({ sourceDir: src, manifest: baseManifest, outFile: join(dir, 'a.bundle') });
    const custom = { ...(built.target.custom as Record<string, unknown>), hardwareIds: ['hu-a1'] };
    await expect(verifyBundleFile(built.path, custom as never)).rejects.toThrow(/signed release says/);
  });

  it('refuses extra, missing, reordered, non-regular and trailing entries', async () => {
    const files = { 'a.bin': 'aaa', 'b.bin': 'bbbb' };
    const m = manifestFor(files);
    const read = (buf: Buffer) => readBundle(Readable.from([buf]));
    await expect(read(rawTar([{ path: 'manifest.json', data: m }, { path: 'a.bin', data: 'aaa' }, { path: 'b.bin', data: 'bbbb' }]))).resolves.toBeDefined();
    await expect(read(rawTar([{ path: 'manifest.json', data: m }, { path: 'a.bin', data: 'aaa' }, { path: 'b.bin', data: 'bbbb' }, { path: 'x.sh', data: 'rm -rf /' }])))
      .rejects.toThrow(/extra file "x.sh"/);
    await expect(read(rawTar([{ path: 'manifest.json', data: m }, { path: 'a.bin', data: 'aaa' }]))).rejects.toThrow(/b.bin is missing/);
    await expect(read(rawTar([{ path: 'manifest.json', data: m }, { path: 'b.bin', data: 'bbbb' }, { path: 'a.bin', data: 'aaa' }]))).rejects.toThrow(/out of order/);
    await expect(read(rawTar([{ path: 'manifest.json', data: m }, { path: 'a.bin', data: '', type: '2' }]))).rejects.toThrow(/not a regular file/);
    await expect(read(rawTar([{ path: 'manifest.json', data: m }, { path: 'a.bin', data: 'aaa' }, { path: 'b.bin', data: 'bbbb' }], Buffer.concat([TAR_END, Buffer.from('junk')]))))
      .rejects.toThrow(/data after the end/);
    await expect(read(rawTar([{ path: 'a.bin', data: 'aaa' }]))).rejects.toThrow(/first entry must be manifest.json/);
    const whole = rawTar([{ path: 'manifest.json', data: m }, { path: 'a.bin', data: 'aaa' }, { path: 'b.bin', data: 'bbbb' }]);
    await expect(read(whole.subarray(0, 1600))).rejects.toThrow(/truncated/);
    const bad = Buffer.from(whole);
    bad[5]! ^= 1; // header checksum
    await expect(read(bad)).rejects.toThrow(/checksum mismatch/);
  });

  it('refuses a declared length that differs from the entry', async () => {
    const m = manifestFor({ 'a.bin': 'aaa' });
    await expect(readBundle(Readable.from([rawTar([{ path: 'manifest.json', data: m }, { path: 'a.bin', data: 'aaaa' }])])))
      .rejects.toThrow(/a.bin is 4 bytes, manifest says 3/);
  });

  it('refuses path traversal and unsafe names in the manifest', async () => {
    for (const path of ['../evil', '/etc/passwd', 'a/../../b', 'a\\b', '.hidden', 'a//b', 'manifest.json']) {
      const m = manifestFor({ [path]: 'x' });
      await expect(readBundle(Readable.from([rawTar([{ path: 'manifest.json', data: m }, { path, data: 'x' }])])), path)
        .rejects.toThrow(/unsafe segment|reserved/);
    }
    expect(() => validateManifest(JSON.parse(manifestFor({ 'A.bin': 'x', 'a.bin': 'y' })))).toThrow(/listed twice/);
    expect(() => validateManifest(JSON.parse(manifestFor({ a: 'x', 'a/b': 'y' })))).toThrow(/both a file and a directory/);
    expect(() => validateManifest(JSON.parse(manifestFor({ a: 'x' }, { version: '1.2.x' })))).toThrow(/not a semantic version/);
    expect(() => validateManifest(JSON.parse(manifestFor({ a: 'x' }, { kind: 'firmware' })))).toThrow(/\/kind/);
    expect(() => validateManifest(JSON.parse(manifestFor({ a: 'x' }, { acceptance: { minAccuracy: 2 } })))).toThrow(/minAccuracy/);
  });

  it('refuses symlinks when building', async () => {
    const src = await makeSource();
    await symlink('/etc/passwd', join(src, 'link'));
    await expect(buildBundle({ sourceDir: src, manifest: baseManifest, outFile: join(dir, 'x.bundle') })).rejects.toThrow(/not a regular file/);
  });

  it('handles long paths via the ustar prefix', async () => {
    const src = join(dir, 'deep');
    const long = `${'d'.repeat(80)}/${'e'.repeat(60)}/f.bin`;
    await mkdir(join(src, 'd'.repeat(80), 'e'.repeat(60)), { recursive: true });
    await writeFile(join(src, ...long.split('/')), 'deep');
    const built = await buildBundle({ sourceDir: src, manifest: baseManifest, outFile: join(dir, 'deep.bundle') });
    expect((await verifyBundleFile(built.path)).files[0]!.path).toBe(long);
  });
});
