import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, mkdir, open, readdir, rename, rm, type FileHandle } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { OtaErrors } from '../errors.js';
import type { ReleaseCustom, TargetFile } from '../metadata/types.js';
import { MANIFEST_NAME, releaseCustomOf, validateManifest, type Manifest, type ManifestFile, type ManifestInput } from './manifest.js';
import { BLOCK, ChunkReader, parseTarHeader, TAR_END, tarHeader, tarPadding } from './tar.js';

const MAX_MANIFEST_BYTES = 1 << 20;
const READ_CHUNK = 1 << 20;

export interface BuiltBundle {
  manifest: Manifest;
  path: string;
  sha256: string;
  length: number;
  /** The `targets` entry for this bundle, with the release fields the car checks before downloading. */
  target: TargetFile;
}

/**
 * Packs `sourceDir` into one bundle file: `manifest.json` first, then every file in manifest order.
 * The manifest lists each file's sha256 and length; `manifest.files` may be given to choose files and
 * roles, otherwise every regular file under sourceDir is included. Symlinks are refused.
 */
export async function buildBundle(opts: { sourceDir: string; manifest: ManifestInput; outFile: string }): Promise<BuiltBundle> {
  const wanted = opts.manifest.files ?? (await listFiles(opts.sourceDir)).map((path) => ({ path, sha256: '0'.repeat(64), length: 0 }));
  const files: ManifestFile[] = [];
  for (const f of wanted) {
    const abs = join(opts.sourceDir, ...f.path.split('/'));
    const st = await lstat(abs).catch(() => undefined);
    if (!st?.isFile()) throw OtaErrors.badBundle(`${f.path} is not a regular file under ${opts.sourceDir}`);
    const hash = createHash('sha256');
    let length = 0;
    for await (const chunk of createReadStream(abs, { highWaterMark: READ_CHUNK })) {
      hash.update(chunk as Buffer);
      length += (chunk as Buffer).length;
    }
    files.push({ ...f, sha256: hash.digest('hex'), length });
  }
  const manifest = validateManifest({ ...opts.manifest, files });
  const manifestBytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8');

  const tmp = `${opts.outFile}.tmp-${process.pid}`;
  const out = await open(tmp, 'w', 0o644);
  const bundleHash = createHash('sha256');
  let total = 0;
  const write = async (buf: Buffer) => {
    bundleHash.update(buf);
    total += buf.length;
    await out.write(buf);
  };
  try {
    await write(tarHeader(MANIFEST_NAME, manifestBytes.length));
    await write(manifestBytes);
    await write(tarPadding(manifestBytes.length));
    for (const f of manifest.files) {
      await write(tarHeader(f.path, f.length));
      let copied = 0;
      for await (const chunk of createReadStream(join(opts.sourceDir, ...f.path.split('/')), { highWaterMark: READ_CHUNK })) {
        copied += (chunk as Buffer).length;
        await write(chunk as Buffer);
      }
      if (copied !== f.length) throw OtaErrors.badBundle(`${f.path} changed while building the bundle`);
      await write(tarPadding(f.length));
    }
    await write(TAR_END);
    await out.sync();
  } catch (err) {
    await out.close();
    await rm(tmp, { force: true });
    throw err;
  }
  await out.close();
  await rename(tmp, opts.outFile);
  const sha256 = bundleHash.digest('hex');
  return {
    manifest,
    path: opts.outFile,
    sha256,
    length: total,
    target: { length: total, hashes: { sha256 }, custom: { ...releaseCustomOf(manifest) } },
  };
}

async function listFiles(root: string, dir = root): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const abs = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(root, abs)));
    else if (entry.isFile()) out.push(relative(root, abs).split(sep).join('/'));
    else throw OtaErrors.badBundle(`${abs} is not a regular file or directory`);
  }
  return out.sort();
}

export interface FileSink {
  write(chunk: Buffer): Promise<void> | void;
  close(): Promise<void> | void;
}

export interface ReadBundleOptions {
  /** The release the signed targets metadata describes; the manifest inside must say the same. */
  expected?: ReleaseCustom;
  /** Called once per file, in order, after the manifest is checked; return where its bytes go. */
  onFile?: (file: ManifestFile) => Promise<FileSink | undefined> | FileSink | undefined;
}

/**
 * Streams a bundle and checks everything: the manifest schema and paths, that it matches the signed
 * release, that the archive holds exactly the manifest's files in order (nothing missing, nothing extra,
 * nothing but regular files), each with its declared length and sha256, and nothing after the end.
 */
export async function readBundle(source: AsyncIterable<Uint8Array>, opts: ReadBundleOptions = {}): Promise<Manifest> {
  const reader = new ChunkReader(source[Symbol.asyncIterator]());
  const first = parseTarHeader(await reader.readExactly(BLOCK), 0);
  if (!first || first.path !== MANIFEST_NAME) throw OtaErrors.badBundle(`the first entry must be ${MANIFEST_NAME}`);
  if (first.size > MAX_MANIFEST_BYTES) throw OtaErrors.badBundle(`${MANIFEST_NAME} is ${first.size} bytes, limit ${MAX_MANIFEST_BYTES}`);
  const manifestBytes = await reader.readExactly(first.size);
  if (manifestBytes.length !== first.size) throw OtaErrors.badBundle(`${MANIFEST_NAME} is truncated`);
  await skipPadding(reader, first.size);
  let parsed: unknown;
  try {
    parsed = JSON.parse(manifestBytes.toString('utf8'));
  } catch (err) {
    throw OtaErrors.badBundle(`${MANIFEST_NAME} is not JSON (${(err as Error).message})`);
  }
  const manifest = validateManifest(parsed);
  if (opts.expected) checkAgainstRelease(manifest, opts.expected);

  const listed = new Set(manifest.files.map((f) => f.path));
  for (const file of manifest.files) {
    const at = reader.position;
    const header = parseTarHeader(await reader.readExactly(BLOCK), at);
    if (!header) throw OtaErrors.badBundle(`${file.path} is missing`);
    if (header.path !== file.path) {
      throw OtaErrors.badBundle(listed.has(header.path) ? `${header.path} is out of order or repeated` : `extra file ${JSON.stringify(header.path)} is not in the manifest`);
    }
    if (header.size !== file.length) throw OtaErrors.badBundle(`${file.path} is ${header.size} bytes, manifest says ${file.length}`);
    const sink = await opts.onFile?.(file);
    const hash = createHash('sha256');
    let left = file.length;
    try {
      while (left > 0) {
        const chunk = await reader.readSome(Math.min(left, READ_CHUNK));
        if (chunk.length === 0) throw OtaErrors.badBundle(`${file.path} is truncated`);
        hash.update(chunk);
        left -= chunk.length;
        if (sink) await sink.write(chunk);
      }
    } finally {
      await sink?.close();
    }
    if (hash.digest('hex') !== file.sha256) throw OtaErrors.badBundle(`${file.path} does not match its sha256 in the manifest`);
    await skipPadding(reader, file.length);
  }
  const endAt = reader.position;
  const end = parseTarHeader(await reader.readExactly(BLOCK), endAt);
  if (end) throw OtaErrors.badBundle(listed.has(end.path) ? `${end.path} is repeated` : `extra file ${JSON.stringify(end.path)} is not in the manifest`);
  // After the end marker only zero padding may follow (tar pads to its record size), and not forever.
  for (let budget = 20 * BLOCK; ;) {
    const rest = await reader.readSome(BLOCK);
    if (rest.length === 0) break;
    budget -= rest.length;
    if (budget < 0 || !rest.every((b) => b === 0)) throw OtaErrors.badBundle('data after the end of the archive');
  }
  return manifest;
}

async function skipPadding(reader: ChunkReader, size: number): Promise<void> {
  const pad = tarPadding(size).length;
  if (pad === 0) return;
  const got = await reader.readExactly(pad);
  if (got.length !== pad) throw OtaErrors.badBundle('archive is truncated');
}

function checkAgainstRelease(m: Manifest, r: ReleaseCustom): void {
  const same = m.name === r.name && m.version === r.version && m.kind === r.kind
    && m.supports.serviceVersions === r.serviceVersions
    && m.supports.hardware.length === r.hardwareIds.length && m.supports.hardware.every((h, i) => h === r.hardwareIds[i]);
  if (!same) throw OtaErrors.badBundle(`manifest says ${m.name}@${m.version} (${m.kind}), signed release says ${r.name}@${r.version} (${r.kind}) or other fields differ`);
}

export async function verifyBundleFile(bundlePath: string, expected?: ReleaseCustom): Promise<Manifest> {
  const stream = createReadStream(bundlePath, { highWaterMark: READ_CHUNK });
  try {
    return await readBundle(stream, { expected });
  } finally {
    stream.destroy();
  }
}

/**
 * Verifies and unpacks a bundle into `destDir`, which must not exist yet (the agent's inactive slot
 * staging directory). Files are created exclusively, so nothing pre-existing or linked is followed.
 * On any refusal the directory is removed. With `fsync`, files are flushed before returning.
 */
export async function extractBundle(bundlePath: string, destDir: string, opts: { expected?: ReleaseCustom; fsync?: boolean } = {}): Promise<Manifest> {
  await mkdir(dirname(destDir), { recursive: true });
  await mkdir(destDir); // throws EEXIST: never merge into an old directory
  const stream = createReadStream(bundlePath, { highWaterMark: READ_CHUNK });
  try {
    return await readBundle(stream, {
      expected: opts.expected,
      onFile: async (file) => {
        const abs = join(destDir, ...file.path.split('/'));
        await mkdir(dirname(abs), { recursive: true });
        const fh: FileHandle = await open(abs, 'wx', 0o644);
        return {
          write: async (chunk) => { await fh.write(chunk); },
          close: async () => {
            if (opts.fsync) await fh.sync();
            await fh.close();
          },
        };
      },
    });
  } catch (err) {
    await rm(destDir, { recursive: true, force: true });
    throw err;
  } finally {
    stream.destroy();
  }
}
