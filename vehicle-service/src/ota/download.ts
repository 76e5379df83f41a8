import { open, rm, stat, statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import { isAurigaError } from '@auriga/common';
import { TargetHasher, type TargetFile } from '@auriga/ota/client';
import { OtaAgentErrors } from './errors.js';
import { errnoOf } from './fs-atomic.js';

export type FetchLike = (url: string, init: { method?: string; headers?: Record<string, string>; body?: string; signal?: AbortSignal }) => Promise<Response>;
export type StatFs = (path: string) => Promise<{ bavail: number | bigint; bsize: number | bigint }>;

/**
 * A token bucket: at most `bytesPerS` on average, bursts up to one second's worth. `take` waits (with the
 * injected sleep) until the bytes are available, so a download reads from the socket no faster than that.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(private readonly bytesPerS: number, private readonly now: () => number, private readonly sleep: (ms: number) => Promise<void>) {
    this.tokens = bytesPerS;
    this.last = now();
  }

  async take(bytes: number): Promise<void> {
    for (;;) {
      const t = this.now();
      this.tokens = Math.min(this.bytesPerS, this.tokens + ((t - this.last) * this.bytesPerS) / 1000);
      this.last = t;
      // A chunk bigger than the burst is let through once the bucket is full (it then runs into debt).
      if (this.tokens >= Math.min(bytes, this.bytesPerS)) {
        this.tokens -= bytes;
        return;
      }
      await this.sleep(Math.max(1, Math.ceil(((Math.min(bytes, this.bytesPerS) - this.tokens) * 1000) / this.bytesPerS)));
    }
  }
}

export interface DownloadLimits {
  /** Average download rate; unlimited when absent. */
  bytesPerS?: number;
  /** Refuse bundles larger than this. */
  maxBundleBytes?: number;
  /** Free space that must remain on the data disk at all times. */
  minFreeBytes?: number;
  /** No response headers within this: the attempt fails (a slow or hung server). */
  requestTimeoutMs: number;
  /** No body bytes for this long: the attempt fails and is resumed. */
  stallTimeoutMs: number;
  /** Attempts after the first, each resuming from the .part file, with exponential backoff. */
  retries: number;
  backoffMs: number;
}

export interface DownloadRequest {
  url: string;
  headers: Record<string, string>;
  targetPath: string;
  target: TargetFile;
  partFile: string;
  limits: DownloadLimits;
  fetch: FetchLike;
  statfs?: StatFs;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  signal?: AbortSignal;
  onProgress?: (received: number, total: number) => void;
  /** Called after each chunk is written (tests kill the process mid-download here). */
  afterChunk?: (received: number) => Promise<void> | void;
}

export interface DownloadResult {
  /** Bytes that came over the network in this call (resumed bytes not counted). */
  bytesTransferred: number;
  /** The Range start of every request made (0 = from the beginning). */
  rangeStarts: number[];
  attempts: number;
}

/** Errors after which the .part is worthless: the bytes do not match the signed target, or the disk is full. */
export function isFatalDownloadError(err: unknown): boolean {
  if (!isAurigaError(err)) return false;
  return err.code === OtaAgentErrors.diskFull.code || err.code === OtaAgentErrors.tooLarge.code
    || err.code.startsWith('AURIGA_ERR_OTA_TARGET') || (err.code === OtaAgentErrors.http.code && err.statusCode === 400);
}

const FREE_CHECK_EVERY = 1 << 20;

/**
 * Downloads a signed target into `partFile`, resuming from what is already there with an HTTP Range request,
 * verifying every byte against the signed length and sha256 (the bytes on disk are hashed first), under a
 * bandwidth limit and a disk reserve. Returns when the .part holds exactly the verified target. Network
 * problems are retried with backoff and then thrown (the .part is kept for the next try); fatal problems
 * (hash or length mismatch, disk full) remove the .part and throw.
 */
export async function downloadTarget(req: DownloadRequest): Promise<DownloadResult> {
  const { target, limits } = req;
  const result: DownloadResult = { bytesTransferred: 0, rangeStarts: [], attempts: 0 };
  if (limits.maxBundleBytes !== undefined && target.length > limits.maxBundleBytes) {
    throw OtaAgentErrors.tooLarge(req.targetPath, target.length, limits.maxBundleBytes);
  }
  try {
    for (let attempt = 0; ; attempt++) {
      result.attempts += 1;
      try {
        if (await attemptOnce(req, result)) return result;
      } catch (err) {
        if (isFatalDownloadError(err) || req.signal?.aborted || attempt >= limits.retries) throw err;
      }
      await req.sleep(limits.backoffMs * 2 ** attempt);
    }
  } catch (err) {
    if (isFatalDownloadError(err)) await rm(req.partFile, { force: true });
    throw err;
  }
}

async function freeBytes(req: DownloadRequest): Promise<number> {
  const s = await (req.statfs ?? statfs)(dirname(req.partFile));
  return Number(s.bavail) * Number(s.bsize);
}

/** One request; true when the .part is complete and verified. */
async function attemptOnce(req: DownloadRequest, result: DownloadResult): Promise<boolean> {
  const { target, limits } = req;
  let have = (await stat(req.partFile).catch(() => undefined))?.size ?? 0;
  if (have > target.length) {
    await rm(req.partFile, { force: true });
    have = 0;
  }
  const hasher = new TargetHasher(req.targetPath, target);
  if (have > 0) await hasher.absorbFile(req.partFile, have);
  if (have === target.length) {
    hasher.finish();
    return true;
  }
  // The bundle must fit with the reserve left over, and so must its extraction into a slot (about the same size).
  const need = (target.length - have) + target.length + (limits.minFreeBytes ?? 0);
  const free = await freeBytes(req);
  if (free < need) throw OtaAgentErrors.diskFull(`${req.targetPath} needs ${need} bytes free (download, install and reserve), ${free} available`);

  const controller = new AbortController();
  const onAbort = () => controller.abort(req.signal?.reason);
  req.signal?.addEventListener('abort', onAbort);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let timedOut: string | undefined;
  const arm = (ms: number, what: string) => {
    clearTimeout(timer);
    timer = setTimeout(() => { timedOut = what; controller.abort(); }, ms);
  };
  const headers: Record<string, string> = { ...req.headers };
  if (have > 0) {
    headers.range = `bytes=${have}-`;
    // Only resume if the server still has the same bytes (the ETag is the sha256).
    headers['if-range'] = `"${target.hashes.sha256}"`;
  }
  result.rangeStarts.push(have);
  const fh = await open(req.partFile, have > 0 ? 'r+' : 'w', 0o644);
  try {
    arm(limits.requestTimeoutMs, 'waiting for the bundle download to start');
    let res: Response;
    try {
      res = await req.fetch(req.url, { headers, signal: controller.signal });
    } catch (err) {
      throw networkError('download', err, timedOut, limits.requestTimeoutMs);
    }
    if (res.status === 200 && have > 0) {
      // The server ignored the range (or the bytes changed): start over from zero.
      await fh.truncate(0);
      return await restartFromZero(req, result, res, fh, controller, arm, () => timedOut);
    }
    if (res.status !== 200 && res.status !== 206) {
      const body = await res.text().catch(() => '');
      if (res.status === 416) await fh.truncate(0);
      throw OtaAgentErrors.http(`downloading ${req.targetPath}`, res.status, body);
    }
    await streamBody(req, result, res, fh, hasher, have, controller, arm, () => timedOut);
    return true;
  } finally {
    clearTimeout(timer);
    req.signal?.removeEventListener('abort', onAbort);
    await fh.close();
  }
}

async function restartFromZero(req: DownloadRequest, result: DownloadResult, res: Response, fh: Awaited<ReturnType<typeof open>>,
  controller: AbortController, arm: (ms: number, what: string) => void, timedOut: () => string | undefined): Promise<boolean> {
  const hasher = new TargetHasher(req.targetPath, req.target);
  await streamBody(req, result, res, fh, hasher, 0, controller, arm, timedOut);
  return true;
}

async function streamBody(req: DownloadRequest, result: DownloadResult, res: Response, fh: Awaited<ReturnType<typeof open>>,
  hasher: TargetHasher, start: number, controller: AbortController, arm: (ms: number, what: string) => void, timedOut: () => string | undefined): Promise<void> {
  const { limits } = req;
  const bucket = limits.bytesPerS ? new TokenBucket(limits.bytesPerS, req.now, req.sleep) : undefined;
  let offset = start;
  let sinceFreeCheck = 0;
  if (!res.body) throw OtaAgentErrors.http(`downloading ${req.targetPath}`, res.status, 'empty body');
  const reader = res.body.getReader();
  try {
    for (;;) {
      arm(limits.stallTimeoutMs, 'receiving the bundle');
      let next: Awaited<ReturnType<typeof reader.read>>;
      try {
        next = await reader.read();
      } catch (err) {
        throw networkError('download', err, timedOut(), limits.stallTimeoutMs);
      }
      if (next.done) break;
      const chunk = next.value;
      // Checked before writing: a server sending more than the signed length is cut off here.
      hasher.update(chunk);
      if (bucket) await bucket.take(chunk.length);
      try {
        await fh.write(chunk, 0, chunk.length, offset);
      } catch (err) {
        if (errnoOf(err) === 'ENOSPC') throw OtaAgentErrors.diskFull(`writing ${req.partFile}`, { cause: err });
        throw err;
      }
      offset += chunk.length;
      result.bytesTransferred += chunk.length;
      sinceFreeCheck += chunk.length;
      if (sinceFreeCheck >= FREE_CHECK_EVERY || offset === req.target.length) {
        sinceFreeCheck = 0;
        const free = await freeBytes(req);
        const reserve = (limits.minFreeBytes ?? 0) + (req.target.length - offset);
        if (free < reserve) throw OtaAgentErrors.diskFull(`${free} bytes free while downloading ${req.targetPath}, ${reserve} needed`);
      }
      req.onProgress?.(offset, req.target.length);
      await req.afterChunk?.(offset);
    }
  } finally {
    reader.releaseLock();
    controller.abort();
  }
  hasher.finish();
  await fh.sync();
}

function networkError(what: string, err: unknown, timedOut: string | undefined, ms: number): Error {
  if (timedOut) return OtaAgentErrors.timeout(`${what} (${timedOut})`, ms, { cause: err });
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return OtaAgentErrors.unreachable(what, cause?.code ?? cause?.message ?? (err as Error).message, { cause: err });
}
