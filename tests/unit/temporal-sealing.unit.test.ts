// The payload codec that seals Temporal payloads (services/shared/temporal/sealing.ts): round trip, key rotation,
// tampering, a payload moved to another workflow, unsealed input refused by clients and marked on workers; and the
// Temporal settings a service reads from its config.
import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter, type Payload, type SerializationContext } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../services/shared/config/config';
import { SealingCodec, UnsealedPayloadError } from '../../services/shared/temporal/sealing';
import { temporalOptionsFromConfig } from '../../services/shared/temporal/temporal';
import { unsealedMarker } from '../../workflows/contracts';

const key = () => randomBytes(32).toString('base64');
const wf = (workflowId: string): SerializationContext => ({ type: 'workflow', namespace: 'bps', workflowId });
const value = { actor: { subject: 'mof.approver.sun', organisation: 'MOF', roles: ['approver'] }, stepId: 'countersign.mof', comment: '财政部同意' };
const plain = (): Payload => defaultPayloadConverter.toPayload(value);
const read = (p: Payload | undefined) => defaultPayloadConverter.fromPayload(p!);
const text = (p: Payload) =>
  Buffer.from(p.data ?? []).toString('utf8') +
  JSON.stringify(Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString()])));

describe('SealingCodec', () => {
  it('seals a payload so that nothing of it is readable, and opens it again for the same workflow', async () => {
    const codec = new SealingCodec({ key: key() }, 'reject');
    const [sealed] = await codec.encode([plain()], wf('P-1'));
    expect(Buffer.from(sealed!.metadata!['encoding']!).toString()).toBe('binary/encrypted');
    expect(Buffer.from(sealed!.metadata!['encryption-key-id']!).toString()).toBe(codec.keyId);
    expect(text(sealed!)).not.toMatch(/mof\.approver|countersign|财政部|json\/plain/);
    expect(read((await codec.decode([sealed!], wf('P-1')))[0])).toEqual(value);
    // Two seals of the same value differ (fresh IV).
    const [again] = await codec.encode([plain()], wf('P-1'));
    expect(Buffer.from(again!.data!).equals(Buffer.from(sealed!.data!))).toBe(false);
  });

  it('clients refuse what is not sealed with a known key, was altered, or was sealed for another workflow', async () => {
    const k = key();
    const codec = new SealingCodec({ key: k }, 'reject');
    const [sealed] = await codec.encode([plain()], wf('P-1'));
    await expect(codec.decode([plain()], wf('P-1'))).rejects.toThrow(UnsealedPayloadError);
    await expect(new SealingCodec({ key: key() }, 'reject').decode([sealed!], wf('P-1'))).rejects.toThrow(/unknown key/);
    const tampered = { ...sealed!, data: Uint8Array.from(sealed!.data!, (b, i) => (i === 20 ? b ^ 1 : b)) };
    await expect(codec.decode([tampered], wf('P-1'))).rejects.toThrow(/authentication/);
    await expect(codec.decode([sealed!], wf('P-2'))).rejects.toThrow(/sealed for workflow P-1, not P-2/);
    // The binding cannot be edited in the clear metadata either.
    const rebound = { ...sealed!, metadata: { ...sealed!.metadata, 'bps-workflow-id': Buffer.from('P-2') } };
    await expect(codec.decode([rebound], wf('P-2'))).rejects.toThrow(/authentication/);
  });

  it('workers turn what they cannot open into the marker the workflows refuse, instead of failing the task', async () => {
    const codec = new SealingCodec({ key: key() }, 'mark');
    const [marked] = await codec.decode([plain()], wf('P-1'));
    expect(read(marked)).toEqual({ [unsealedMarker]: 'not sealed' });
  });

  it('opens payloads sealed with a previous key after rotation, and seals new ones with the current key', async () => {
    const oldKey = key();
    const [old] = await new SealingCodec({ key: oldKey }, 'reject').encode([plain()], wf('P-1'));
    const rotated = new SealingCodec({ key: key(), previousKeys: [oldKey] }, 'reject');
    expect(read((await rotated.decode([old!], wf('P-1')))[0])).toEqual(value);
    const [fresh] = await rotated.encode([plain()], wf('P-1'));
    expect(Buffer.from(fresh!.metadata!['encryption-key-id']!).toString()).toBe(rotated.keyId);
  });

  it('refuses a key that is not 32 bytes of base64', () => {
    expect(() => new SealingCodec({ key: randomBytes(16).toString('base64') }, 'reject')).toThrow(/32 bytes/);
  });
});

describe('temporalOptionsFromConfig', () => {
  const base = { BPS_ENV: 'development', BPS_TEMPORAL_ADDRESS: '127.0.0.1:7233', BPS_TEMPORAL_NAMESPACE: 'bps' };
  it('requires the payload key, and mTLS client certificates in production', () => {
    expect(() => temporalOptionsFromConfig(base)).toThrow(ConfigError);
    const k = key();
    expect(
      temporalOptionsFromConfig({ ...base, BPS_TEMPORAL_PAYLOAD_KEY: k, BPS_TEMPORAL_PAYLOAD_PREVIOUS_KEYS: `${key()}, ${key()}` }).payloadKeys.previousKeys,
    ).toHaveLength(2);
    expect(() => temporalOptionsFromConfig({ ...base, BPS_ENV: 'production', BPS_TEMPORAL_PAYLOAD_KEY: k })).toThrow(/BPS_TEMPORAL_TLS_CERT/);
    expect(
      temporalOptionsFromConfig({
        ...base,
        BPS_ENV: 'production',
        BPS_TEMPORAL_PAYLOAD_KEY: k,
        BPS_TEMPORAL_TLS_CERT: '/c.pem',
        BPS_TEMPORAL_TLS_KEY: '/k.pem',
      }).tls,
    ).toEqual({ certFile: '/c.pem', keyFile: '/k.pem' });
  });
});
