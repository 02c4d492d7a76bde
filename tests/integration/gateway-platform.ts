// The gateway tests' view of the test kit's platform (tests/support/platform.ts): the registry behind a gateway,
// plus proposals and approvals ({ full: true }), notifications and audit on request; and the gateway flows people
// go through (apiAs, publishThroughApproval).
import { ProposalContent } from '../../proto/gen/bps/proposals/v1/proposal';
import type { GatewayDeps } from '../../services/gateway/app';
import { personas, type PersonaName } from '../../services/shared/auth/personas';
import { healthProposal } from '../unit/proposals-fixtures';
import { startPlatform, type Platform, type Running, type ServiceName } from '../support/platform';
import { waitFor } from '../support/wait';

export { CLOSED_ADDRESS } from '../support/platform';
export { startWebhookReceiver, type ReceivedWebhook, type WebhookReceiver } from '../support/webhooks';

/** The registry and the gateway always; the other services as chosen (absent ones answer 503 through the gateway). */
export type TestPlatform = Platform & Pick<Running, 'registry' | 'gateway'> & Partial<Omit<Running, 'registry' | 'gateway'>>;

export type PlatformOptions = { full?: boolean; notifications?: boolean; audit?: boolean; programme?: boolean };

/** startPlatform with the gateway's overrides: kept for the gateway, CLI and browser tests. */
export function startTestPlatform(prefix: string, gatewayOverrides: Partial<GatewayDeps> = {}, options: PlatformOptions = {}): Promise<TestPlatform> {
  const services: ServiceName[] = ['registry', 'gateway'];
  if (options.full) services.push('proposals', 'approvals');
  if (options.notifications) services.push('notifications');
  if (options.audit) services.push('audit');
  if (options.programme) services.push('programme');
  return startPlatform(prefix, { services, overrides: { gateway: gatewayOverrides } }) as Promise<Platform> as Promise<TestPlatform>;
}

/** Calls the gateway's JSON API as a persona. */
export async function apiAs(p: TestPlatform, persona: PersonaName, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(p.gateway.url + path, {
    method,
    headers: { authorization: `Bearer ${await p.token(persona)}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, json: await res.json() };
}

/**
 * Publishes a new version of an NHC health item the way people do (needs { full: true }): 国家卫生健康委 drafts and
 * submits a proposal raising its funding, NHC, NDRC and MOF countersign and the final approver approves, each from
 * their inbox over the gateway's API; resolves once the registry has published the version.
 */
export async function publishThroughApproval(p: TestPlatform, itemCode: string, baseVersion = 1): Promise<{ proposalId: string; version: number }> {
  const must = (r: { status: number; json: any }, what: string) => {
    if (r.status >= 300) throw new Error(`${what}: HTTP ${r.status} ${JSON.stringify(r.json)}`);
    return r.json;
  };
  const created = must(
    await apiAs(p, 'nhc-staff', 'POST', '/api/v1/proposals', { content: ProposalContent.toJSON(healthProposal({ itemCode, baseVersion })) }),
    'create proposal',
  );
  const proposalId: string = created.proposal.proposalId;
  must(await apiAs(p, 'nhc-staff', 'POST', `/api/v1/proposals/${proposalId}/submit`, { expectedRevision: created.proposal.revision }), 'submit');
  // Barriers on exactly what each person sees: the step in their inbox, then the version in the item's history.
  for (const persona of ['nhc-approver', 'ndrc-approver', 'mof-approver', 'final-approver'] as const) {
    const item = await waitFor(
      async () =>
        (must(await apiAs(p, persona, 'GET', '/api/v1/inbox'), `${persona} inbox`).items ?? []).find((i: any) => i.proposal?.proposalId === proposalId),
      `${proposalId} in the inbox of ${persona}`,
      90_000,
      300,
    );
    must(
      await apiAs(p, persona, 'POST', `/api/v1/approvals/${proposalId}/steps/${item.step.stepId}/sign`, {
        position: 'POSITION_APPROVE',
        comment: `${personas[persona].name} 同意（测试）`,
      }),
      `${persona} sign`,
    );
  }
  const version = baseVersion + 1;
  await waitFor(
    async () =>
      (must(await apiAs(p, 'nhc-staff', 'GET', `/api/v1/standards/items/${itemCode}/history`), 'history').versions ?? []).find(
        (v: any) => v.version === version,
      ),
    `${itemCode} v${version} published`,
    90_000,
    300,
  );
  return { proposalId, version };
}
