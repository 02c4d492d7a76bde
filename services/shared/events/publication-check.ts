// Offline check of a publication (bps.standard.version.published, on Kafka or as a webhook body): that the
// approvals service signed the decision it applies. The registry carries the signed decision forward unchanged
// (`decision`: the approved change set's canonical bytes and detached JWS); a subscriber needs only this document
// and the published decision keys (GET /.well-known/bps-decision-keys.json, or the AsyncAPI document).
//
// Checked: the signature verifies over the canonical bytes with a published key; the signed event is an approved
// change set whose id is the decision's event id; its change set is the publication's (change_set_id), with the
// same effective date; and every item version published is named by a change in the signed change set. Not
// checked: that the registry derived each published item exactly from the change (that needs the item's previous
// version; the registry's own trace answers it).
import canonicalize from 'canonicalize';
import type { JSONWebKeySet } from 'jose';
import { decisionVerifier, isStandardChanging } from './decision-signature';

export type PublicationCheck = {
  readonly ok: boolean;
  readonly problems: readonly string[];
  readonly keyId?: string;
  readonly eventId?: string;
  readonly changeSetId?: string;
};

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

function itemCodesIn(value: unknown, out: Set<string>, depth = 0): Set<string> {
  if (depth > 12) return out;
  if (Array.isArray(value)) for (const v of value) itemCodesIn(v, out, depth + 1);
  else if (isObject(value)) {
    for (const [name, v] of Object.entries(value)) {
      if ((name === 'itemCode' || name === 'item_code') && typeof v === 'string') {
        out.add(v);
      } else {
        itemCodesIn(v, out, depth + 1);
      }
    }
  }
  return out;
}

const sameDate = (a: unknown, b: unknown): boolean => canonicalize(a ?? null) === canonicalize(b ?? null);

/**
 * `document`: a webhook body (CloudEvents structured mode, `data` = the publication), or the publication's data
 * (proto JSON of bps.standards.v1.VersionPublished). `keys`: the published decision JWKS.
 */
export async function checkPublication(document: unknown, keys: string | JSONWebKeySet): Promise<PublicationCheck> {
  const problems: string[] = [];
  const publication = isObject(document) && isObject(document['data']) && typeof document['specversion'] === 'string' ? document['data'] : document;
  if (!isObject(publication)) return { ok: false, problems: ['not a publication (JSON object expected)'] };
  const decision = publication['decision'];
  if (!isObject(decision)) return { ok: false, problems: ['the publication carries no signed decision'] };
  const canonical = typeof decision['canonical'] === 'string' ? decision['canonical'] : '';
  const signature = typeof decision['signature'] === 'string' ? decision['signature'] : '';
  const eventId = typeof decision['eventId'] === 'string' ? decision['eventId'] : '';
  const verified = await decisionVerifier(keys).verifyDetached(Buffer.from(canonical, 'utf8'), signature);
  if (!verified.ok) return { ok: false, problems: [`signature refused (${verified.reason}): ${verified.detail}`], eventId };

  let signed: Json;
  try {
    const parsed = JSON.parse(canonical) as unknown;
    if (!isObject(parsed)) throw new Error('not an object');
    signed = parsed;
  } catch {
    return { ok: false, problems: ['the signed bytes are not a JSON CloudEvent'], keyId: verified.keyId, eventId };
  }
  if (typeof signed['type'] !== 'string' || !isStandardChanging(signed['type']))
    problems.push(`the signed event is a ${String(signed['type'])}, not a decision that changes the standard`);
  if (signed['id'] !== eventId) problems.push(`the signed event's id ${String(signed['id'])} is not the decision's event id ${eventId}`);
  const data = isObject(signed['data']) ? signed['data'] : {};
  const changeSet = isObject(data['changeSet']) ? data['changeSet'] : {};
  const changeSetId = typeof changeSet['changeSetId'] === 'string' ? changeSet['changeSetId'] : '';
  if (changeSetId === '' || changeSetId !== publication['changeSetId'])
    problems.push(`the signed change set ${changeSetId || '(none)'} is not the published change set ${String(publication['changeSetId'])}`);
  if (!sameDate(changeSet['effectiveFrom'], publication['effectiveFrom'])) problems.push('the published effective date is not the signed one');
  const signedCodes = itemCodesIn(changeSet['changes'], new Set());
  const versions = Array.isArray(publication['itemVersions']) ? publication['itemVersions'] : [];
  for (const v of versions) {
    const code = isObject(v) && typeof v['itemCode'] === 'string' ? v['itemCode'] : '';
    if (!signedCodes.has(code)) problems.push(`item ${code || '(none)'} is published but no signed change names it`);
  }
  return { ok: problems.length === 0, problems, keyId: verified.keyId, eventId, changeSetId };
}
