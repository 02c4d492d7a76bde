// SM3 / SM2 / Ed25519 as the audit service uses them, against published test vectors.
import { describe, expect, it } from 'vitest';
import { digestHex } from '../../services/audit/domain/hashing';
import { generatePrivateKey, keyIdOf, loadSigningKey, signCheckpoint, verifySignature, type PublicKeyInfo } from '../../services/audit/domain/signing';
import { checkCheckpoint, verifyChain } from '../../services/audit/domain/verify';

// GB/T 32918.2-2016 Annex A.2 (recommended curve sm2p256v1, user id "1234567812345678", message "message digest").
const SM2_VECTOR = {
  privateKey: '3945208f7b2144b13f36e38ac6d39f95889393692860b51a42fb81ef4df7c5b8',
  publicKey: '04' + '09f9df311e5421a150dd7d161e4bc5c672179fad1833fc076bb08ff356f35020' + 'ccea490ce26775a52dc6ea718cc1aa600aed05fbf35e084a6632f6072da9ad13',
  message: 'message digest',
  signature: 'f5a03b0648d2c4630eeac513e1bb81a15944da3827d5b74143ac7eaceee720b3' + 'b1b6aa29df212fd8763182bc0d421ca1bb9038fd1f7f42d4840b69c485bbc1aa',
};

describe('SM3 (GB/T 32905-2016 examples)', () => {
  it('hashes "abc" and the 64-byte example as the standard says', () => {
    expect(digestHex('sm3', 'abc')).toBe('66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0');
    expect(digestHex('sm3', 'abcd'.repeat(16))).toBe('debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732');
  });
  it('differs from SHA-256 on the same input', () => {
    expect(digestHex('sha256', 'abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('SM2 signatures (sm-crypto)', () => {
  const vectorKey: PublicKeyInfo = { keyId: keyIdOf(SM2_VECTOR.publicKey), algorithm: 'sm2', publicKey: SM2_VECTOR.publicKey };

  it("derives the standard's public key from its private key", () => {
    expect(loadSigningKey('sm2', SM2_VECTOR.privateKey).publicKey).toBe(SM2_VECTOR.publicKey);
  });

  it('verifies the known-good signature of the standard, and rejects it for another message or a flipped bit', () => {
    expect(verifySignature(vectorKey, SM2_VECTOR.message, SM2_VECTOR.signature)).toBe(true);
    expect(verifySignature(vectorKey, 'message digesT', SM2_VECTOR.signature)).toBe(false);
    const flipped = SM2_VECTOR.signature.slice(0, -1) + (SM2_VECTOR.signature.endsWith('a') ? 'b' : 'a');
    expect(verifySignature(vectorKey, SM2_VECTOR.message, flipped)).toBe(false);
  });

  it('signs and verifies a round trip, and another key does not verify it', () => {
    const key = loadSigningKey('sm2', generatePrivateKey('sm2'));
    const signature = key.sign('检查点 checkpoint');
    expect(verifySignature(key, '检查点 checkpoint', signature)).toBe(true);
    expect(verifySignature(vectorKey, '检查点 checkpoint', signature)).toBe(false);
  });
});

describe('Ed25519 signatures', () => {
  it('loads a PEM or a hex seed, signs and verifies, and rejects garbage without throwing', () => {
    const pem = generatePrivateKey('ed25519');
    const key = loadSigningKey('ed25519', pem);
    expect(key.publicKey).toMatch(/BEGIN PUBLIC KEY/);
    expect(verifySignature(key, 'x', key.sign('x'))).toBe(true);
    expect(verifySignature(key, 'y', key.sign('x'))).toBe(false);
    expect(verifySignature(key, 'x', 'zz-not-hex')).toBe(false);
    // RFC 8032 test 1: the seed gives the published public key.
    const rfc = loadSigningKey('ed25519', '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60');
    expect(rfc.sign('')).toBe(
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
    );
  });
});

describe('checkpoint signatures', () => {
  const key = loadSigningKey('ed25519', generatePrivateKey('ed25519'));
  const other = loadSigningKey('ed25519', generatePrivateKey('ed25519'));
  const chain = verifyChain('global', []);
  const trusted = new Map([[key.keyId, key as PublicKeyInfo]]);

  it('accepts a checkpoint signed by the trusted key', () => {
    const cp = signCheckpoint(key, { log: 'global', size: 0, headHash: '0'.repeat(64), hashAlgorithm: 'sha256', time: '2026-11-22T10:00:00.000Z' });
    expect(checkCheckpoint(cp, trusted, chain)).toEqual({ ok: true });
  });

  it('rejects a checkpoint signed by another key, whether it names that key or ours', () => {
    const forged = signCheckpoint(other, { log: 'global', size: 0, headHash: '0'.repeat(64), hashAlgorithm: 'sha256', time: '2026-11-22T10:00:00.000Z' });
    expect(checkCheckpoint(forged, trusted, chain)).toMatchObject({ ok: false, problem: 'UNKNOWN_KEY' });
    const posing = { ...forged, keyId: key.keyId, signature: other.sign(JSON.stringify('anything')) };
    expect(checkCheckpoint(posing, trusted, chain)).toMatchObject({ ok: false, problem: 'BAD_SIGNATURE' });
  });

  it('rejects a checkpoint whose statement was changed after signing', () => {
    const cp = signCheckpoint(key, { log: 'global', size: 0, headHash: '0'.repeat(64), hashAlgorithm: 'sha256', time: '2026-11-22T10:00:00.000Z' });
    expect(checkCheckpoint({ ...cp, time: '2026-11-22T10:00:01.000Z' }, trusted, chain)).toMatchObject({ ok: false, problem: 'BAD_SIGNATURE' });
  });
});
