// A refused forgery: an event that claims to change the standard but whose decision signature does not verify.
// It is recorded (hash-chained in the global log, so the refusal itself is auditable) as an event of the audit
// service's own — type bps.audit.decision.refused, attributed to nobody — never as the fact it claims: the claimed
// approver gets no actor entry and the claimed items/proposals/change sets get no entry in their logs. The forged
// event is kept only as evidence (its canonical bytes, base64), which the index derivation does not read.
import type { RecordedEvent } from './entry';

export const REFUSED_DECISION_TYPE = 'bps.audit.decision.refused';
export const AUDIT_SOURCE = '/bps/audit';

export type Refusal = {
  /** unsigned | malformed_signature | unknown_key | bad_signature */
  readonly reason: string;
  readonly detail: string;
  readonly keyId?: string;
  /** SHA-256 of the forged event's canonical bytes and signature: distinguishes forgeries sharing an id. */
  readonly contentDigest: string;
  /** The forged event's canonical bytes (RFC 8785), base64. */
  readonly canonicalBase64: string;
  readonly signature?: string;
};

/** The id of a refusal entry: one per distinct forged content, so redelivery appends nothing new. */
export function refusalId(claimedId: string, contentDigest: string): string {
  return `refused:${contentDigest}:${claimedId}`.slice(0, 512);
}

export function refusalEvent(
  claimed: { id: string; type: string; source: string; subject?: string; time: string },
  refusal: Refusal,
  recordedAt: Date,
): RecordedEvent {
  const data = {
    refusedEventId: claimed.id,
    refusedEventType: claimed.type,
    claimedSource: claimed.source,
    claimedSubject: claimed.subject ?? '',
    claimedTime: claimed.time,
    reason: `refused forgery (${refusal.reason}): ${refusal.detail}`,
    refusalCode: refusal.reason,
    keyId: refusal.keyId ?? '',
    contentDigest: refusal.contentDigest,
    forgedCanonicalBase64: refusal.canonicalBase64,
    forgedSignature: refusal.signature ?? '',
  };
  return {
    specversion: '1.0',
    id: refusalId(claimed.id, refusal.contentDigest),
    type: REFUSED_DECISION_TYPE,
    source: AUDIT_SOURCE,
    time: recordedAt.toISOString(),
    datacontenttype: 'application/json',
    key: '',
    data: JSON.stringify(data),
    dataEncoding: 'utf8',
  };
}
