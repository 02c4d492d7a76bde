// Console logic of the subscription and audit pages without services: navigation by role, the audit target from a
// query, the create form, the hash-chain verdict, dead letters and the secret shown once.
import { describe, expect, it } from 'vitest';
import { DeliveryStatus, SubscriptionStatus, type Delivery, type Subscription } from '../../proto/gen/bps/notifications/v1/subscriptions';
import type { VerifyResponse } from '../../proto/gen/bps/audit/v1/audit';
import { personas, type PersonaName } from '../../services/shared/auth/personas';
import { translator } from '../../services/gateway/web/i18n';
import { mayUse, page, type PageContext } from '../../services/gateway/web/layout';
import { auditTargetFromQuery, subscriptionFormFromBody } from '../../services/gateway/web/oversight-pages';
import { auditPage, verificationBox } from '../../services/gateway/web/audit-pages';
import { splitCodes, subscriptionPage, subscriptionsListPage, emptySubscriptionForm } from '../../services/gateway/web/subscription-pages';

const ctxAs = (persona: PersonaName, lang: 'zh' | 'en' = 'zh'): PageContext => ({
  lang,
  t: translator(lang),
  identity: { ...personas[persona], roles: [...personas[persona].roles] },
  url: '/x',
  signInEnabled: true,
});

const subscription: Subscription = {
  subscriptionId: 'sub-1',
  organisation: 'NBS',
  endpointUrl: 'https://stats.example.gov.cn/hook',
  status: SubscriptionStatus.SUBSCRIPTION_STATUS_ACTIVE,
  filter: { eventTypes: ['bps.standard.version.published'], fieldCodes: ['F17-HEA'], itemCodes: [], provinceCodes: ['110000'], releaseKind: 0 },
  description: '统计系统',
  disabledReason: '',
  createdAt: new Date('2026-01-01T00:00:00Z'),
  updatedAt: new Date('2026-01-01T00:00:00Z'),
  revision: 1,
  createdBy: 'nbs.system',
  previousSecretExpiresAt: undefined,
};
const delivery = (eventId: string, status: DeliveryStatus): Delivery => ({
  deliveryId: `sub-1/${eventId}`,
  subscriptionId: 'sub-1',
  organisation: 'NBS',
  eventId,
  eventType: 'bps.standard.version.published',
  subject: 'release/r1',
  releaseId: 'r1',
  cursor: '1',
  status,
  attempts: 1,
  nextAttemptAt: undefined,
  deliveredAt: undefined,
  createdAt: new Date('2026-01-01T00:00:00Z'),
  lastStatusCode: 400,
  lastError: 'HTTP 400 is not retried',
  endpointUrl: '',
});

describe('navigation by role', () => {
  const nav = (persona: PersonaName) => page(ctxAs(persona), { title: 't' }, '').value.split('</nav>')[0] ?? '';
  it('shows subscriptions to subscriber administrators, province officers, operators and auditors, and the audit trail to auditors and operators', () => {
    expect(nav('statistics-subscriber')).toContain('href="/subscriptions"');
    expect(nav('statistics-subscriber')).not.toContain('href="/audit"');
    expect(nav('beijing-officer')).toContain('订阅管理');
    expect(nav('auditor')).toContain('审计追溯');
    expect(nav('operator')).toContain('href="/audit"');
    expect(nav('nhc-staff')).not.toContain('href="/subscriptions"');
    expect(nav('nhc-staff')).not.toContain('href="/audit"');
    expect(nav('nhc-staff')).toContain('href="/standards"');
    expect(mayUse(undefined, 'audit')).toBe(false);
    expect(mayUse(undefined, 'standards')).toBe(true);
  });
});

describe('audit target from the query', () => {
  it('takes exactly one of item+version, proposal, cycle, actor', () => {
    expect(auditTargetFromQuery({ item: 'HEA-01', version: '2' })).toEqual({
      target: { kind: 'item-version', itemCode: 'HEA-01', version: 2 },
      violations: [],
    });
    expect(auditTargetFromQuery({ proposal: ' P-1 ' }).target).toEqual({ kind: 'proposal', proposalId: 'P-1' });
    expect(auditTargetFromQuery({ cycle: 'c-2026' }).target).toEqual({ kind: 'cycle', cycleId: 'c-2026' });
    expect(auditTargetFromQuery({ actor: 'nhc.staff.li', from: '2026-01-01T00:00:00Z' }).target).toEqual({
      kind: 'actor',
      subject: 'nhc.staff.li',
      from: new Date('2026-01-01T00:00:00Z'),
    });
    expect(auditTargetFromQuery({})).toEqual({ violations: [] });
  });
  it('names the field when the query is wrong', () => {
    expect(auditTargetFromQuery({ item: 'HEA-01' }).violations).toEqual([{ field: 'version', description: 'must be a version number (1 or more)' }]);
    expect(auditTargetFromQuery({ item: 'HEA-01', version: '0' }).violations[0]?.field).toBe('version');
    expect(auditTargetFromQuery({ proposal: 'a', cycle: 'b' }).violations[0]?.field).toBe('proposal,cycle');
    expect(auditTargetFromQuery({ actor: 'x', to: 'yesterday' }).violations).toEqual([{ field: 'to', description: 'must be an RFC 3339 time' }]);
  });
});

describe('subscription create form', () => {
  it('reads repeated checkboxes and splits item codes', () => {
    const form = subscriptionFormFromBody({
      endpointUrl: ' https://x.example/h ',
      eventType: ['a', 'b'],
      field: 'F17-HEA',
      itemCodes: 'HEA-01, HEA-02、INS-05',
      province: ['110000', '440000'],
      releaseKind: 'RELEASE_KIND_AMENDMENT',
    });
    expect(form).toMatchObject({
      endpointUrl: 'https://x.example/h',
      eventTypes: ['a', 'b'],
      fieldCodes: ['F17-HEA'],
      provinceCodes: ['110000', '440000'],
      releaseKind: 'RELEASE_KIND_AMENDMENT',
    });
    expect(splitCodes(form.itemCodes)).toEqual(['HEA-01', 'HEA-02', 'INS-05']);
  });
  it('is offered to subscriber roles only, with every subscribable event type in plain words', () => {
    const fields = [{ code: 'F17-HEA', name: '医疗卫生', inForce: true }];
    const forSubscriber = subscriptionsListPage(ctxAs('statistics-subscriber'), [subscription], { form: emptySubscriptionForm, fields }).value;
    expect(forSubscriber).toContain('data-testid="subscription-form"');
    expect(forSubscriber).toContain('value="bps.standard.version.published"');
    expect(forSubscriber).toContain('发布标准新版本');
    expect(forSubscriber).toContain('北京市');
    expect(subscriptionsListPage(ctxAs('auditor'), [subscription], { form: emptySubscriptionForm, fields }).value).not.toContain(
      'data-testid="subscription-form"',
    );
  });
});

describe('subscription page', () => {
  const render = (o: { secret?: string; persona?: PersonaName }) =>
    subscriptionPage(ctxAs(o.persona ?? 'statistics-subscriber'), subscription, {
      deliveries: [delivery('e1', DeliveryStatus.DELIVERY_STATUS_DEAD_LETTERED), delivery('e2', DeliveryStatus.DELIVERY_STATUS_PENDING)],
      attempts: [],
      filter: { status: '' },
      mayManage: (o.persona ?? 'statistics-subscriber') === 'statistics-subscriber',
      mayRedeliver: (o.persona ?? 'statistics-subscriber') !== 'auditor',
      ...(o.secret ? { secret: o.secret } : {}),
    }).value;

  it('marks dead letters and offers redelivery per delivery to those who may', () => {
    const html = render({});
    expect(html).toContain('data-testid="dead-letters"');
    expect(html).toMatch(/<tr data-event="e1" data-status="DELIVERY_STATUS_DEAD_LETTERED" class="dead">/);
    expect(html).toContain('name="eventId" value="e1"');
    expect(html).not.toContain('name="eventId" value="e2"'); // pending: nothing to send again yet
    expect(render({ persona: 'auditor' })).not.toContain('data-action="redeliver"');
  });
  it('shows the secret only when given (right after creation)', () => {
    expect(render({ secret: 'whsec_abc' })).toContain('<code class="secret wrap" data-testid="secret">whsec_abc</code>');
    expect(render({})).not.toContain('data-testid="secret"');
  });
});

describe('hash-chain verdict', () => {
  const ok = (log: string): VerifyResponse => ({
    log,
    ok: true,
    size: '3',
    headHash: 'h',
    firstMismatch: undefined,
    checkpoints: [],
    full: true,
    verifiedFrom: '0',
    anchor: undefined,
    entriesChecked: '3',
  });
  it('says verified when every log is intact', () => {
    const html = verificationBox(ctxAs('auditor'), [ok('proposal:P-1'), ok('release:r1')]).value;
    expect(html).toContain('data-verified="true"');
    expect(html).toContain('2 个日志、共 6 条记录');
  });
  it('names the log and the first broken record', () => {
    const broken: VerifyResponse = {
      ...ok('item:HEA-01'),
      ok: false,
      firstMismatch: { sequence: '2', reason: 'HASH', description: 'entry hash does not match its content', expected: 'a', actual: 'b' },
    };
    const html = verificationBox(ctxAs('auditor', 'en'), [ok('proposal:P-1'), broken]).value;
    expect(html).toContain('data-verified="false"');
    expect(html).toContain('role="alert"');
    expect(html).toContain('<code>item:HEA-01</code> record #2: HASH — entry hash does not match its content');
  });
  it('links the export of the trace shown', () => {
    const html = auditPage(ctxAs('auditor'), {
      form: { item: 'HEA-01', version: '2', proposal: '', cycle: '', actor: '' },
      itemCodes: [],
      target: { kind: 'item-version', itemCode: 'HEA-01', version: 2 },
      trace: { steps: [], logs: [] },
      verification: [],
    }).value;
    expect(html).toContain('href="/audit/export?item=HEA-01&amp;version=2"');
  });
});
