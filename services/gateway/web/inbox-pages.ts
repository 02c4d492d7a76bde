// Approvers' inbox: open steps with filters and due-date sorting, and the step page (proposal diff, fiscal totals
// by level of government, conflicts, what the step still needs, history, and the actions).
import { positionToJSON } from '../../../proto/gen/bps/approvals/v1/events';
import type { ApprovalView, InboxItem, StepView } from '../../../proto/gen/bps/approvals/v1/inbox';
import type { ItemVersion } from '../../../proto/gen/bps/registry/v1/registry';
import type { Proposal } from '../../../proto/gen/bps/proposals/v1/proposal';
import { html, qs, type Html } from './html';
import { alertBox, L, labelIn, type PageContext } from './layout';
import { formatFen } from './proposal-form';
import { metricText } from './standards-pages';

const positionLabels: Record<string, [string, string]> = {
  POSITION_APPROVE: ['同意', 'Approve'],
  POSITION_NO_OBJECTION: ['无异议', 'No objection'],
  POSITION_OBJECT: ['有异议', 'Object'],
  POSITION_ABSTAIN: ['弃权', 'Abstain'],
  POSITION_REJECT: ['不同意（否决）', 'Reject'],
  POSITION_RETURN_FOR_REVISION: ['退回修改', 'Return for revision'],
};
const statusLabels: Record<string, [string, string]> = {
  in_progress: ['审批中', 'In progress'],
  awaiting_resubmission: ['待重新提交', 'Awaiting resubmission'],
  approved: ['已批准', 'Approved'],
  rejected: ['未通过', 'Rejected'],
  withdrawn: ['已撤回', 'Withdrawn'],
};

const when = (d: Date | undefined): string => (d ? d.toISOString().slice(0, 16).replace('T', ' ') : '');

export function stepBadges(ctx: PageContext, item: { overdue?: boolean; escalation?: boolean; step?: StepView }): Html {
  return html`${item.overdue ? html` <span class="badge badge-bad" data-badge="overdue">${L(ctx, '已逾期', 'Overdue')}</span>` : ''}${item.escalation || item.step?.escalated ? html` <span class="badge badge-warn" data-badge="escalated">${L(ctx, '已升级', 'Escalated')}</span>` : ''}`;
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
  <label for="field">${L(ctx, '领域', 'Field')}</label><input type="text" id="field" name="field" value="${f.field}" size="10">
  <label for="kind">${L(ctx, '类型', 'Kind')}</label><select id="kind" name="kind"><option value="">${L(ctx, '全部', 'All')}</option>
    <option value="AD_HOC"${f.kind === 'AD_HOC' ? html` selected` : ''}>${L(ctx, '动态调整', 'Ad hoc')}</option><option value="UNIFIED"${f.kind === 'UNIFIED' ? html` selected` : ''}>${L(ctx, '集中统一调整', 'Unified')}</option></select>
  <label for="cycle">${L(ctx, '修订周期', 'Cycle')}</label><input type="text" id="cycle" name="cycle" value="${f.cycle}" size="10">
  <label><input type="checkbox" name="overdue" value="1"${f.overdue ? html` checked` : ''}> ${L(ctx, '仅逾期', 'Overdue only')}</label>
  <label for="sort">${L(ctx, '排序', 'Sort')}</label><select id="sort" name="sort"><option value="due">${L(ctx, '截止日期（最早）', 'Due date (soonest)')}</option><option value="-due"${f.sort === '-due' ? html` selected` : ''}>${L(ctx, '截止日期（最晚）', 'Due date (latest)')}</option></select>
  <button type="submit">${L(ctx, '筛选', 'Filter')}</button>
</form>
${
  sorted.length === 0
    ? alertBox('info', L(ctx, '没有待办审批。', 'Nothing to sign.'))
    : html`<div class="table-wrap"><table data-testid="inbox">
  <thead><tr><th scope="col">${L(ctx, '调整方案', 'Proposal')}</th><th scope="col">${L(ctx, '环节', 'Step')}</th><th scope="col">${L(ctx, '截止', 'Due')}</th><th scope="col">${L(ctx, '尚需', 'Still needs')}</th><th scope="col">${L(ctx, '经费合计（元）', 'Total (CNY)')}</th></tr></thead>
  <tbody>${sorted.map(
    (i) => html`<tr data-proposal="${i.proposal?.proposalId ?? ''}" data-step="${i.step?.stepId ?? ''}">
    <td><a href="/inbox/${encodeURIComponent(i.proposal?.proposalId ?? '')}">${i.proposal?.title}</a><br><span class="muted">${i.proposal?.leadMinistry} · ${i.proposal?.fieldCodes.join('、')} · ${i.proposal?.kind}</span></td>
    <td>${i.step?.stageName} · ${i.step?.label}${stepBadges(ctx, i)}${i.step?.claimedBy ? html`<br><span class="muted">${L(ctx, '已认领', 'claimed by')} ${i.step.claimedBy}</span>` : ''}</td>
    <td>${when(i.step?.dueAt)}</td><td>${i.needs.join('；')}</td><td>${formatFen(i.proposal?.fiscalTotals?.totalFen)}</td>
  </tr>`,
  )}</tbody></table></div>`
}`;
}

export function roundsSection(ctx: PageContext, a: ApprovalView): Html {
  return html`<section aria-labelledby="rounds" data-testid="rounds"><h2 id="rounds">${L(ctx, '审批过程', 'Review rounds')} · ${labelIn(ctx, statusLabels, a.status)}</h2>
  ${a.needs.length > 0 ? html`<p data-testid="needs">${L(ctx, '尚需', 'Still needs')}: ${a.needs.join('；')}</p>` : ''}
  ${a.rounds.map(
    (
      r,
    ) => html`<h3>${L(ctx, '第', 'Round ')}${r.round}${L(ctx, '轮', '')} (r${r.proposalRevision})${r.outcome ? html` · ${labelIn(ctx, statusLabels, r.outcome)}` : ''}</h3>
  <ol class="timeline">${r.steps.map(
    (s) => html`<li data-step="${s.stepId}">
    <strong>${s.stageName} · ${s.label}</strong> <span class="muted">(${s.organisation}${s.mustConcur ? L(ctx, '，须同意', ', must concur') : ''})</span>${stepBadges(ctx, { step: s })}
    ${
      s.position
        ? html`<br><span class="badge">${labelIn(ctx, positionLabels, positionToJSON(s.position))}</span> ${s.signedBy} ${when(s.signedAt)}${s.comment ? html` — ${s.comment}` : ''}${s.overruledBy ? html` <span class="muted">(${L(ctx, '异议已被否决', 'overruled by')} ${s.overruledBy})</span>` : ''}`
        : html`<br><span class="muted">${s.open ? L(ctx, '待签署', 'Open') : L(ctx, '未开始', 'Not open')}${s.dueAt ? ` · ${L(ctx, '截止', 'due')} ${when(s.dueAt)}` : ''}${s.claimedBy ? ` · ${L(ctx, '已认领', 'claimed by')} ${s.claimedBy}` : ''}${s.delegatedTo ? ` · ${L(ctx, '已委托', 'delegated to')} ${s.delegatedTo}` : ''}</span>`
    }
  </li>`,
  )}</ol>`,
  )}
</section>`;
}

function stepActions(ctx: PageContext, proposalId: string, s: StepView, single: boolean): Html {
  const base = `/inbox/${encodeURIComponent(proposalId)}/steps/${encodeURIComponent(s.stepId)}`;
  const positions = single ? ['POSITION_APPROVE', 'POSITION_RETURN_FOR_REVISION', 'POSITION_REJECT'] : Object.keys(positionLabels);
  return html`<fieldset data-testid="step-${s.stepId}"><legend>${s.stageName} · ${s.label} (${s.organisation})${stepBadges(ctx, { step: s })}</legend>
  <form method="post" action="${base}/sign" class="actions">
    <label for="position-${s.stepId}">${L(ctx, '意见', 'Position')}</label>
    <select id="position-${s.stepId}" name="position">${positions.map((p) => html`<option value="${p}">${labelIn(ctx, positionLabels, p)}</option>`)}</select>
    <label for="comment-${s.stepId}">${L(ctx, '说明', 'Comment')}</label>
    <input type="text" id="comment-${s.stepId}" name="comment" size="40">
    <button type="submit" class="primary" data-action="sign">${L(ctx, '签署', 'Sign')}</button>
  </form>
  <div class="actions">
    <form method="post" action="${base}/claim" class="inline"><button type="submit" data-action="claim">${L(ctx, '认领', 'Claim')}</button></form>
    <form method="post" action="${base}/release" class="inline"><button type="submit" data-action="release">${L(ctx, '释放', 'Release')}</button></form>
    <form method="post" action="${base}/delegate" class="inline"><label for="delegate-${s.stepId}">${L(ctx, '委托给', 'Delegate to')}</label> <input type="text" id="delegate-${s.stepId}" name="delegate" size="16" required> <button type="submit" data-action="delegate">${L(ctx, '委托', 'Delegate')}</button></form>
    ${positionToJSON(s.position) === 'POSITION_OBJECT' ? html`<form method="post" action="${base}/overrule" class="inline"><label for="overrule-${s.stepId}">${L(ctx, '否决异议说明', 'Overrule comment')}</label> <input type="text" id="overrule-${s.stepId}" name="comment" required> <button type="submit" data-action="overrule">${L(ctx, '否决异议', 'Overrule')}</button></form>` : ''}
  </div></fieldset>`;
}

export function approvalPage(ctx: PageContext, a: ApprovalView, extra: { proposal?: Proposal; bases: ReadonlyMap<string, ItemVersion>; flash?: Html }): Html {
  const p = a.proposal;
  const openSteps = a.rounds.at(-1)?.steps.filter((s) => s.open) ?? [];
  const t = p?.fiscalTotals;
  return html`
${extra.flash ?? ''}
<p class="summary">${labelIn(ctx, statusLabels, a.status)} · <a href="/proposals/${encodeURIComponent(p?.proposalId ?? '')}">${p?.proposalId}</a> r${p?.proposalRevision} · ${p?.leadMinistry} · ${L(ctx, '拟生效', 'effective')} ${p?.effectiveFrom}</p>
${p && p.conflictsWith.length > 0 ? alertBox('error', L(ctx, '与其他方案冲突', 'Conflicts'), p.conflictsWith) : ''}
<section aria-labelledby="diff"><h2 id="diff">${L(ctx, '调整内容（前后对比）', 'What changes')}</h2>
<div class="table-wrap"><table data-testid="proposal-diff"><thead><tr><th scope="col">${L(ctx, '服务项目', 'Item')}</th><th scope="col">${L(ctx, '调整前', 'Before')}</th><th scope="col">${L(ctx, '调整后', 'After')}</th></tr></thead><tbody>
${(extra.proposal?.content?.changes ?? []).map((ch) => {
  const x = ch.change;
  if (x?.$case !== 'modifyItem') return html`<tr><td>${ch.changeId}</td><td colspan="2">${x?.$case ?? ''}</td></tr>`;
  const code = x.modifyItem.base?.itemCode ?? '';
  const before = extra.bases.get(code)?.item?.qualityStandard?.metrics ?? [];
  return html`<tr><td>${code} ${x.modifyItem.item?.name}</td><td><del>${before.map((m) => metricText(ctx.lang, m)).join('；') || '—'}</del></td><td><ins>${(x.modifyItem.item?.qualityStandard?.metrics ?? []).map((m) => metricText(ctx.lang, m)).join('；')}</ins></td></tr>`;
})}</tbody></table></div></section>
<section aria-labelledby="totals"><h2 id="totals">${L(ctx, '经费合计（按政府层级）', 'Fiscal totals by level of government')}</h2>
<table data-testid="fiscal-totals"><tbody><tr><th scope="row">${L(ctx, '中央', 'Central')}</th><td>${formatFen(t?.centralFen)}</td></tr><tr><th scope="row">${L(ctx, '地方', 'Local')}</th><td>${formatFen(t?.localFen)}</td></tr><tr><th scope="row">${L(ctx, '合计', 'Total')}</th><td>${formatFen(t?.totalFen)}</td></tr></tbody></table></section>
<section aria-labelledby="act"><h2 id="act">${L(ctx, '签署', 'Act')}</h2>
${openSteps.length === 0 ? html`<p>${L(ctx, '当前没有待签署的环节。', 'No open step.')}</p>` : openSteps.map((s) => stepActions(ctx, p?.proposalId ?? '', s, s.stageId === 'final'))}
</section>
${roundsSection(ctx, a)}
<p><a href="/inbox${qs({})}">${L(ctx, '返回待办', 'Back to inbox')}</a></p>`;
}
