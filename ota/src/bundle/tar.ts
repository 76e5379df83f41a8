import { OtaErrors } from '../errors.js';

/**
 * The subset of POSIX ustar a bundle needs: regular files only, deterministic headers (mode 0644,
 * uid/gid 0, mtime 0) so the same inputs give the same bytes, paths up to 255 via the prefix field.
 * Anything else a tar can hold (links, devices, pax/GNU extensions) is refused by the reader.
 */
export const BLOCK = 512;
const MAX_SIZE = 0o77777777777; // 11 octal digits: 8 GiB - 1

export function tarHeader(path: string, size: number): Buffer {
  if (size > MAX_SIZE) throw OtaErrors.badBundle(`${path} is larger than ustar allows`);
  const h = Buffer.alloc(BLOCK, 0);
  let name = path;
  let prefix = '';
  if (Buffer.byteLength(path) > 100) {
    const cut = path.lastIndexOf('/', 155);
    if (cut <= 0 || Buffer.byteLength(path.slice(cut + 1)) > 100) throw OtaErrors.badBundle(`path ${path} does not fit a ustar header`);
    prefix = path.slice(0, cut);
    name = path.slice(cut + 1);
  }
  h.write(name, 0, 100, 'utf8');
  writeOctal(h, 100, 8, 0o644);
  writeOctal(h, 108, 8, 0);
  writeOctal(h, 116, 8, 0);
  writeOctal(h, 124, 12, size);
  writeOctal(h, 136, 12, 0);
  h.fill(0x20, 148, 156); // checksum field counts as spaces while summing
  h.write('0', 156, 1, 'ascii');
  h.write('ustar\u000000', 257, 8, 'binary');
  h.write(prefix, 345, 155, 'utf8');
  writeOctal(h, 148, 7, checksum(h));
  h[155] = 0x20;
  return h;
}

export function tarPadding(size: number): Buffer {
  const rest = size % BLOCK;
  return Buffer.alloc(rest === 0 ? 0 : BLOCK - rest, 0);
}

export const TAR_END = Buffer.alloc(BLOCK * 2, 0);

export interface TarEntryHeader {
  path: string;
  size: number;
}

/** Parses one header block; returns null for the zero block that ends the archive. */
export function parseTarHeader(h: Buffer, offset: number): TarEntryHeader | null {
  if (h.length !== BLOCK) throw OtaErrors.badBundle(`truncated tar header at byte ${offset}`);
  if (h.every((b) => b === 0)) return null;
  const stored = parseOctal(h, 148, 8, offset);
  if (stored !== checksum(h)) throw OtaErrors.badBundle(`tar header checksum mismatch at byte ${offset}`);
  if (h.toString('binary', 257, 263) !== 'ustar\u0000' || h.toString('binary', 263, 265) !== '00') {
    throw OtaErrors.badBundle(`not a ustar header at byte ${offset}`);
  }
  const type = h[156];
  if (type !== 0x30 && type !== 0) {
    throw OtaErrors.badBundle(`entry type ${JSON.stringify(String.fromCharCode(type ?? 0))} at byte ${offset} is not a regular file`);
  }
  const name = cString(h, 0, 100);
  const prefix = cString(h, 345, 155);
  return { path: prefix ? `${prefix}/${name}` : name, size: parseOctal(h, 124, 12, offset) };
}

function checksum(h: Buffer): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i]!;
  return sum;
}

function writeOctal(h: Buffer, at: number, width: number, value: number): void {
  h.write(value.toString(8).padStart(width - 1, '0'), at, width - 1, 'ascii');
  h[at + width - 1] = 0;
}

function parseOctal(h: Buffer, at: number, width: number, offset: number): number {
  const text = h.toString('ascii', at, at + width).replace(/[\0 ]+$/, '').replace(/^ +/, '');
  if (!/^[0-7]+$/.test(text)) throw OtaErrors.badBundle(`bad octal field at byte ${offset + at}`);
  return parseInt(text, 8);
}

function cString(h: Buffer, at: number, width: number): string {
  const end = h.indexOf(0, at);
  return h.toString('utf8', at, end === -1 || end > at + width ? at + width : end);
}

/** Pulls exact byte counts out of an async chunk stream without copying more than needed. */
export class ChunkReader {
  private buffered: Buffer[] = [];
  private bufferedBytes = 0;
  private done = false;
  position = 0;

  constructor(private readonly source: AsyncIterator<Uint8Array>) {}

  private async fill(): Promise<boolean> {
    if (this.done) return false;
    const next = await this.source.next();
    if (next.done) {
      this.done = true;
      return false;
    }
    const buf = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
    if (buf.length > 0) {
      this.buffered.push(buf);
      this.bufferedBytes += buf.length;
    }
    return true;
  }

  /** Exactly n bytes, or fewer only at the end of the stream. */
  async readExactly(n: number): Promise<Buffer> {
    while (this.bufferedBytes < n && (await this.fill()));
    const take = Math.min(n, this.bufferedBytes);
    const all = this.buffered.length === 1 ? this.buffered[0]! : Buffer.concat(this.buffered);
    const out = all.subarray(0, take);
    const rest = all.subarray(take);
    this.buffered = rest.length ? [rest] : [];
    this.bufferedBytes = rest.length;
    this.position += take;
    return out;
  }

  /** Up to n bytes, whatever is at hand (one chunk), for streaming file data. Empty at the end. */
  async readSome(n: number): Promise<Buffer> {
    if (this.bufferedBytes === 0 && !(await this.fill())) return Buffer.alloc(0);
    while (this.bufferedBytes === 0 && (await this.fill()));
    const first = this.buffered[0];
    if (!first) return Buffer.alloc(0);
    const out = first.subarray(0, Math.min(n, first.length));
    if (out.length === first.length) this.buffered.shift();
    else this.buffered[0] = first.subarray(out.length);
    this.bufferedBytes -= out.length;
    this.position += out.length;
    return out;
  }
}
