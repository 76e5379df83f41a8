import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { OtaErrors } from '../errors.js';
import { canonicalJsonBytes } from './canonical-json.js';

/** A public key as TUF metadata lists it (securesystemslib's ed25519 key dict). */
export interface PublicKey {
  keytype: 'ed25519';
  scheme: 'ed25519';
  keyval: { public: string };
}

/** A private key file: the public part plus the 32-byte seed, both hex. Kept offline for root/targets. */
export interface PrivateKeyFile extends Omit<PublicKey, 'keyval'> {
  keyval: { public: string; private: string };
}

export interface Signer {
  readonly keyid: string;
  readonly publicKey: PublicKey;
  sign(data: Uint8Array): string;
}

const HEX64 = /^[0-9a-f]{64}$/;

/** keyid = sha256 of the canonical JSON of the public key (TUF's definition). */
export function keyIdOf(key: PublicKey): string {
  return createHash('sha256').update(canonicalJsonBytes(publicKeyOnly(key))).digest('hex');
}

export function publicKeyOnly(key: PublicKey | PrivateKeyFile): PublicKey {
  return { keytype: key.keytype, scheme: key.scheme, keyval: { public: key.keyval.public } };
}

export function generateKeyFile(): PrivateKeyFile {
  const { privateKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  return {
    keytype: 'ed25519',
    scheme: 'ed25519',
    keyval: { public: b64urlToHex(jwk.x!), private: b64urlToHex(jwk.d!) },
  };
}

export function parsePublicKey(value: unknown, where = 'key'): PublicKey {
  const v = value as PublicKey | undefined;
  if (typeof v !== 'object' || v === null) throw OtaErrors.badKey(`${where} is not an object`);
  if (v.keytype !== 'ed25519' || v.scheme !== 'ed25519') {
    throw OtaErrors.badKey(`${where} has keytype ${String(v.keytype)}/${String(v.scheme)}, only ed25519 is supported`);
  }
  if (typeof v.keyval?.public !== 'string' || !HEX64.test(v.keyval.public)) {
    throw OtaErrors.badKey(`${where}.keyval.public must be 64 lowercase hex digits`);
  }
  return publicKeyOnly(v);
}

export function parseKeyFile(value: unknown, where = 'key file'): PrivateKeyFile {
  const pub = parsePublicKey(value, where);
  const priv = (value as PrivateKeyFile).keyval.private;
  if (typeof priv !== 'string' || !HEX64.test(priv)) {
    throw OtaErrors.badKey(`${where}.keyval.private must be 64 lowercase hex digits (a private key file)`);
  }
  const signer = createSigner({ ...pub, keyval: { public: pub.keyval.public, private: priv } });
  // A key file whose halves do not belong together would sign metadata nobody can verify.
  const probe = Buffer.from('auriga key probe');
  if (!verifySignature(pub, probe, signer.sign(probe))) throw OtaErrors.badKey(`${where}: private and public halves do not match`);
  return { ...pub, keyval: { public: pub.keyval.public, private: priv } };
}

export function createSigner(file: PrivateKeyFile): Signer {
  const keyObject = createPrivateKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: hexToB64url(file.keyval.public), d: hexToB64url(file.keyval.private) },
    format: 'jwk',
  });
  const publicKey = publicKeyOnly(file);
  return {
    keyid: keyIdOf(publicKey),
    publicKey,
    sign: (data) => sign(null, data, keyObject).toString('hex'),
  };
}

const publicKeyCache = new Map<string, KeyObject>();

export function verifySignature(key: PublicKey, data: Uint8Array, signatureHex: string): boolean {
  if (typeof signatureHex !== 'string' || !/^[0-9a-f]{128}$/.test(signatureHex)) return false;
  let keyObject = publicKeyCache.get(key.keyval.public);
  if (!keyObject) {
    try {
      keyObject = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: hexToB64url(key.keyval.public) }, format: 'jwk' });
    } catch {
      return false;
    }
    if (publicKeyCache.size > 1024) publicKeyCache.clear();
    publicKeyCache.set(key.keyval.public, keyObject);
  }
  try {
    return verify(null, data, keyObject, Buffer.from(signatureHex, 'hex'));
  } catch {
    return false;
  }
}

function b64urlToHex(s: string): string {
  return Buffer.from(s, 'base64url').toString('hex');
}
function hexToB64url(s: string): string {
  return Buffer.from(s, 'hex').toString('base64url');
}
