import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Vehicle tokens are 256 random bits; the server keeps only their sha256 (a fast hash suffices at that entropy). */
export function newVehicleToken(): string {
  return `avt_${randomBytes(32).toString('base64url')}`;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Constant-time membership test over hashed operator tokens. */
export function matchesAnyToken(token: string, hashes: readonly string[]): boolean {
  const h = Buffer.from(hashToken(token), 'hex');
  let ok = false;
  for (const candidate of hashes) ok = timingSafeEqual(h, Buffer.from(candidate, 'hex')) || ok;
  return ok;
}

export function bearerToken(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return m?.[1];
}
