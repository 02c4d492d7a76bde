// Test kit for signed decisions (issue #13): the stack's decision-signing key, deps for services started
// in-process, and helpers that sign or forge standard-changing CloudEvents.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { JWK } from 'jose';
import { type DevSecrets } from '../../infra/local/secrets';
import {
  decisionSigner,
  publicDecisionJwks,
  signEvent,
  DECISION_SIGNATURE_EXTENSION,
  type SignableEvent,
} from '../../services/shared/events/decision-signature';
import { stackSecrets } from './stack';

export type DecisionKeys = DevSecrets['decisionSigning'];

/** The stack's decision-signing key pair (the one `npm start` gives approvals); benches read the stack's file. */
export function stackDecisionKeys(): DecisionKeys {
  return stackSecrets().decisionSigning;
}

/** A key pair nobody configured: what a forger could sign with. */
export function otherDecisionKeys(): DecisionKeys {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateJwk: privateKey.export({ format: 'jwk' }),
    publicJwk: publicKey.export({ format: 'jwk' }),
    keyId: `forger-${randomBytes(4).toString('hex')}`,
  };
}

export function privateDecisionJwk(keys: DecisionKeys = stackDecisionKeys()): JWK {
  return { ...(keys.privateJwk as JWK), kid: keys.keyId };
}

/** Deps for startApprovals: the private key that signs decisions. */
export function decisionSigningDeps(keys: DecisionKeys = stackDecisionKeys()): { decisionSigningJwk: JWK } {
  return { decisionSigningJwk: privateDecisionJwk(keys) };
}

/** Deps for startRegistry / startAudit: the public keys decisions are verified against. */
export function decisionVerifyingDeps(keys: DecisionKeys = stackDecisionKeys()): { decisionPublicJwks: string } {
  return { decisionPublicJwks: JSON.stringify(publicDecisionJwks(keys.publicJwk as JWK, keys.keyId)) };
}

/** The event signed by the approvals key (or the given keys). */
export async function signedEvent<E extends SignableEvent>(
  event: E,
  keys: DecisionKeys = stackDecisionKeys(),
): Promise<E & { extensions: Record<string, string> }> {
  return signEvent(await decisionSigner(privateDecisionJwk(keys)), event);
}

export type Forgery =
  | { readonly kind: 'unsigned' }
  | { readonly kind: 'other-key'; readonly keys?: DecisionKeys }
  /** A genuine signature taken from another (signed) event: valid, but over different content. */
  | { readonly kind: 'copied-signature'; readonly from: SignableEvent };

/** The event as a forger would send it. */
export async function forge<E extends SignableEvent>(event: E, how: Forgery): Promise<E> {
  const { [DECISION_SIGNATURE_EXTENSION]: _drop, ...others } = event.extensions ?? {};
  switch (how.kind) {
    case 'unsigned':
      return { ...event, extensions: others };
    case 'other-key':
      return signedEvent(event, how.keys ?? otherDecisionKeys());
    case 'copied-signature': {
      const signature = how.from.extensions?.[DECISION_SIGNATURE_EXTENSION];
      if (!signature) throw new Error('forge: the event to copy the signature from is not signed');
      return { ...event, extensions: { ...others, [DECISION_SIGNATURE_EXTENSION]: signature } };
    }
  }
}
