import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isAurigaError } from '@auriga/common';
import { canonicalJson } from './canonical-json.js';
import { createSigner, generateKeyFile, keyIdOf, parseKeyFile, verifySignature, type PrivateKeyFile } from './keys.js';
import { buildRoot, buildTargets, expiresAfter } from './repository.js';
import { checkRootConsistency, countValidSignatures, signMetadata, verifyThreshold } from './sign.js';
import { formatExpires, parseEnvelope } from './types.js';

// RFC 8032 section 7.1, test 1.
const RFC_SEED = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';
const RFC_PUBLIC = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a';
const RFC_SIG_EMPTY = 'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b';
const rfcKey: PrivateKeyFile = { keytype: 'ed25519', scheme: 'ed25519', keyval: { public: RFC_PUBLIC, private: RFC_SEED } };

describe('canonicalJson', () => {
  it('sorts keys, drops whitespace, escapes only quote and backslash', () => {
    expect(canonicalJson({ b: 1, a: [true, null, 'x"y\\z'], c: { z: 0, y: -5 } }))
      .toBe('{"a":[true,null,"x\\"y\\\\z"],"b":1,"c":{"y":-5,"z":0}}');
    expect(canonicalJson('a\nb é')).toBe('"a\nb é"');
  });

  it('sorts by code point like Python, not by UTF-16 unit', () => {
    expect(canonicalJson({ '\u{1F600}': 1, '\uFFFF': 2, a: 3 })).toBe('{"a":3,"\uFFFF":2,"\u{1F600}":1}');
  });

  it('refuses floats, undefined and non-plain objects with the path', () => {
    expect(() => canonicalJson({ a: [1, 1.5] })).toThrow(/\$\.a\[1\].*1\.5 is not a safe integer/);
    expect(() => canonicalJson({ a: undefined })).toThrow(/\$\.a/);
    expect(() => canonicalJson({ d: new Date(0) })).toThrow(/Date is not a plain object/);
    expect(() => canonicalJson(Number.NaN)).toThrow(/not a safe integer/);
  });
});

describe('ed25519 keys', () => {
  it('matches the RFC 8032 vector and computes the TUF keyid', () => {
    const signer = createSigner(rfcKey);
    expect(signer.sign(new Uint8Array())).toBe(RFC_SIG_EMPTY);
    const canonical = `{"keytype":"ed25519","keyval":{"public":"${RFC_PUBLIC}"},"scheme":"ed25519"}`;
    expect(canonicalJson(signer.publicKey)).toBe(canonical);
    expect(signer.keyid).toBe(createHash('sha256').update(canonical).digest('hex'));
    expect(verifySignature(signer.publicKey, new Uint8Array(), RFC_SIG_EMPTY)).toBe(true);
    expect(verifySignature(signer.publicKey, Buffer.from('x'), RFC_SIG_EMPTY)).toBe(false);
    expect(verifySignature(signer.publicKey, new Uint8Array(), 'zz')).toBe(false);
  });

  it('generates working key files and refuses mismatched halves', () => {
    const file = generateKeyFile();
    expect(parseKeyFile(file)).toEqual(file);
    const other = generateKeyFile();
    expect(() => parseKeyFile({ ...file, keyval: { public: file.keyval.public, private: other.keyval.private } }))
      .toThrow(/do not match/);
    expect(() => parseKeyFile({ keytype: 'rsa', scheme: 'rsa', keyval: { public: 'ab' } })).toThrow(/only ed25519/);
  });
});

describe('signatures and thresholds', () => {
  const signers = Array.from({ length: 3 }, () => createSigner(generateKeyFile()));
  const root = buildRoot({
    version: 1,
    expires: expiresAfter(Date.now(), 3600),
    roles: {
      root: { keys: signers.map((s) => s.publicKey), threshold: 2 },
      targets: { keys: [signers[0]!.publicKey], threshold: 1 },
      snapshot: { keys: [signers[0]!.publicKey], threshold: 1 },
      timestamp: { keys: [signers[0]!.publicKey], threshold: 1 },
      director: { keys: [signers[0]!.publicKey], threshold: 1 },
    },
  });

  it('counts distinct trusted keys only', () => {
    const one = signMetadata(root, [signers[0]!]);
    expect(countValidSignatures(one, root, 'root')).toBe(1);
    expect(() => verifyThreshold(one, root, 'root')).toThrow(/1 valid signature\(s\).*threshold is 2/);
    // The same signature twice does not reach a threshold of two.
    const dup = { ...one, signatures: [one.signatures[0]!, one.signatures[0]!] };
    expect(countValidSignatures(dup, root, 'root')).toBe(1);
    const two = signMetadata(root, [signers[0]!, signers[2]!]);
    expect(() => verifyThreshold(two, root, 'root')).not.toThrow();
  });

  it('ignores a signature by a key outside the role', () => {
    const stranger = createSigner(generateKeyFile());
    const env = signMetadata(root, [signers[0]!, stranger]);
    expect(countValidSignatures(env, root, 'root')).toBe(1);
  });

  it('detects any change to the signed content', () => {
    const env = signMetadata(root, [signers[0]!, signers[1]!]);
    const tampered = { ...env, signed: { ...env.signed, version: 2 } };
    expect(countValidSignatures(tampered, root, 'root')).toBe(0);
  });

  it('checks root consistency', () => {
    expect(() => checkRootConsistency(root)).not.toThrow();
    const badId = structuredClone(root);
    const first = Object.keys(badId.keys)[0]!;
    badId.keys['f'.repeat(64)] = badId.keys[first]!;
    expect(() => checkRootConsistency(badId)).toThrow(/not the sha256 of its key/);
    const badThreshold = structuredClone(root);
    badThreshold.roles.targets.threshold = 2;
    expect(() => checkRootConsistency(badThreshold)).toThrow(/threshold 2 exceeds/);
  });

  it('parses envelopes strictly by role', () => {
    const targets = signMetadata(buildTargets(1, formatExpires(Date.now() + 1000), {}), [signers[0]!]);
    const text = JSON.stringify(targets);
    expect(parseEnvelope('targets', text).signed.version).toBe(1);
    expect(() => parseEnvelope('snapshot', text)).toThrow(/_type is targets, expected snapshot/);
    expect(() => parseEnvelope('targets', '{nope')).toThrow(/not JSON/);
    const bad = structuredClone(targets) as { signed: { version: number } };
    bad.signed.version = 0;
    try {
      parseEnvelope('targets', bad);
      expect.unreachable();
    } catch (err) {
      expect(isAurigaError(err, 'AURIGA_ERR_OTA_BAD_METADATA')).toBe(true);
      expect((err as Error).message).toMatch(/signed\/version/);
    }
  });

  it('formats expiry at second precision in UTC', () => {
    expect(formatExpires(Date.UTC(2030, 0, 2, 3, 4, 5, 678))).toBe('2030-01-02T03:04:05Z');
  });

  it('keyIdOf ignores private material', () => {
    const file = generateKeyFile();
    expect(keyIdOf(file)).toBe(createSigner(file).keyid);
  });
});
