// Console routes for downstream system administrators (subscriptions, deliveries, redelivery) and auditors (the
// audit trail and its verification). Refusals from the services are shown on the page the person acted from.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Role } from '../../shared/auth/identity';
import type { VerifyResponse } from '../../../proto/gen/bps/audit/v1/audit';
import { deliveryStatusFromJSON, type Subscription } from '../../../proto/gen/bps/notifications/v1/subscriptions';
import { releaseKindFromJSON } from '../../../proto/gen/bps/standards/v1/changes';
import type { Backends } from '../adapters/backends';
import { exportRequest, fetchTrace, type AuditTarget } from '../api/audit-routes';
import { deliveryStatuses } from '../api/subscriptions-routes';
import { GatewayHttpError } from '../http/api';
import { formValue, formValues, type FormBody } from '../http/cookies';
import { formatDate } from '../http/dates';
import { parseIsoDate, todayInChina } from '../../shared/standards/china-date';
import type { FieldViolationBody, HttpError } from '../http/errors';
import { toHttpError } from '../http/grpc-errors';
import { auditPage, targetQuery, targetTitle, type AuditForm } from './audit-pages';
import type { Html } from './html';
import { alertBox, type PageContext } from './layout';
import type { Guarded } from './page-types';
import {
  emptySubscriptionForm,
  maySubscribe,
  splitCodes,
  subscriptionPage,
  subscriptionsListPage,
  type FieldChoice,
  type SubscriptionForm,
} from './subscription-pages';
import { changeOrRefuse, refusalBox } from './work-pages';

type Query = Record<string, string | undefined>;

/** The trace a query names (exactly one of item+version, proposal, cycle, actor), or the violations. */
export function auditTargetFromQuery(q: Query): { target?: AuditTarget; violations: FieldViolationBody[] } {
  const given = (['item', 'proposal', 'cycle', 'actor'] as const).filter((k) => (q[k] ?? '').trim() !== '');
  if (given.length === 0) return { violations: [] };
  if (given.length > 1) return { violations: [{ field: given.join(','), description: 'name one of item, proposal, cycle, actor' }] };
  const value = (q[given[0]!] ?? '').trim();
  switch (given[0]) {
    case 'item': {
      const version = Number(q['version']);
      if (!/^\d+$/.test(q['version'] ?? '') || version < 1) return { violations: [{ field: 'version', description: 'must be a version number (1 or more)' }] };
      return { target: { kind: 'item-version', itemCode: value, version }, violations: [] };
    }
    case 'proposal':
      return { target: { kind: 'proposal', proposalId: value }, violations: [] };
    case 'cycle':
      return { target: { kind: 'cycle', cycleId: value }, violations: [] };
    default: {
      const time = (name: 'from' | 'to'): Date | undefined | null => {
        if (!q[name]) return undefined;
        const d = new Date(q[name] ?? '');
        return Number.isNaN(d.getTime()) ? null : d;
      };
      const from = time('from');
      const to = time('to');
      const bad = [from === null ? 'from' : '', to === null ? 'to' : ''].filter(Boolean);
      if (bad.length > 0) return { violations: bad.map((field) => ({ field, description: 'must be an RFC 3339 time' })) };
      return { target: { kind: 'actor', subject: value, ...(from ? { from } : {}), ...(to ? { to } : {}) }, violations: [] };
    }
  }
}

export function subscriptionFormFromBody(body: FormBody): SubscriptionForm {
  return {
    endpointUrl: formValue(body, 'endpointUrl').trim(),
    description: formValue(body, 'description').trim(),
    eventTypes: formValues(body, 'eventType'),
    fieldCodes: formValues(body, 'field'),
    itemCodes: formValue(body, 'itemCodes'),
    provinceCodes: formValues(body, 'province'),
    releaseKind: formValue(body, 'releaseKind'),
  };
}

const subscriberRoles: readonly Role[] = ['subscriber-admin', 'province-officer'];
const manages = (ctx: PageContext, s: Subscription): boolean =>
  ctx.identity?.organisation === s.organisation && subscriberRoles.some((r) => ctx.identity?.roles.includes(r));
const redelivers = (ctx: PageContext, s: Subscription): boolean => manages(ctx, s) || (ctx.identity?.roles.includes('operator') ?? false);

export function registerOversightPages(
  app: FastifyInstance,
  deps: {
    backends: Backends;
    guarded: Guarded;
    renderError(req: FastifyRequest, reply: FastifyReply, http: HttpError): FastifyReply;
  },
): void {
  const { backends, guarded } = deps;
  const today = () => ({ date: parseIsoDate(todayInChina()), knownAt: undefined });

  // ---- subscriptions --------------------------------------------------------------------------------------------
  /**
   * Field codes a filter can usefully name: those the items in force carry (a filter matches an event's item field
   * codes, which keep the taxonomy they were published under) and those of today's taxonomy, each with its name.
   */
  const fieldChoices = async (token: string): Promise<FieldChoice[]> => {
    const [taxonomy, items] = await Promise.all([
      backends.call('registry', (c) => c.getTaxonomy.bind(c), { asOf: today() }, token),
      backends.call('registry', (c) => c.listItems.bind(c), { asOf: today(), fieldCode: '', categoryCode: '', provinceCode: '' }, token),
    ]);
    const names = new Map(taxonomy.fields.map((f) => [f.code, f.name]));
    // Each item's field today and, for a version recorded under an earlier taxonomy, the field it was recorded with.
    const recorded = (v: (typeof items.items)[number]): string => v.placement?.recordedFieldCode || (v.item?.fieldCode ?? '');
    const inForce = [...new Set(items.items.flatMap((v) => [v.item?.fieldCode ?? '', recorded(v)]).filter(Boolean))];
    const olderDates = new Map(
      items.items.filter((v) => v.effectiveFrom && !names.has(recorded(v))).map((v) => [formatDate(v.effectiveFrom), v.effectiveFrom]),
    );
    for (const older of await Promise.all(
      [...olderDates.values()].map((date) => backends.call('registry', (c) => c.getTaxonomy.bind(c), { asOf: { date, knownAt: undefined } }, token)),
    )) {
      for (const f of older.fields) if (!names.has(f.code)) names.set(f.code, f.name);
    }
    return [...new Set([...inForce, ...taxonomy.fields.map((f) => f.code)])].map((code) => ({
      code,
      name: names.get(code) ?? code,
      inForce: inForce.includes(code),
    }));
  };

  const listPage = async (ctx: PageContext, token: string, form: SubscriptionForm, flash?: Html) => {
    const [res, fields] = await Promise.all([
      backends.call('notifications', (c) => c.listSubscriptions.bind(c), {}, token),
      maySubscribe(ctx) ? fieldChoices(token).catch(() => []) : Promise.resolve([]),
    ]);
    return subscriptionsListPage(ctx, res.subscriptions, { form, fields, ...(flash ? { flash } : {}) });
  };

  app.get(
    '/subscriptions',
    guarded(async (_req, ctx, token) => ({
      title: ctx.t('common.navSubscriptions'),
      section: 'subscriptions',
      body: await listPage(ctx, token, emptySubscriptionForm),
    })),
  );

  app.post(
    '/subscriptions',
    guarded(async (req, ctx, token) => {
      const form = subscriptionFormFromBody((req.body ?? {}) as FormBody);
      try {
        const res = await backends.change(
          'notifications',
          (c) => c.createSubscription.bind(c),
          {
            endpointUrl: form.endpointUrl,
            description: form.description,
            filter: {
              eventTypes: [...form.eventTypes],
              fieldCodes: [...form.fieldCodes],
              itemCodes: splitCodes(form.itemCodes),
              provinceCodes: [...form.provinceCodes],
              releaseKind: form.releaseKind ? releaseKindFromJSON(form.releaseKind) : 0,
            },
          },
          token,
        );
        const s = res.subscription;
        if (!s) throw new Error('subscription missing from response');
        // Rendered here rather than redirected: the secret exists only in this response and must not go into a URL.
        return {
          title: s.description || s.subscriptionId,
          section: 'subscriptions',
          status: 201,
          body: subscriptionPage(ctx, s, {
            deliveries: [],
            attempts: [],
            filter: { status: '' },
            secret: res.secret,
            mayManage: manages(ctx, s),
            mayRedeliver: redelivers(ctx, s),
          }),
        };
      } catch (e) {
        const r = refusalBox(ctx, e);
        return { title: ctx.t('common.navSubscriptions'), section: 'subscriptions', status: r.status, body: await listPage(ctx, token, form, r.box) };
      }
    }),
  );

  const showSubscription = async (ctx: PageContext, token: string, subscriptionId: string, status: string, flash?: Html, httpStatus?: number) => {
    const wanted = (deliveryStatuses as readonly string[]).includes(status) ? status : '';
    const [{ subscription }, deliveries, attempts] = await Promise.all([
      backends.call('notifications', (c) => c.getSubscription.bind(c), { subscriptionId }, token),
      backends.call(
        'notifications',
        (c) => c.listDeliveries.bind(c),
        { subscriptionId, eventId: '', status: wanted ? deliveryStatusFromJSON(wanted) : 0, pageSize: 200, pageToken: '' },
        token,
      ),
      backends.call('notifications', (c) => c.listDeliveryAttempts.bind(c), { subscriptionId, eventId: '', pageSize: 1000, pageToken: '' }, token),
    ]);
    if (!subscription) throw new Error('subscription missing from response');
    return {
      title: subscription.description || subscriptionId,
      section: 'subscriptions',
      ...(httpStatus ? { status: httpStatus } : {}),
      body: subscriptionPage(ctx, subscription, {
        deliveries: deliveries.deliveries,
        attempts: attempts.attempts,
        filter: { status: wanted },
        ...(flash ? { flash } : {}),
        mayManage: manages(ctx, subscription),
        mayRedeliver: redelivers(ctx, subscription),
      }),
    };
  };

  app.get(
    '/subscriptions/:subscriptionId',
    guarded(async (req, ctx, token) => {
      const q = req.query as Query;
      const done: Record<string, string> = {
        pause: ctx.t('subscription.done.paused'),
        resume: ctx.t('subscription.done.resumed'),
        redeliver: ctx.t('subscription.done.requeued', { count: q['requeued'] ?? 0 }),
      };
      const message = done[q['done'] ?? ''];
      return showSubscription(
        ctx,
        token,
        (req.params as { subscriptionId: string }).subscriptionId,
        q['status'] ?? '',
        message ? alertBox('ok', message) : undefined,
      );
    }),
  );

  const subscriptionAction = (action: 'pause' | 'resume' | 'redeliver') =>
    guarded(async (req, ctx, token) => {
      const subscriptionId = (req.params as { subscriptionId: string }).subscriptionId;
      const path = `/subscriptions/${encodeURIComponent(subscriptionId)}`;
      return changeOrRefuse(
        ctx,
        async () => {
          if (action === 'pause') await backends.change('notifications', (c) => c.pauseSubscription.bind(c), { subscriptionId }, token);
          if (action === 'resume') await backends.change('notifications', (c) => c.resumeSubscription.bind(c), { subscriptionId }, token);
          if (action !== 'redeliver') return `${path}?done=${action}`;
          const res = await backends.change(
            'notifications',
            (c) => c.redeliver.bind(c),
            { subscriptionId, eventIds: formValues((req.body ?? {}) as FormBody, 'eventId') },
            token,
          );
          return `${path}?done=redeliver&requeued=${res.requeued}`;
        },
        (to) => to,
        (box, status) => showSubscription(ctx, token, subscriptionId, '', box, status),
      );
    });
  for (const action of ['pause', 'resume', 'redeliver'] as const) app.post(`/subscriptions/:subscriptionId/${action}`, subscriptionAction(action));

  // ---- audit ----------------------------------------------------------------------------------------------------
  app.get(
    '/audit',
    guarded(async (req, ctx, token) => {
      const q = req.query as Query;
      const form: AuditForm = {
        item: q['item'] ?? '',
        version: q['version'] ?? '',
        proposal: q['proposal'] ?? '',
        cycle: q['cycle'] ?? '',
        actor: q['actor'] ?? '',
      };
      // Item codes for the chooser's suggestions, fetched while the trace is assembled.
      const itemsPending = backends
        .call('registry', (c) => c.listItems.bind(c), { asOf: today(), fieldCode: '', categoryCode: '', provinceCode: '' }, token)
        .then(
          (r) => r.items.map((v) => ({ code: v.item?.itemCode ?? '', name: v.item?.name ?? '' })),
          () => [],
        );
      const title = ctx.t('common.auditTrail');
      const { target, violations } = auditTargetFromQuery(q);
      if (violations.length > 0) {
        return {
          title,
          section: 'audit',
          status: 400,
          body: auditPage(ctx, { form, itemCodes: await itemsPending, error: refusalBox(ctx, GatewayHttpError.invalid(violations)).box }),
        };
      }
      if (!target) return { title, section: 'audit', body: auditPage(ctx, { form, itemCodes: await itemsPending }) };
      try {
        const traced = await fetchTrace(backends, target, token);
        // Every log the trace was assembled from is rehashed, so the page shows whether what it shows is intact.
        const verification: VerifyResponse[] = await Promise.all(
          (traced.trace?.logs ?? []).map((log) => backends.call('audit', (c) => c.verify.bind(c), { log, checkpoints: [], full: true }, token)),
        );
        const items = await itemsPending;
        return {
          title: `${title} · ${targetTitle(ctx, target)}`,
          section: 'audit',
          body: auditPage(ctx, {
            form,
            itemCodes: items,
            target,
            verification,
            ...(traced.trace ? { trace: traced.trace } : {}),
            ...(traced.itemVersion ? { itemVersion: traced.itemVersion } : {}),
          }),
        };
      } catch (e) {
        const r = refusalBox(ctx, e);
        return { title, section: 'audit', status: r.status, body: auditPage(ctx, { form, itemCodes: await itemsPending, error: r.box }) };
      }
    }),
  );

  // A download, not a page: the export document itself, as the audit service produced it.
  app.get('/audit/export', async (req, reply) => {
    if (!req.bps.identity || !req.bps.token) return reply.redirect(`/signin?next=${encodeURIComponent(req.url)}`, 303);
    try {
      const { target, violations } = auditTargetFromQuery(req.query as Query);
      if (!target)
        throw GatewayHttpError.invalid(
          violations.length > 0 ? violations : [{ field: 'item', description: 'name an item version, a proposal, a cycle or an actor' }],
        );
      const res = await backends.call('audit', (c) => c.exportTrace.bind(c), exportRequest(target), req.bps.token);
      const name = Object.values(targetQuery(target))
        .filter((v) => v !== undefined)
        .join('-');
      const filename = `audit-trace-${target.kind}-${name}`.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 120);
      return reply
        .type('application/json; charset=utf-8')
        .header('content-disposition', `attachment; filename="${filename}.json"`)
        .header('x-content-sha256', res.sha256)
        .header('cache-control', 'no-store')
        .send(res.document);
    } catch (e) {
      return deps.renderError(req, reply, toHttpError(e));
    }
  });
}
