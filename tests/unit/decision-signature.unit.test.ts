import { generateKeyPairSync } from 'node:crypto';
import type { JWK } from 'jose';
import type { KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { actorLogsOf, indexFieldsOf } from '../../services/audit/domain/derive';
import { refusalEvent } from '../../services/audit/domain/refusal';
import {
  canonicalEventBytes, decisionSigner, decisionVerifier, DECISION_SIGNATURE_EXTENSION, eventContentDigest, isStandardChanging, parseDecisionKeys, publicDecisionJwks, signEvent,
} from '../../services/shared/events/decision-signature';
import { fromKafkaMessage, toKafkaMessage, type CloudEvent } from '../../services/shared/kafka/cloudevents';

function keys(kid: string) {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateJwk: { ...(privateKey.export({ format: 'jwk' }) as JWK), kid }, jwks: publicDecisionJwks(publicKey.export({ format: 'jwk' }) as JWK, kid) };
}

const approved = (over: Partial<CloudEvent> = {}, data: unknown = { changeSet: { changeSetId: 'CS-1', changes: [{ itemCode: 'EMP-03' }] }, actor: { subject: 'final-approver' } }): CloudEvent => ({
  specversion: '1.0', id: 'wf-1/r1/changeset-approved', type: 'bps.approval.changeset.approved', source: '/bps/approvals', subject: 'P-1',
  time: '2026-03-02T01:00:00.000Z', datacontenttype: 'application/json', dataschema: 'urn:proto:bps.approvals.v1.ChangeSetApproved',
  data: Buffer.from(JSON.stringify(data)), key: 'P-1', ...over,
});

describe('canonical bytes of a CloudEvent (RFC 8785)', () => {
  it('are the sorted, whitespace-free CloudEvents JSON form, independent of the data encoding', () => {
    const a = approved({}, { b: 1, a: [2, 'x'], c: { z: 1e21, y: 0.1 } });
    const b = approved({ data: Buffer.from('{ "c": {"y": 0.1, "z": 1E21}, "a": [2, "x"],\n "b": 1.0 }') });
    expect(canonicalEventBytes(a).toString()).toBe(
      '{"data":{"a":[2,"x"],"b":1,"c":{"y":0.1,"z":1e+21}},"datacontenttype":"application/json","dataschema":"urn:proto:bps.approvals.v1.ChangeSetApproved",'
      + '"id":"wf-1/r1/changeset-approved","source":"/bps/approvals","specversion":"1.0","subject":"P-1","time":"2026-03-02T01:00:00.000Z","type":"bps.approval.changeset.approved"}',
    );
    expect(canonicalEventBytes(b).equals(canonicalEventBytes(a))).toBe(true);
  });

  it('cover the id and every attribute, but not the Kafka key or trace context', () => {
    const base = canonicalEventBytes(approved());
    for (const over of [{ id: 'other' }, { time: '2026-03-02T01:00:00.001Z' }, { subject: 'P-2' }, { source: '/x' }, { type: 'bps.x' }, { dataschema: undefined }]) {
      expect(canonicalEventBytes(approved(over)).equals(base)).toBe(false);
    }
    expect(canonicalEventBytes(approved({ key: 'other', traceparent: '00-0123456789abcdef0123456789abcdef-0123456789abcdef-01' })).equals(base)).toBe(true);
  });

  it('carry data that is not JSON as data_base64', () => {
    const text = canonicalEventBytes(approved({ datacontenttype: 'application/octet-stream', data: Buffer.from([0xff, 0x00]) })).toString();
    expect(text).toContain('"data_base64":"/wA="');
  });
});

describe('detached decision signatures (JWS, EdDSA)', () => {
  const approvals = keys('approvals-1');
  const forger = keys('forger-1');

  it('sign with a kid-bearing detached compact JWS that verifies against the public JWKS', async () => {
    const signed = await signEvent(await decisionSigner(JSON.stringify(approvals.privateJwk)), approved());
    const jws = signed.extensions[DECISION_SIGNATURE_EXTENSION]!;
    expect(jws).toMatch(/^[\w-]+\.\.[\w-]+$/);
    expect(JSON.parse(Buffer.from(jws.split('.')[0]!, 'base64url').toString())).toEqual({ alg: 'EdDSA', kid: 'approvals-1', typ: 'bps-decision+jws' });
    expect(await decisionVerifier(JSON.stringify(approvals.jwks)).verify(signed)).toEqual({ ok: true, keyId: 'approvals-1' });
  });

  it('refuse unsigned events, unknown keys, foreign keys under our kid, and signatures over other content', async () => {
    const verifier = decisionVerifier(approvals.jwks);
    const signer = await decisionSigner(approvals.privateJwk);
    expect(await verifier.verify(approved())).toMatchObject({ ok: false, reason: 'unsigned' });
    const byForger = await signEvent(await decisionSigner(forger.privateJwk), approved());
    expect(await verifier.verify(byForger)).toMatchObject({ ok: false, reason: 'unknown_key', keyId: 'forger-1' });
    const impostor = await signEvent(await decisionSigner({ ...forger.privateJwk, kid: 'approvals-1' }), approved());
    expect(await verifier.verify(impostor)).toMatchObject({ ok: false, reason: 'bad_signature', keyId: 'approvals-1' });
    const real = await signEvent(signer, approved());
    const raised = approved({ extensions: real.extensions }, { changeSet: { changeSetId: 'CS-1', changes: [{ itemCode: 'EMP-03', level: 'raised' }] } });
    expect(await verifier.verify(raised)).toMatchObject({ ok: false, reason: 'bad_signature' });
    const otherId = approved({ id: 'wf-2/r1/changeset-approved', extensions: real.extensions });
    expect(await verifier.verify(otherId)).toMatchObject({ ok: false, reason: 'bad_signature' });
    expect(await verifier.verify(approved({ extensions: { [DECISION_SIGNATURE_EXTENSION]: 'garbage' } }))).toMatchObject({ ok: false, reason: 'malformed_signature' });
    const none = Buffer.from(JSON.stringify({ alg: 'none', kid: 'approvals-1' })).toString('base64url');
    expect(await verifier.verify(approved({ extensions: { [DECISION_SIGNATURE_EXTENSION]: `${none}..AAAA` } }))).toMatchObject({ ok: false, reason: 'malformed_signature' });
  });

  it('travel as the ce_bpsdecisionsig header and survive the Kafka round trip', async () => {
    const signed = await signEvent(await decisionSigner(approvals.privateJwk), approved());
    const message = toKafkaMessage(signed);
    expect(message.headers?.['ce_bpsdecisionsig']).toBe(signed.extensions[DECISION_SIGNATURE_EXTENSION]);
    const back = fromKafkaMessage({ key: Buffer.from(message.key as string), value: message.value as Buffer, headers: message.headers ?? {}, timestamp: '0', attributes: 0, offset: '0' } as unknown as KafkaMessage);
    expect(back.extensions).toEqual(signed.extensions);
    expect(await decisionVerifier(approvals.jwks).verify(back)).toEqual({ ok: true, keyId: 'approvals-1' });
  });

  it('a content digest tells apart two events with the same id', async () => {
    const real = await signEvent(await decisionSigner(approvals.privateJwk), approved());
    const forged = approved({}, { changeSet: { changeSetId: 'CS-1', changes: [{ itemCode: 'EMP-03', level: 'raised' }] } });
    expect(eventContentDigest(real)).not.toBe(eventContentDigest(forged));
    expect(eventContentDigest(real)).not.toBe(eventContentDigest(approved())); // same content, signature stripped
    expect(eventContentDigest(real)).toBe(eventContentDigest({ ...real, traceparent: '00-0123456789abcdef0123456789abcdef-0123456789abcdef-01' } as typeof real));
  });

  it('key sets: public Ed25519 keys with a kid only, private members dropped', () => {
    const withPrivate = { keys: [{ ...approvals.privateJwk }] };
    expect(parseDecisionKeys(withPrivate).keys[0]).not.toHaveProperty('d');
    expect(() => parseDecisionKeys({ keys: [] })).toThrow(/at least one key/);
    expect(() => parseDecisionKeys({ keys: [{ kty: 'OKP', crv: 'Ed25519', x: 'abc' }] })).toThrow(/kid/);
    expect(() => parseDecisionKeys('not json')).toThrow(/not JSON/);
    expect(isStandardChanging('bps.approval.changeset.approved')).toBe(true);
    expect(isStandardChanging('bps.approval.proposal.decided')).toBe(false);
  });
});

describe('audit: a refused forgery', () => {
  it('is attributed to nobody and indexed under no item, proposal or change set', () => {
    const forged = approved({}, { changeSet: { changeSetId: 'CS-1', changes: [{ itemCode: 'EMP-03' }], provenance: { proposalIds: ['P-1'] } }, actor: { subject: 'final-approver', organisation: 'SCO', roles: [] } });
    const refusal = refusalEvent(forged, { reason: 'unsigned', detail: 'no signature', contentDigest: 'ab'.repeat(32), canonicalBase64: canonicalEventBytes(forged).toString('base64') }, new Date('2026-03-02T02:00:00Z'));
    expect(refusal.type).toBe('bps.audit.decision.refused');
    expect(refusal.id).toBe(`refused:${'ab'.repeat(32)}:${forged.id}`);
    const index = indexFieldsOf(refusal);
    expect(index.aggregates).toEqual([]);
    expect(index.actorSubject).toBeNull();
    expect(actorLogsOf(refusal)).toEqual([]);
    expect(JSON.parse(refusal.data)).toMatchObject({ refusedEventId: forged.id, refusalCode: 'unsigned', reason: 'refused forgery (unsigned): no signature' });
  });
});
