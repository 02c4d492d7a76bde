import { generateKeyPairSync } from 'node:crypto';
import type { JWK } from 'jose';
import type { KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { actorLogsOf, indexFieldsOf } from '../../services/audit/domain/derive';
import { refusalEvent } from '../../services/audit/domain/refusal';
import {
  canonicalEventBytes,
  decisionSigner,
  decisionVerifier,
  DECISION_SIGNATURE_EXTENSION,
  eventContentDigest,
  isStandardChanging,
  parseDecisionKeys,
  publicDecisionJwks,
  signEvent,
} from '../../services/shared/events/decision-signature';
import { generateSm2Jwk } from '../../services/shared/events/decision-sm2';
import { checkPublication } from '../../services/shared/events/publication-check';
import { fromKafkaMessage, toKafkaMessage, type CloudEvent } from '../../services/shared/kafka/cloudevents';

function keys(kid: string) {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateJwk: { ...(privateKey.export({ format: 'jwk' }) as JWK), kid }, jwks: publicDecisionJwks(publicKey.export({ format: 'jwk' }) as JWK, kid) };
}

const approved = (
  over: Partial<CloudEvent> = {},
  data: unknown = { changeSet: { changeSetId: 'CS-1', changes: [{ itemCode: 'EMP-03' }] }, actor: { subject: 'final-approver' } },
): CloudEvent => ({
  specversion: '1.0',
  id: 'wf-1/r1/changeset-approved',
  type: 'bps.approval.changeset.approved',
  source: '/bps/approvals',
  subject: 'P-1',
  time: '2026-03-02T01:00:00.000Z',
  datacontenttype: 'application/json',
  dataschema: 'urn:proto:bps.approvals.v1.ChangeSetApproved',
  data: Buffer.from(JSON.stringify(data)),
  key: 'P-1',
  ...over,
});

describe('canonical bytes of a CloudEvent (RFC 8785)', () => {
  it('are the sorted, whitespace-free CloudEvents JSON form, independent of the data encoding', () => {
    const a = approved({}, { b: 1, a: [2, 'x'], c: { z: 1e21, y: 0.1 } });
    const b = approved({ data: Buffer.from('{ "c": {"y": 0.1, "z": 1E21}, "a": [2, "x"],\n "b": 1.0 }') });
    expect(canonicalEventBytes(a).toString()).toBe(
      '{"data":{"a":[2,"x"],"b":1,"c":{"y":0.1,"z":1e+21}},"datacontenttype":"application/json","dataschema":"urn:proto:bps.approvals.v1.ChangeSetApproved",' +
        '"id":"wf-1/r1/changeset-approved","source":"/bps/approvals","specversion":"1.0","subject":"P-1","time":"2026-03-02T01:00:00.000Z","type":"bps.approval.changeset.approved"}',
    );
    expect(canonicalEventBytes(b).equals(canonicalEventBytes(a))).toBe(true);
  });

  it('cover the id and every attribute, but not the Kafka key or trace context', () => {
    const base = canonicalEventBytes(approved());
    for (const over of [
      { id: 'other' },
      { time: '2026-03-02T01:00:00.001Z' },
      { subject: 'P-2' },
      { source: '/x' },
      { type: 'bps.x' },
      { dataschema: undefined },
    ]) {
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
    expect(await verifier.verify(approved({ extensions: { [DECISION_SIGNATURE_EXTENSION]: 'garbage' } }))).toMatchObject({
      ok: false,
      reason: 'malformed_signature',
    });
    const none = Buffer.from(JSON.stringify({ alg: 'none', kid: 'approvals-1' })).toString('base64url');
    expect(await verifier.verify(approved({ extensions: { [DECISION_SIGNATURE_EXTENSION]: `${none}..AAAA` } }))).toMatchObject({
      ok: false,
      reason: 'malformed_signature',
    });
  });

  it('travel as the ce_bpsdecisionsig header and survive the Kafka round trip', async () => {
    const signed = await signEvent(await decisionSigner(approvals.privateJwk), approved());
    const message = toKafkaMessage(signed);
    expect(message.headers?.['ce_bpsdecisionsig']).toBe(signed.extensions[DECISION_SIGNATURE_EXTENSION]);
    const back = fromKafkaMessage({
      key: Buffer.from(message.key as string),
      value: message.value as Buffer,
      headers: message.headers ?? {},
      timestamp: '0',
      attributes: 0,
      offset: '0',
    } as unknown as KafkaMessage);
    expect(back.extensions).toEqual(signed.extensions);
    expect(await decisionVerifier(approvals.jwks).verify(back)).toEqual({ ok: true, keyId: 'approvals-1' });
  });

  it('a content digest tells apart two events with the same id', async () => {
    const real = await signEvent(await decisionSigner(approvals.privateJwk), approved());
    const forged = approved({}, { changeSet: { changeSetId: 'CS-1', changes: [{ itemCode: 'EMP-03', level: 'raised' }] } });
    expect(eventContentDigest(real)).not.toBe(eventContentDigest(forged));
    expect(eventContentDigest(real)).not.toBe(eventContentDigest(approved())); // same content, signature stripped
    expect(eventContentDigest(real)).toBe(
      eventContentDigest({ ...real, traceparent: '00-0123456789abcdef0123456789abcdef-0123456789abcdef-01' } as typeof real),
    );
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
    const forged = approved(
      {},
      {
        changeSet: { changeSetId: 'CS-1', changes: [{ itemCode: 'EMP-03' }], provenance: { proposalIds: ['P-1'] } },
        actor: { subject: 'final-approver', organisation: 'SCO', roles: [] },
      },
    );
    const refusal = refusalEvent(
      forged,
      { reason: 'unsigned', detail: 'no signature', contentDigest: 'ab'.repeat(32), canonicalBase64: canonicalEventBytes(forged).toString('base64') },
      new Date('2026-03-02T02:00:00Z'),
    );
    expect(refusal.type).toBe('bps.audit.decision.refused');
    expect(refusal.id).toBe(`refused:${'ab'.repeat(32)}:${forged.id}`);
    const index = indexFieldsOf(refusal);
    expect(index.aggregates).toEqual([]);
    expect(index.actorSubject).toBeNull();
    expect(actorLogsOf(refusal)).toEqual([]);
    expect(JSON.parse(refusal.data)).toMatchObject({ refusedEventId: forged.id, refusalCode: 'unsigned', reason: 'refused forgery (unsigned): no signature' });
  });
});

describe('SM2 decision signatures (national algorithms)', () => {
  const sm2Keys = generateSm2Jwk('approvals-sm2');
  const ed = keys('approvals-ed');
  const jwks = { keys: [...ed.jwks.keys, sm2Keys.publicJwk] };

  it('sign with alg SM2 under an SM2 key and verify beside Ed25519 keys', async () => {
    const signed = await signEvent(await decisionSigner(sm2Keys.privateJwk as JWK), approved());
    const jws = signed.extensions[DECISION_SIGNATURE_EXTENSION]!;
    expect(JSON.parse(Buffer.from(jws.split('.')[0]!, 'base64url').toString())).toEqual({ alg: 'SM2', kid: 'approvals-sm2', typ: 'bps-decision+jws' });
    const verifier = decisionVerifier(jwks);
    expect(await verifier.verify(signed)).toEqual({ ok: true, keyId: 'approvals-sm2' });
    expect(await verifier.verify(approved({ id: 'other', extensions: signed.extensions }))).toMatchObject({ ok: false, reason: 'bad_signature' });
    expect(await decisionVerifier(ed.jwks).verify(signed)).toMatchObject({ ok: false, reason: 'unknown_key' });
  });

  it('the key fixes the algorithm: an SM2 header under an Ed25519 kid (or the reverse) is refused', async () => {
    const verifier = decisionVerifier(jwks);
    const sm2UnderEdKid = await signEvent(await decisionSigner({ ...(sm2Keys.privateJwk as JWK), kid: 'approvals-ed' }), approved());
    expect(await verifier.verify(sm2UnderEdKid)).toMatchObject({ ok: false, reason: 'malformed_signature' });
    const edUnderSm2Kid = await signEvent(await decisionSigner({ ...ed.privateJwk, kid: 'approvals-sm2' }), approved());
    expect(await verifier.verify(edUnderSm2Kid)).toMatchObject({ ok: false, reason: 'malformed_signature' });
    expect(parseDecisionKeys(jwks).keys.map((k) => k.alg)).toEqual(['EdDSA', 'SM2']);
  });
});

describe('offline check of a publication', () => {
  const k = keys('approvals-pub');
  const publicationOf = async (changeSetId: string) => {
    const signed = await signEvent(
      await decisionSigner(k.privateJwk),
      approved(
        {},
        {
          changeSet: {
            changeSetId,
            effectiveFrom: { year: 2024, month: 1, day: 1 },
            changes: [{ changeId: 'c1', modifyItem: { base: { itemCode: 'EMP-03', version: 1 } } }],
          },
        },
      ),
    );
    return {
      specversion: '1.0',
      id: 'pub-1',
      type: 'bps.standard.version.published',
      source: '/bps/registry',
      time: '2026-03-02T02:00:00Z',
      data: {
        releaseId: `release-${changeSetId}`,
        changeSetId,
        effectiveFrom: { year: 2024, month: 1, day: 1 },
        itemVersions: [{ itemCode: 'EMP-03', version: 2 }],
        decision: {
          eventId: signed.id,
          canonical: canonicalEventBytes(signed).toString('utf8'),
          signature: signed.extensions[DECISION_SIGNATURE_EXTENSION],
          keyId: 'approvals-pub',
        },
      },
    };
  };

  it('accepts a webhook body whose signed decision names its change set, date and items', async () => {
    expect(await checkPublication(await publicationOf('CS-9'), k.jwks)).toEqual({
      ok: true,
      problems: [],
      keyId: 'approvals-pub',
      eventId: 'wf-1/r1/changeset-approved',
      changeSetId: 'CS-9',
    });
  });

  it('refuses a missing decision, another key, another change set, date or item, and edited signed bytes', async () => {
    const good = await publicationOf('CS-9');
    expect((await checkPublication({ ...good.data, decision: undefined }, k.jwks)).problems).toEqual(['the publication carries no signed decision']);
    expect((await checkPublication(good, keys('approvals-pub').jwks)).problems[0]).toMatch(/^signature refused \(bad_signature\)/);
    const d = good.data;
    expect((await checkPublication({ ...d, changeSetId: 'CS-X' }, k.jwks)).problems).toEqual([
      'the signed change set CS-9 is not the published change set CS-X',
    ]);
    expect((await checkPublication({ ...d, effectiveFrom: { year: 2023, month: 1, day: 1 } }, k.jwks)).problems).toEqual([
      'the published effective date is not the signed one',
    ]);
    expect((await checkPublication({ ...d, itemVersions: [{ itemCode: 'EMP-04', version: 2 }] }, k.jwks)).problems).toEqual([
      'item EMP-04 is published but no signed change names it',
    ]);
    const edited = { ...d, decision: { ...d.decision, canonical: d.decision.canonical.replace('EMP-03', 'EMP-04') } };
    expect((await checkPublication(edited, k.jwks)).problems[0]).toMatch(/^signature refused \(bad_signature\)/);
  });
});
