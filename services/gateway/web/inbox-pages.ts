// Approvers' inbox: open steps with filters and due-date sorting, and the step page (proposal diff, fiscal totals
// by level of government, conflicts, what the step still needs, history, and the actions).
import { positionToJSON } from '../../../proto/gen/bps/approvals/v1/events';
import type { ApprovalView, InboxItem, StepView } from '../../../proto/gen/bps/approvals/v1/inbox';
import type { ItemVersion } from '../../../proto/gen/bps/registry/v1/registry';
import type { Proposal } from '../../../proto/gen/bps/proposals/v1/proposal';
import { html, qs, type Html } from './html';
import { codesOf } from './i18n';
import { alertBox, labelIn, type PageContext } from './layout';
import { formatFen } from './proposal-form';
import { metricText } from './standards-pages';

const when = (d: Date | undefined): string => (d ? d.toISOString().slice(0, 16).replace('T', ' ') : '');

export function stepBadges(ctx: PageContext, item: { overdue?: boolean; escalation?: boolean; step?: StepView }): Html {
  return html`${item.overdue ? html` <span class="badge badge-bad" data-badge="overdue">${ctx.t('inbox.overdue')}</span>` : ''}${item.escalation || item.step?.escalated ? html` <span class="badge badge-warn" data-badge="escalated">${ctx.t('inbox.escalated')}</span>` : ''}`;
}

export type InboxFilters = { field: string; kind: string; cycle: string; overdue: boolean; sort: 'due' | '-due' };

export function sortInbox(items: readonly InboxItem[], sort: 'due' | '-due'): InboxItem[] {
  const due = (i: InboxItem): number => i.step?.dueAt?.getTime() ?? Number.MAX_SAFE_INTEGER;
  return [...items].sort((a, b) => (sort === 'due' ? due(a) - due(b) : due(b) - due(a)));
}

export function inboxPage(ctx: PageContext, items: readonly InboxItem[], f: InboxFilters): Html {
  const sorted = sortInbox(items, f.sort);
  return html`
<form method="get" action="/inbox" class="filters" role="search">
  <label for="field">${ctx.t('common.field')}</label><input type="text" id="field" name="field" value="${f.field}" size="10">
  <label for="kind">${ctx.t('common.kind')}</label><select id="kind" name="kind"><option value="">${ctx.t('common.all')}</option>
    <option value="AD_HOC"${f.kind === 'AD_HOC' ? html` selected` : ''}>${ctx.t('inbox.adHoc')}</option><option value="UNIFIED"${f.kind === 'UNIFIED' ? html` selected` : ''}>${ctx.t('inbox.unified')}</option></select>
  <label for="cycle">${ctx.t('common.revisionCycleShort')}</label><input type="text" id="cycle" name="cycle" value="${f.cycle}" size="10">
  <label><input type="checkbox" name="overdue" value="1"${f.overdue ? html` checked` : ''}> ${ctx.t('inbox.overdueOnly')}</label>
  <label for="sort">${ctx.t('inbox.sort')}</label><select id="sort" name="sort"><option value="due">${ctx.t('inbox.dueDateSoonest')}</option><option value="-due"${f.sort === '-due' ? html` selected` : ''}>${ctx.t('inbox.dueDateLatest')}</option></select>
  <button type="submit">${ctx.t('common.filter')}</button>
</form>
${
  sorted.length === 0
    ? alertBox('info', ctx.t('inbox.nothingToSign'))
    : html`<div class="table-wrap"><table data-testid="inbox">
  <thead><tr><th scope="col">${ctx.t('common.proposal')}</th><th scope="col">${ctx.t('inbox.step')}</th><th scope="col">${ctx.t('inbox.due')}</th><th scope="col">${ctx.t('inbox.stillNeeds')}</th><th scope="col">${ctx.t('inbox.totalCny')}</th></tr></thead>
  <tbody>${sorted.map(
    (i) => html`<tr data-proposal="${i.proposal?.proposalId ?? ''}" data-step="${i.step?.stepId ?? ''}">
    <td><a href="/inbox/${encodeURIComponent(i.proposal?.proposalId ?? '')}">${i.proposal?.title}</a><br><span class="muted">${i.proposal?.leadMinistry} · ${i.proposal?.fieldCodes.join('、')} · ${i.proposal?.kind}</span></td>
    <td>${i.step?.stageName} · ${i.step?.label}${stepBadges(ctx, i)}${i.step?.claimedBy ? html`<br><span class="muted">${ctx.t('inbox.claimedBy')} ${i.step.claimedBy}</span>` : ''}</td>
    <td>${when(i.step?.dueAt)}</td><td>${i.needs.join('；')}</td><td>${formatFen(i.proposal?.fiscalTotals?.totalFen)}</td>
  </tr>`,
  )}</tbody></table></div>`
}`;
}

export function roundsSection(ctx: PageContext, a: ApprovalView): Html {
  return html`<section aria-labelledby="rounds" data-testid="rounds"><h2 id="rounds">${ctx.t('inbox.reviewRounds')} · ${labelIn(ctx, 'inbox.statusLabel', a.status)}</h2>
  ${a.needs.length > 0 ? html`<p data-testid="needs">${ctx.t('inbox.stillNeeds')}: ${a.needs.join('；')}</p>` : ''}
  ${a.rounds.map(
    (
      r,
    ) => html`<h3>${ctx.t('inbox.round', { round: r.round })} (r${r.proposalRevision})${r.outcome ? html` · ${labelIn(ctx, 'inbox.statusLabel', r.outcome)}` : ''}</h3>
  <ol class="timeline">${r.steps.map(
    (s) => html`<li data-step="${s.stepId}">
    <strong>${s.stageName} · ${s.label}</strong> <span class="muted">(${s.organisation}${s.mustConcur ? ctx.t('inbox.mustConcur') : ''})</span>${stepBadges(ctx, { step: s })}
    ${
      s.position
        ? html`<br><span class="badge">${labelIn(ctx, 'inbox.positionLabel', positionToJSON(s.position))}</span> ${s.signedBy} ${when(s.signedAt)}${s.comment ? html` — ${s.comment}` : ''}${s.overruledBy ? html` <span class="muted">(${ctx.t('inbox.overruledBy')} ${s.overruledBy})</span>` : ''}`
        : html`<br><span class="muted">${s.open ? ctx.t('inbox.open') : ctx.t('inbox.notOpen')}${s.dueAt ? ` · ${ctx.t('inbox.dueInline')} ${when(s.dueAt)}` : ''}${s.claimedBy ? ` · ${ctx.t('inbox.claimedBy')} ${s.claimedBy}` : ''}${s.delegatedTo ? ` · ${ctx.t('inbox.delegatedTo')} ${s.delegatedTo}` : ''}</span>`
    }
  </li>`,
  )}</ol>`,
  )}
</section>`;
}

function stepActions(ctx: PageContext, proposalId: string, s: StepView, single: boolean): Html {
  const base = `/inbox/${encodeURIComponent(proposalId)}/steps/${encodeURIComponent(s.stepId)}`;
  const positions = single ? ['POSITION_APPROVE', 'POSITION_RETURN_FOR_REVISION', 'POSITION_REJECT'] : codesOf('inbox.positionLabel');
  return html`<fieldset data-testid="step-${s.stepId}"><legend>${s.stageName} · ${s.label} (${s.organisation})${stepBadges(ctx, { step: s })}</legend>
  <form method="post" action="${base}/sign" class="actions">
    <label for="position-${s.stepId}">${ctx.t('inbox.position')}</label>
    <select id="position-${s.stepId}" name="position">${positions.map((p) => html`<option value="${p}">${labelIn(ctx, 'inbox.positionLabel', p)}</option>`)}</select>
    <label for="comment-${s.stepId}">${ctx.t('inbox.comment')}</label>
    <input type="text" id="comment-${s.stepId}" name="comment" size="40">
    <button type="submit" class="primary" data-action="sign">${ctx.t('inbox.sign')}</button>
  </form>
  <div class="actions">
    <form method="post" action="${base}/claim" class="inline"><button type="submit" data-action="claim">${ctx.t('inbox.claim')}</button></form>
    <form method="post" action="${base}/release" class="inline"><button type="submit" data-action="release">${ctx.t('inbox.release')}</button></form>
    <form method="post" action="${base}/delegate" class="inline"><label for="delegate-${s.stepId}">${ctx.t('inbox.delegateTo')}</label> <input type="text" id="delegate-${s.stepId}" name="delegate" size="16" required> <button type="submit" data-action="delegate">${ctx.t('inbox.delegate')}</button></form>
    ${positionToJSON(s.position) === 'POSITION_OBJECT' ? html`<form method="post" action="${base}/overrule" class="inline"><label for="overrule-${s.stepId}">${ctx.t('inbox.overruleComment')}</label> <input type="text" id="overrule-${s.stepId}" name="comment" required> <button type="submit" data-action="overrule">${ctx.t('inbox.overrule')}</button></form>` : ''}
  </div></fieldset>`;
}

export function approvalPage(ctx: PageContext, a: ApprovalView, extra: { proposal?: Proposal; bases: ReadonlyMap<string, ItemVersion>; flash?: Html }): Html {
  const p = a.proposal;
  const openSteps = a.rounds.at(-1)?.steps.filter((s) => s.open) ?? [];
  const t = p?.fiscalTotals;
  return html`
${extra.flash ?? ''}
<p class="summary">${labelIn(ctx, 'inbox.statusLabel', a.status)} · <a href="/proposals/${encodeURIComponent(p?.proposalId ?? '')}">${p?.proposalId}</a> r${p?.proposalRevision} · ${p?.leadMinistry} · ${ctx.t('inbox.effective')} ${p?.effectiveFrom}</p>
${p && p.conflictsWith.length > 0 ? alertBox('error', ctx.t('inbox.conflicts'), p.conflictsWith) : ''}
<section aria-labelledby="diff"><h2 id="diff">${ctx.t('inbox.whatChanges')}</h2>
<div class="table-wrap"><table data-testid="proposal-diff"><thead><tr><th scope="col">${ctx.t('common.item')}</th><th scope="col">${ctx.t('common.before')}</th><th scope="col">${ctx.t('common.after')}</th></tr></thead><tbody>
${(extra.proposal?.content?.changes ?? []).map((ch) => {
  const x = ch.change;
  if (x?.$case !== 'modifyItem') return html`<tr><td>${ch.changeId}</td><td colspan="2">${x?.$case ?? ''}</td></tr>`;
  const code = x.modifyItem.base?.itemCode ?? '';
  const before = extra.bases.get(code)?.item?.qualityStandard?.metrics ?? [];
  return html`<tr><td>${code} ${x.modifyItem.item?.name}</td><td><del>${before.map((m) => metricText(ctx.lang, m)).join('；') || '—'}</del></td><td><ins>${(x.modifyItem.item?.qualityStandard?.metrics ?? []).map((m) => metricText(ctx.lang, m)).join('；')}</ins></td></tr>`;
})}</tbody></table></div></section>
<section aria-labelledby="totals"><h2 id="totals">${ctx.t('inbox.fiscalTotalsByLevel')}</h2>
<table data-testid="fiscal-totals"><tbody><tr><th scope="row">${ctx.t('inbox.central')}</th><td>${formatFen(t?.centralFen)}</td></tr><tr><th scope="row">${ctx.t('inbox.local')}</th><td>${formatFen(t?.localFen)}</td></tr><tr><th scope="row">${ctx.t('inbox.total')}</th><td>${formatFen(t?.totalFen)}</td></tr></tbody></table></section>
<section aria-labelledby="act"><h2 id="act">${ctx.t('inbox.act')}</h2>
${openSteps.length === 0 ? html`<p>${ctx.t('inbox.noOpenStep')}</p>` : openSteps.map((s) => stepActions(ctx, p?.proposalId ?? '', s, s.stageId === 'final'))}
</section>
${roundsSection(ctx, a)}
<p><a href="/inbox${qs({})}">${ctx.t('inbox.backToInbox')}</a></p>`;
}
