// The publication flow as a client drives it through the gateways' JSON API — a proposal drafted, submitted,
// signed by every step and published as a new version — used by the replicas test and the chaos suite.
//
// The client is the demanding one issue #19 asks for: every change carries an Idempotency-Key and is retried with
// the same key after a lost answer (connection refused or reset, 502/503/504), across all gateways in turn, until
// its deadline; so a retry can never make a second draft or a second signature, and the retries it needed are
// counted.
import { ProposalContent } from '../../proto/gen/bps/proposals/v1/proposal';
import type { PersonaName } from '../../services/shared/auth/personas';
import { healthProposal } from '../unit/proposals-fixtures';
import { uniqueName } from './names';
import { waitFor } from './wait';

export type Answer = { readonly status: number; readonly json: any };

export type FlowClient = {
  /** A call; `key` set → an Idempotency-Key and retries with it after a lost answer. Reads are always retried. */
  call(persona: PersonaName, method: string, path: string, body?: unknown, key?: string): Promise<Answer>;
  /** Calls answered only after one or more retries, and the retries in all. */
  readonly retried: { calls: number; attempts: number };
};

const RETRIABLE_STATUS = new Set([502, 503, 504]);

export function flowClient(options: {
  readonly gatewayUrls: readonly string[];
  readonly token: (persona: PersonaName) => Promise<string>;
  /** How long one call may keep retrying (default 120 s: long enough for a service, Kafka or Temporal to come back). */
  readonly callDeadlineMs?: number;
}): FlowClient {
  let next = 0;
  const retried = { calls: 0, attempts: 0 };
  const tokens = new Map<PersonaName, Promise<string>>();
  const token = (persona: PersonaName): Promise<string> => {
    let t = tokens.get(persona);
    if (!t) {
      t = options.token(persona);
      tokens.set(persona, t);
    }
    return t;
  };
  return {
    retried,
    async call(persona, method, path, body, key) {
      const deadline = Date.now() + (options.callDeadlineMs ?? 120_000);
      const mayRetry = method === 'GET' || key !== undefined;
      let attempt = 0;
      for (;;) {
        const url = options.gatewayUrls[next++ % options.gatewayUrls.length]!;
        let answer: Answer | undefined;
        let failure: unknown;
        try {
          const res = await fetch(url + path, {
            method,
            headers: {
              authorization: `Bearer ${await token(persona)}`,
              ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
              ...(key ? { 'idempotency-key': key } : {}),
            },
            ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
            signal: AbortSignal.timeout(30_000),
          });
          const text = await res.text();
          answer = { status: res.status, json: text ? JSON.parse(text) : {} };
        } catch (error) {
          failure = error; // refused, reset or timed out: the answer is lost, the effect unknown
        }
        if (answer && !RETRIABLE_STATUS.has(answer.status)) {
          if (attempt > 0) retried.calls += 1;
          return answer;
        }
        if (!mayRetry || Date.now() > deadline) {
          if (answer) return answer;
          throw failure instanceof Error ? failure : new Error(String(failure));
        }
        attempt += 1;
        retried.attempts += 1;
        await new Promise((resolve) => setTimeout(resolve, Math.min(100 * 2 ** Math.min(attempt, 5), 2_000)));
      }
    },
  };
}

/** The approvers of an NHC health proposal, in the order their steps open (countersign, then final). */
export const healthApprovers: readonly PersonaName[] = ['nhc-approver', 'ndrc-approver', 'mof-approver', 'final-approver'];

function must(answer: Answer, what: string): any {
  if (answer.status >= 300) throw new Error(`${what}: HTTP ${answer.status} ${JSON.stringify(answer.json)}`);
  return answer.json;
}

export type Publication = { readonly proposalId: string; readonly itemCode: string; readonly version: number; readonly ms: number };

/**
 * Drafts an NHC proposal raising `itemCode` from `baseVersion` to `level`, submits it, signs every step as its
 * approver, and waits until the registry serves version baseVersion + 1. Every change has its own idempotency key.
 */
export async function publishRevision(
  client: FlowClient,
  change: { readonly itemCode: string; readonly baseVersion: number; readonly level: string; readonly timeoutMs?: number },
  /** Told after each step the platform acknowledged: created, submitted, signed:<persona> (a chaos suite times its faults on them). */
  onStep: (step: string, proposalId: string) => void = () => undefined,
): Promise<Publication> {
  const began = Date.now();
  const timeoutMs = change.timeoutMs ?? 180_000;
  const key = uniqueName(`flow-${change.itemCode}`);
  // A version takes effect after the one it follows: version n+1 from 1 January of 2026 + n.
  const content = ProposalContent.toJSON({
    ...healthProposal({ itemCode: change.itemCode, baseVersion: change.baseVersion, level: change.level }),
    effectiveFrom: { year: 2026 + change.baseVersion, month: 1, day: 1 },
  });
  const proposal = must(await client.call('nhc-staff', 'POST', '/api/v1/proposals', { content }, `${key}.create`), 'create').proposal;
  const id: string = proposal.proposalId;
  onStep('created', id);
  must(await client.call('nhc-staff', 'POST', `/api/v1/proposals/${id}/submit`, { expectedRevision: proposal.revision }, `${key}.submit`), `submit ${id}`);
  onStep('submitted', id);
  for (const persona of healthApprovers) {
    const item = await waitFor(
      async () => (must(await client.call(persona, 'GET', '/api/v1/inbox'), 'inbox').items ?? []).find((i: any) => i.proposal?.proposalId === id),
      `${id} in the inbox of ${persona}`,
      timeoutMs,
      250,
    );
    must(
      await client.call(
        persona,
        'POST',
        `/api/v1/approvals/${id}/steps/${item.step.stepId}/sign`,
        { position: 'POSITION_APPROVE', comment: '同意' },
        `${key}.${persona}`,
      ),
      `${persona} signs ${id}`,
    );
    onStep(`signed:${persona}`, id);
  }
  const version = change.baseVersion + 1;
  await waitFor(
    async () =>
      (must(await client.call('nhc-staff', 'GET', `/api/v1/standards/items/${change.itemCode}/history`), 'history').versions ?? []).find(
        (v: any) => v.version === version,
      ),
    `${change.itemCode} v${version} published`,
    timeoutMs,
    250,
  );
  return { proposalId: id, itemCode: change.itemCode, version, ms: Date.now() - began };
}
