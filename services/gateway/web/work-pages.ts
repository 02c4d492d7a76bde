// Console routes for ministry staff (proposals) and approvers (inbox). Refusals from the services are shown on the
// page the person acted from, with the server's reason.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { positionFromJSON } from '../../../proto/gen/bps/approvals/v1/events';
import type { ItemVersion } from '../../../proto/gen/bps/registry/v1/registry';
import type { Backends } from '../adapters/backends';
import { formValue, type FormBody } from '../http/cookies';
import { parseIsoDate, todayInChina } from '../../shared/standards/china-date';
import { toHttpError } from '../http/grpc-errors';
import type { Guarded, PageResult } from './page-types';
import { html, type Html } from './html';
import { approvalPage, inboxPage, type InboxFilters } from './inbox-pages';
import { alertBox, type PageContext } from './layout';
import { contentFromForm, formFromBody, formFromContent, type ProposalForm } from './proposal-form';
import { proposalEditorPage, proposalPage, proposalsListPage, editable } from './proposal-pages';

type Query = Record<string, string | undefined>;

/** The server's refusal as an alert box: message, field violations, precondition violations. */
export function refusalBox(ctx: PageContext, error: unknown): { box: Html; status: number } {
  const http = toHttpError(error);
  if (http.status >= 500 && http.status !== 503) throw error;
  const e = http.body.error;
  const lines = [
    ...(e.fieldViolations ?? []).map((v) => `${v.field}: ${v.description}`),
    ...(e.violations ?? []).map((v) => `${v.subject ? `${v.subject}: ` : ''}${v.description}`),
  ];
  return {
    box: html`<div data-testid="refusal">${alertBox('error', `${ctx.t('work.refused')}: ${e.message}`, lines)}<p class="muted">${e.code}${e.reason ? ` · ${e.reason}` : ''}${e.currentRevision ? ` · ${ctx.t('work.currentRevision')} ${e.currentRevision}` : ''}</p></div>`,
    status: http.status,
  };
}

/**
 * A form post: makes the change and redirects to where it leads; a refusal shows the page the person acted from
 * again, with the server's reason (`refusalBox`) and its status.
 */
export async function changeOrRefuse<T>(
  ctx: PageContext,
  change: () => Promise<T>,
  redirect: (done: T) => string,
  refused: (box: Html, status: number) => Promise<PageResult>,
): Promise<PageResult> {
  try {
    return { redirect: redirect(await change()) };
  } catch (e) {
    const r = refusalBox(ctx, e);
    return refused(r.box, r.status);
  }
}

export function registerWorkPages(app: FastifyInstance, deps: { backends: Backends; guarded: Guarded }): void {
  const { backends, guarded } = deps;
  const today = () => ({ date: parseIsoDate(todayInChina()), knownAt: undefined });

  /** Items the caller's ministry leads, as in force today (the editor starts from these). */
  const ministryItems = async (ctx: PageContext, token: string): Promise<ItemVersion[]> => {
    const list = await backends.call('registry', (c) => c.listItems.bind(c), { asOf: today(), fieldCode: '', categoryCode: '', provinceCode: '' }, token);
    return list.items.filter((v) => v.item?.leadUnit?.code === ctx.identity?.organisation && !v.retired);
  };
  const baseOf = async (itemCode: string, token: string): Promise<{ item: NonNullable<ItemVersion['item']>; version: number } | undefined> => {
    if (!itemCode) return undefined;
    const res = await backends.call('registry', (c) => c.getItem.bind(c), { itemCode, asOf: today(), provinceCode: '' }, token);
    return res.national?.item ? { item: res.national.item, version: res.national.version } : undefined;
  };

  // ---- proposals ----------------------------------------------------------------------------------------------
  app.get(
    '/proposals',
    guarded(async (_req, ctx, token) => {
      const mine = ctx.identity?.roles.includes('ministry-staff') ? ctx.identity.organisation : '';
      const res = await backends.call(
        'proposals',
        (c) => c.listProposals.bind(c),
        { leadMinistry: mine, fieldCode: '', kind: 0, state: 0, cycleId: '', pageSize: 100, pageToken: '' },
        token,
      );
      return {
        title: ctx.t('work.adjustmentProposals'),
        section: 'proposals',
        body: proposalsListPage(ctx, res.proposals, ctx.identity?.roles.includes('ministry-staff') ?? false),
      };
    }),
  );

  const editor = async (
    ctx: PageContext,
    token: string,
    o: { action: string; itemCode: string; form: ProposalForm; submitted?: FormBody; expectedRevision?: number; error?: Html; estimate?: boolean },
  ) => {
    const [items, base] = await Promise.all([ministryItems(ctx, token), baseOf(o.itemCode, token)]);
    let estimate;
    let error = o.error;
    if (o.estimate && base) {
      try {
        estimate = (
          await backends.call(
            'proposals',
            (c) => c.computeFiscalEstimate.bind(c),
            { source: { $case: 'content', content: contentFromForm(o.form, base) }, revision: 0 },
            token,
          )
        ).estimate;
      } catch (e) {
        error = refusalBox(ctx, e).box;
      }
    }
    return proposalEditorPage(ctx, {
      action: o.action,
      items,
      itemCode: o.itemCode || items[0]?.item?.itemCode || '',
      base,
      form: o.form,
      ...(estimate ? { estimate } : {}),
      ...(error ? { error } : {}),
      ...(o.expectedRevision ? { expectedRevision: o.expectedRevision } : {}),
    });
  };

  app.get(
    '/proposals/new',
    guarded(async (req, ctx, token) => {
      const q = req.query as Query;
      const items = await ministryItems(ctx, token);
      const itemCode = q['item'] || items[0]?.item?.itemCode || '';
      const base = await baseOf(itemCode, token);
      const form: ProposalForm = { years: '3', qualityText: base?.item.qualityStandard?.text ?? '', effectiveFrom: `${new Date().getFullYear() + 1}-01-01` };
      return {
        title: ctx.t('work.newAdjustmentProposal'),
        section: 'proposals',
        body: await editor(ctx, token, { action: '/proposals/new', itemCode, form }),
      };
    }),
  );

  app.post(
    '/proposals/new',
    guarded(async (req, ctx, token) => {
      const body = (req.body ?? {}) as FormBody;
      const form = formFromBody(body);
      const itemCode = formValue(body, 'item');
      const title = ctx.t('work.newAdjustmentProposal');
      if (formValue(body, 'action') === 'estimate')
        return { title, section: 'proposals', body: await editor(ctx, token, { action: '/proposals/new', itemCode, form, estimate: true }) };
      const base = await baseOf(itemCode, token);
      if (!base)
        return {
          title,
          section: 'proposals',
          status: 400,
          body: await editor(ctx, token, { action: '/proposals/new', itemCode, form, error: alertBox('error', ctx.t('work.chooseAnItem')) }),
        };
      try {
        const res = await backends.change('proposals', (c) => c.createProposal.bind(c), { content: contentFromForm(form, base) }, token);
        return { redirect: `/proposals/${encodeURIComponent(res.proposal?.proposalId ?? '')}?saved=1` };
      } catch (e) {
        const r = refusalBox(ctx, e);
        return { title, section: 'proposals', status: r.status, body: await editor(ctx, token, { action: '/proposals/new', itemCode, form, error: r.box }) };
      }
    }),
  );

  const showProposal = async (ctx: PageContext, token: string, proposalId: string, flash?: Html, status?: number) => {
    const { proposal } = await backends.call('proposals', (c) => c.getProposal.bind(c), { proposalId, revision: 0 }, token);
    if (!proposal) throw new Error('proposal missing from response');
    const [validation, approval] = await Promise.all([
      editable(proposal) ? backends.call('proposals', (c) => c.validateProposal.bind(c), { proposalId }, token) : Promise.resolve(undefined),
      proposal.workflowId || proposal.round > 0
        ? backends
            .call('approvals', (c) => c.getApproval.bind(c), { proposalId }, token)
            .then(
              (r) => r.approval,
              () => undefined,
            )
        : Promise.resolve(undefined),
    ]);
    return {
      title: proposal.content?.title || proposalId,
      section: 'proposals',
      ...(status ? { status } : {}),
      body: proposalPage(ctx, proposal, {
        ...(validation
          ? {
              validation: {
                violations: validation.violations,
                conflicts: validation.conflicts,
                ...(validation.fiscalEstimate ? { estimate: validation.fiscalEstimate } : {}),
              },
            }
          : {}),
        ...(approval ? { approval } : {}),
        ...(flash ? { flash } : {}),
      }),
    };
  };

  app.get(
    '/proposals/:proposalId',
    guarded(async (req, ctx, token) => {
      const q = req.query as Query;
      const flash = q['saved'] ? alertBox('ok', ctx.t('work.saved')) : q['submitted'] ? alertBox('ok', ctx.t('work.submittedForApproval')) : undefined;
      return showProposal(ctx, token, (req.params as { proposalId: string }).proposalId, flash);
    }),
  );

  app.get(
    '/proposals/:proposalId/edit',
    guarded(async (req, ctx, token) => {
      const proposalId = (req.params as { proposalId: string }).proposalId;
      const { proposal } = await backends.call('proposals', (c) => c.getProposal.bind(c), { proposalId, revision: 0 }, token);
      const { form, itemCode } = formFromContent(proposal?.content ?? ({} as never));
      return {
        title: `${ctx.t('common.edit')}: ${proposal?.content?.title ?? proposalId}`,
        section: 'proposals',
        body: await editor(ctx, token, {
          action: `/proposals/${encodeURIComponent(proposalId)}/edit`,
          itemCode,
          form,
          expectedRevision: proposal?.currentRevision || proposal?.revision || 1,
          estimate: true,
        }),
      };
    }),
  );

  app.post(
    '/proposals/:proposalId/edit',
    guarded(async (req, ctx, token) => {
      const proposalId = (req.params as { proposalId: string }).proposalId;
      const body = (req.body ?? {}) as FormBody;
      const form = formFromBody(body);
      const itemCode = formValue(body, 'item');
      const expectedRevision = Number(formValue(body, 'expectedRevision')) || 0;
      const action = `/proposals/${encodeURIComponent(proposalId)}/edit`;
      const title = ctx.t('work.editProposal');
      if (formValue(body, 'action') === 'estimate')
        return { title, section: 'proposals', body: await editor(ctx, token, { action, itemCode, form, expectedRevision, estimate: true }) };
      const base = await baseOf(itemCode, token);
      try {
        if (!base) throw new Error('no base item');
        await backends.change('proposals', (c) => c.updateDraft.bind(c), { proposalId, expectedRevision, content: contentFromForm(form, base) }, token);
        return { redirect: `/proposals/${encodeURIComponent(proposalId)}?saved=1` };
      } catch (e) {
        const r = refusalBox(ctx, e);
        return { title, section: 'proposals', status: r.status, body: await editor(ctx, token, { action, itemCode, form, expectedRevision, error: r.box }) };
      }
    }),
  );

  app.post(
    '/proposals/:proposalId/submit',
    guarded(async (req, ctx, token) => {
      const proposalId = (req.params as { proposalId: string }).proposalId;
      const expectedRevision = Number(formValue((req.body ?? {}) as FormBody, 'expectedRevision')) || 0;
      return changeOrRefuse(
        ctx,
        () => backends.change('proposals', (c) => c.submitProposal.bind(c), { proposalId, expectedRevision }, token),
        () => `/proposals/${encodeURIComponent(proposalId)}?submitted=1`,
        (box, status) => showProposal(ctx, token, proposalId, box, status),
      );
    }),
  );

  app.post(
    '/proposals/:proposalId/withdraw',
    guarded(async (req, ctx, token) => {
      const proposalId = (req.params as { proposalId: string }).proposalId;
      return changeOrRefuse(
        ctx,
        () => backends.change('proposals', (c) => c.withdrawProposal.bind(c), { proposalId, reason: formValue((req.body ?? {}) as FormBody, 'reason') }, token),
        () => `/proposals/${encodeURIComponent(proposalId)}`,
        (box, status) => showProposal(ctx, token, proposalId, box, status),
      );
    }),
  );

  // ---- inbox --------------------------------------------------------------------------------------------------
  app.get(
    '/inbox',
    guarded(async (req, ctx, token) => {
      const q = req.query as Query;
      const f: InboxFilters = {
        field: q['field'] ?? '',
        kind: q['kind'] ?? '',
        cycle: q['cycle'] ?? '',
        overdue: q['overdue'] === '1',
        sort: q['sort'] === '-due' ? '-due' : 'due',
      };
      const res = await backends.call(
        'approvals',
        (c) => c.listMyOpenSteps.bind(c),
        { fieldCode: f.field, kind: f.kind, cycleId: f.cycle, dueBefore: undefined, overdueOnly: f.overdue },
        token,
      );
      return { title: ctx.t('common.navInbox'), section: 'inbox', body: inboxPage(ctx, res.items, f) };
    }),
  );

  const showApproval = async (ctx: PageContext, token: string, proposalId: string, flash?: Html, status?: number) => {
    const [{ approval }, proposal] = await Promise.all([
      backends.call('approvals', (c) => c.getApproval.bind(c), { proposalId }, token),
      backends
        .call('proposals', (c) => c.getProposal.bind(c), { proposalId, revision: 0 }, token)
        .then(
          (r) => r.proposal,
          () => undefined,
        ),
    ]);
    if (!approval) throw new Error('approval missing from response');
    const bases = new Map<string, ItemVersion>();
    await Promise.all(
      (proposal?.content?.changes ?? []).map(async (ch) => {
        const base = ch.change?.$case === 'modifyItem' ? ch.change.modifyItem.base : undefined;
        if (!base) return;
        const history = await backends
          .call('registry', (c) => c.getItemHistory.bind(c), { itemCode: base.itemCode, includeCorrections: false }, token)
          .catch(() => undefined);
        const v = history?.versions.find((x) => x.version === base.version);
        if (v) bases.set(base.itemCode, v);
      }),
    );
    return {
      title: approval.proposal?.title || proposalId,
      section: 'inbox',
      ...(status ? { status } : {}),
      body: approvalPage(ctx, approval, { ...(proposal ? { proposal } : {}), bases, ...(flash ? { flash } : {}) }),
    };
  };

  app.get(
    '/inbox/:proposalId',
    guarded(async (req, ctx, token) => {
      const q = req.query as Query;
      return showApproval(ctx, token, (req.params as { proposalId: string }).proposalId, q['done'] ? alertBox('ok', ctx.t('work.done')) : undefined);
    }),
  );

  const stepAction = (action: 'sign' | 'claim' | 'release' | 'delegate' | 'overrule') =>
    guarded(async (req: FastifyRequest, ctx, token) => {
      const { proposalId, stepId } = req.params as { proposalId: string; stepId: string };
      const body = (req.body ?? {}) as FormBody;
      return changeOrRefuse(
        ctx,
        async () => {
          if (action === 'sign')
            await backends.change(
              'approvals',
              (c) => c.signOff.bind(c),
              { proposalId, stepId, position: positionFromJSON(formValue(body, 'position')), comment: formValue(body, 'comment') },
              token,
            );
          if (action === 'claim') await backends.change('approvals', (c) => c.claimStep.bind(c), { proposalId, stepId }, token);
          if (action === 'release') await backends.change('approvals', (c) => c.releaseStep.bind(c), { proposalId, stepId }, token);
          if (action === 'delegate')
            await backends.change('approvals', (c) => c.delegateStep.bind(c), { proposalId, stepId, delegate: formValue(body, 'delegate') }, token);
          if (action === 'overrule')
            await backends.change('approvals', (c) => c.overruleObjection.bind(c), { proposalId, stepId, comment: formValue(body, 'comment') }, token);
        },
        () => `/inbox/${encodeURIComponent(proposalId)}?done=${action}`,
        (box, status) => showApproval(ctx, token, proposalId, box, status),
      );
    });
  for (const action of ['sign', 'claim', 'release', 'delegate', 'overrule'] as const)
    app.post(`/inbox/:proposalId/steps/:stepId/${action}`, stepAction(action));
}
