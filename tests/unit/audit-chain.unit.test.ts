// The hash chain of a log: canonical encoding, and detection of altered, deleted and reordered entries.
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../services/audit/domain/canonical';
import { indexFieldsOf } from '../../services/audit/domain/derive';
import { entryHash, recordEvent, type RecordedEvent } from '../../services/audit/domain/entry';
import { GENESIS_HASH, type HashAlgorithm } from '../../services/audit/domain/hashing';
import { generatePrivateKey, loadSigningKey, signCheckpoint } from '../../services/audit/domain/signing';
import { checkCheckpoint, headHashOf, verifiedSize, verifyChain, type StoredEntry } from '../../services/audit/domain/verify';

function event(
  n: number,
  data: unknown = { proposalId: 'P-1', n, actor: { subject: 'nhc.staff.li', organisation: 'NHC', roles: ['ministry-staff'] } },
): RecordedEvent {
  return recordEvent({
    specversion: '1.0',
    id: `e-${n}`,
    type: 'bps.proposal.revised',
    source: '/bps/proposals',
    subject: 'proposals/P-1',
    time: `2026-03-0${n}T08:00:00.000Z`,
    datacontenttype: 'application/json',
    key: 'P-1',
    data: Buffer.from(JSON.stringify(data)),
  });
}

function chainOf(count: number, algorithm: HashAlgorithm = 'sha256', log = 'proposal:P-1'): StoredEntry[] {
  const out: StoredEntry[] = [];
  let prev = GENESIS_HASH;
  for (let n = 1; n <= count; n++) {
    const ev = event(n);
    const content = { log, sequence: n, prevHash: prev, hashAlgorithm: algorithm, topic: 'bps.proposals.v1', event: ev };
    const hash = entryHash(content);
    out.push({ ...content, hash, eventId: ev.id, index: indexFieldsOf(ev) });
    prev = hash;
  }
  return out;
}

describe('canonical encoding', () => {
  it("sorts keys at every depth, drops undefined, and ignores the producer's key order and whitespace", () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 2 }], c: undefined } })).toBe('{"a":{"d":[2,{"e":2,"f":1}]},"b":1}');
    const a = recordEvent({ ...event(1), data: Buffer.from('{"x": 1, "y": [1,2]}') });
    const b = recordEvent({ ...event(1), data: Buffer.from('{"y":[1,2],"x":1}') });
    const content = { log: 'global', sequence: 1, prevHash: GENESIS_HASH, hashAlgorithm: 'sha256' as const, topic: 't' };
    expect(entryHash({ ...content, event: a })).toBe(entryHash({ ...content, event: b }));
    expect(entryHash({ ...content, event: a })).not.toBe(entryHash({ ...content, sequence: 2, event: a }));
  });

  it('records non-UTF-8 data as base64 and malformed JSON as text, both hashable', () => {
    const bytes = recordEvent({ ...event(1), data: Buffer.from([0xff, 0xfe, 0x00]) });
    expect(bytes).toMatchObject({ data: '//4A', dataEncoding: 'base64' });
    expect(recordEvent({ ...event(1), data: Buffer.from('{"a":"\u0000"}', 'utf8') })).toMatchObject({ dataEncoding: 'base64' }); // a raw NUL
    const broken = recordEvent({ ...event(1), data: Buffer.from('{"not json') });
    expect(entryHash({ log: 'global', sequence: 1, prevHash: GENESIS_HASH, hashAlgorithm: 'sm3', topic: 't', event: broken })).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('verifyChain', () => {
  for (const algorithm of ['sha256', 'sm3'] as const) {
    it(`accepts an intact ${algorithm} chain`, () => {
      const chain = verifyChain('proposal:P-1', chainOf(5, algorithm));
      expect(chain.mismatch).toBeUndefined();
      expect(chain.verifiedHashes).toHaveLength(5);
    });
  }

  it('detects an altered entry at that entry', () => {
    const entries = chainOf(5);
    const e3 = entries[2]!;
    entries[2] = { ...e3, event: { ...e3.event, data: e3.event.data.replace('"n":3', '"n":4') } };
    expect(verifyChain('proposal:P-1', entries).mismatch).toMatchObject({ sequence: 3, reason: 'HASH' });
  });

  it('detects an altered entry even when its own hash was recomputed (the next link breaks)', () => {
    const entries = chainOf(5);
    const e3 = entries[2]!;
    const altered = { ...e3, event: { ...e3.event, data: e3.event.data.replace('"n":3', '"n":4') } };
    entries[2] = { ...altered, hash: entryHash(altered) };
    expect(verifyChain('proposal:P-1', entries).mismatch).toMatchObject({ sequence: 4, reason: 'PREV_HASH' });
  });

  it('detects a deleted entry', () => {
    const entries = chainOf(5);
    entries.splice(1, 1);
    expect(verifyChain('proposal:P-1', entries).mismatch).toMatchObject({ sequence: 2, reason: 'MISSING' });
  });

  it('detects two entries swapped (reordered)', () => {
    const entries = chainOf(5);
    const [e2, e3] = [entries[1]!, entries[2]!];
    entries[1] = { ...e3, sequence: 2 };
    entries[2] = { ...e2, sequence: 3 };
    expect(verifyChain('proposal:P-1', entries).mismatch).toMatchObject({ sequence: 2, reason: 'PREV_HASH' });
  });

  it('detects changed query fields (e.g. a rewritten actor) that the hash does not cover directly', () => {
    const entries = chainOf(3);
    entries[1] = { ...entries[1]!, index: { ...entries[1]!.index!, actorSubject: 'someone.else' } };
    expect(verifyChain('proposal:P-1', entries).mismatch).toMatchObject({ sequence: 2, reason: 'INDEX_FIELDS' });
  });

  it('reports a checkpoint the truncated log no longer reaches, and one whose head differs', () => {
    const key = loadSigningKey('ed25519', generatePrivateKey('ed25519'));
    const entries = chainOf(4);
    const cp = signCheckpoint(key, { log: 'proposal:P-1', size: 4, headHash: entries[3]!.hash, hashAlgorithm: 'sha256', time: new Date().toISOString() });
    const keys = new Map([[key.keyId, key]]);
    expect(checkCheckpoint(cp, keys, verifyChain('proposal:P-1', entries))).toEqual({ ok: true });
    expect(checkCheckpoint(cp, keys, verifyChain('proposal:P-1', entries.slice(0, 3)))).toMatchObject({ ok: false, problem: 'NOT_REACHED' });
    const other = chainOf(4).map((e) => e);
    const wrongHead = signCheckpoint(key, { log: 'proposal:P-1', size: 3, headHash: 'ab'.repeat(32), hashAlgorithm: 'sha256', time: new Date().toISOString() });
    expect(checkCheckpoint(wrongHead, keys, verifyChain('proposal:P-1', other))).toMatchObject({ ok: false, problem: 'HEAD_MISMATCH' });
  });

  it('starts after a verified prefix: links the first entry to the anchor and checks checkpoints from it on', () => {
    const key = loadSigningKey('ed25519', generatePrivateKey('ed25519'));
    const keys = new Map([[key.keyId, key]]);
    const entries = chainOf(6);
    const after = { size: 4, hash: entries[3]!.hash };
    const chain = verifyChain('proposal:P-1', entries.slice(4), { after });
    expect(chain).toMatchObject({ from: 4, storedSize: 6, mismatch: undefined });
    expect(verifiedSize(chain)).toBe(6);
    expect(headHashOf(chain)).toBe(entries[5]!.hash);
    const at = (size: number) =>
      signCheckpoint(key, { log: 'proposal:P-1', size, headHash: entries[size - 1]!.hash, hashAlgorithm: 'sha256', time: new Date().toISOString() });
    expect(checkCheckpoint(at(6), keys, chain)).toEqual({ ok: true });
    expect(checkCheckpoint(at(4), keys, chain)).toEqual({ ok: true });
    expect(checkCheckpoint(at(3), keys, chain)).toMatchObject({ ok: false, problem: 'BEFORE_ANCHOR' });
    // The entry after the anchor must link to the anchor's hash, and an altered one is found there.
    expect(verifyChain('proposal:P-1', entries.slice(4), { after: { size: 4, hash: 'ab'.repeat(32) } }).mismatch).toMatchObject({
      sequence: 5,
      reason: 'PREV_HASH',
    });
    const e6 = entries[5]!;
    const altered = [entries[4]!, { ...e6, event: { ...e6.event, data: e6.event.data.replace('"n":6', '"n":7') } }];
    expect(verifyChain('proposal:P-1', altered, { after }).mismatch).toMatchObject({ sequence: 6, reason: 'HASH' });
    expect(verifyChain('proposal:P-1', entries.slice(5), { after }).mismatch).toMatchObject({ sequence: 5, reason: 'MISSING' });
  });
});
