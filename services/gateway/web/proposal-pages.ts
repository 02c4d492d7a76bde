// Proposal pages for ministry staff: list, editor (with the fiscal estimate recomputed on request), and the
// proposal page (validation and conflicts inline, submit / withdraw, status and every review round).
import type { ApprovalView } from '../../../proto/gen/bps/approvals/v1/inbox';
import type { ServiceItem } from '../../../proto/gen/bps/common/v1/common';
import type { ItemVersion } from '../../../proto/gen/bps/registry/v1/registry';
import {
  adHocTriggerToJSON,
  proposalStateToJSON,
  type FiscalEstimate,
  type Proposal,
  type ProposalConflict,
} from '../../../proto/gen/bps/proposals/v1/proposal';
import type { SubmissionViolation } from '../../../proto/gen/bps/proposals/v1/proposals';
import { regionTierToJSON } from '../../../proto/gen/bps/common/v1/common';
import { formatDate } from '../http/dates';
import { html, qs, type Html } from './html';
import { enumLabel } from './i18n';
import { alertBox, L, mayUse, type PageContext } from './layout';
import { formatFen, tiers, triggers, type ProposalForm } from './proposal-form';
import { roundsSection } from './inbox-pages';
import { metricText } from './standards-pages';

const stateLabels: Record<string, [string, string, string]> = {
  PROPOSAL_STATE_DRAFT: ['草稿', 'Draft', ''],
  PROPOSAL_STATE_SUBMITTED: ['已提交', 'Submitted', 'badge-info'],
  PROPOSAL_STATE_IN_REVIEW: ['审批中', 'In review', 'badge-info'],
  PROPOSAL_STATE_RETURNED: ['退回修改', 'Returned', 'badge-warn'],
  PROPOSAL_STATE_APPROVED: ['已批准', 'Approved', 'badge-ok'],
  PROPOSAL_STATE_REJECTED: ['未通过', 'Rejected', 'badge-bad'],
  PROPOSAL_STATE_WITHDRAWN: ['已撤回', 'Withdrawn', 'badge-bad'],
};
const triggerLabels: Record<string, [string, string]> = {
  AD_HOC_TRIGGER_MAJOR_POLICY: ['重大政策出台', 'Major policy'],
  AD_HOC_TRIGGER_MID_TERM_EVALUATION: ['规划中期评估', 'Mid-term plan evaluation'],
  AD_HOC_TRIGGER_CENTRAL_DECISION: ['党中央、国务院决策部署', 'Central decision'],
};

export function stateBadge(ctx: PageContext, state: number): Html {
  const name = proposalStateToJSON(state);
  const l = stateLabels[name];
  return html`<span class="badge ${l?.[2] ?? ''}" data-state="${name}">${l ? (ctx.lang === 'en' ? l[1] : l[0]) : name}</span>`;
}

export const editable = (p: Proposal): boolean => ['PROPOSAL_STATE_DRAFT', 'PROPOSAL_STATE_RETURNED'].includes(proposalStateToJSON(p.state));

export function proposalsListPage(ctx: PageContext, proposals: readonly Proposal[], canDraft: boolean): Html {
  return html`
${canDraft ? html`<p><a class="button" href="/proposals/new" data-testid="new-proposal">${L(ctx, '新建调整方案', 'New proposal')}</a> <a href="/editions/import" data-testid="import-edition">${L(ctx, '导入标准版本', 'Import an edition')}</a></p>` : ''}
${
  proposals.length === 0
    ? alertBox('info', L(ctx, '没有调整方案。', 'No proposals.'))
    : html`<div class="table-wrap"><table data-testid="proposals">
  <thead><tr><th scope="col">${L(ctx, '方案', 'Proposal')}</th><th scope="col">${L(ctx, '状态', 'State')}</th><th scope="col">${L(ctx, '牵头部门', 'Lead ministry')}</th><th scope="col">${L(ctx, '服务项目', 'Items')}</th><th scope="col">${L(ctx, '修订', 'Revision')}</th><th scope="col">${L(ctx, '更新时间', 'Updated')}</th></tr></thead>
  <tbody>${proposals.map(
    (p) => html`<tr data-proposal="${p.proposalId}">
    <td><a href="/proposals/${encodeURIComponent(p.proposalId)}">${p.content?.title || p.proposalId}</a><br><span class="muted">${p.proposalId}</span>${commentsAwaiting(ctx, p)}</td>
    <td>${stateBadge(ctx, p.state)}${p.round ? html` <span class="muted">${L(ctx, '第', 'round ')}${p.round}${L(ctx, '轮', '')}</span>` : ''}</td>
    <td>${p.leadMinistry}</td><td>${p.itemCodes.join('、')}</td><td>r${p.currentRevision || p.revision}</td>
    <td>${p.updatedAt ? p.updatedAt.toISOString().slice(0, 16).replace('T', ' ') : ''}</td>
  </tr>`,
  )}</tbody></table></div>`
}`;
}

/** Issue #17: public comments received on the proposal's consultation that its lead ministry has not moderated yet. */
function commentsAwaiting(ctx: PageContext, p: Proposal): Html | string {
  if (p.commentsAwaitingModeration <= 0) return '';
  const link = ctx.identity?.organisation === p.leadMinistry && ctx.identity.roles.includes('ministry-staff');
  const text = L(ctx, `${p.commentsAwaitingModeration} 条公众意见待审核`, `${p.commentsAwaitingModeration} public comment(s) awaiting moderation`);
  return link
    ? html` <a class="badge badge-warn" data-testid="comments-awaiting" href="/proposals/${encodeURIComponent(p.proposalId)}/consultation">${text}</a>`
    : html` <span class="badge badge-warn" data-testid="comments-awaiting">${text}</span>`;
}

export function fiscalTable(ctx: PageContext, estimate: FiscalEstimate | undefined): Html {
  if (!estimate) return html``;
  return html`<section aria-labelledby="fiscal" data-testid="fiscal"><h2 id="fiscal">${L(ctx, '财政经费投入测算', 'Fiscal cost estimate')}</h2>
  ${estimate.problems.length > 0 ? alertBox('error', L(ctx, '测算问题', 'Estimate problems'), estimate.problems) : ''}
  <div class="table-wrap"><table>
    <thead><tr><th scope="col">${L(ctx, '服务项目', 'Item')}</th><th scope="col">${L(ctx, '指标', 'Metric')}</th><th scope="col">${L(ctx, '地区', 'Region')}</th><th scope="col">${L(ctx, '覆盖人口', 'Covered population')}</th><th scope="col">${L(ctx, '中央分担', 'Central share')}</th><th scope="col">${L(ctx, '年度经费（元）', 'Annual (CNY)')}</th><th scope="col">${L(ctx, '中央（元）', 'Central (CNY)')}</th><th scope="col">${L(ctx, '地方（元）', 'Local (CNY)')}</th></tr></thead>
    <tbody>${estimate.lines.map((l) =>
      l.tiers.map(
        (t, i) => html`<tr>
      ${i === 0 ? html`<td rowspan="${l.tiers.length}">${l.itemCode} ${l.itemName}${l.overridden ? html`<br><span class="badge badge-warn">${L(ctx, '人工调整', 'overridden')}: ${l.overrideReason}</span>` : ''}</td><td rowspan="${l.tiers.length}" data-testid="fiscal-level">${l.metric} ${l.unitLevel}${l.baseLevel ? html`<br><span class="muted">${L(ctx, `现行 ${l.baseLevel}，按增量 ${l.pricedLevel} 测算`, `in force ${l.baseLevel}; priced on the increase ${l.pricedLevel}`)}</span>` : ''}</td>` : ''}
      <td>${enumLabel(ctx.lang, regionTierToJSON(t.regionTier))}</td><td>${Number(t.coveredPopulation).toLocaleString('zh-CN')}</td><td>${t.centralSharePercent}%</td>
      <td class="num">${formatFen(t.annual?.fen)}</td><td class="num">${formatFen(t.central?.fen)}</td><td class="num">${formatFen(t.local?.fen)}</td>
    </tr>`,
      ),
    )}</tbody>
  </table></div>
  <div class="table-wrap"><table data-testid="fiscal-years">
    <thead><tr><th scope="col">${L(ctx, '年度', 'Year')}</th><th scope="col">${L(ctx, '合计（元）', 'Total (CNY)')}</th><th scope="col">${L(ctx, '中央（元）', 'Central (CNY)')}</th><th scope="col">${L(ctx, '地方（元）', 'Local (CNY)')}</th></tr></thead>
    <tbody>${estimate.years.map((y) => html`<tr><td>${y.year}</td><td>${formatFen(y.total?.fen)}</td><td>${formatFen(y.central?.fen)}</td><td>${formatFen(y.local?.fen)}</td></tr>`)}
    <tr><th scope="row">${L(ctx, '总计', 'Total')}</th><td data-testid="fiscal-total">${formatFen(estimate.total?.fen)}</td><td>${formatFen(estimate.centralTotal?.fen)}</td><td>${formatFen(estimate.localTotal?.fen)}</td></tr></tbody>
  </table></div>
  ${
    estimate.lines.some((l) => l.working.length > 0) || estimate.working.length > 0
      ? html`<details open data-testid="fiscal-working"><summary>${L(ctx, '测算过程', 'Working')}</summary><ol>${[...estimate.lines.flatMap((l) => l.working), ...estimate.working].map((w) => html`<li>${w}</li>`)}</ol></details>`
      : ''
  }</section>`;
}

function conflictsBox(ctx: PageContext, conflicts: readonly ProposalConflict[]): Html {
  if (conflicts.length === 0) return html``;
  return alertBox(
    'error',
    L(ctx, '与其他方案冲突', 'Conflicts with other proposals'),
    conflicts.map((c) => html`<a href="/proposals/${encodeURIComponent(c.proposalId)}">${c.proposalId}</a>: ${c.itemCodes.join('、')}`),
  );
}

const field = (id: string, label: string, control: Html): Html => html`<label for="${id}">${label}</label>${control}`;

export function proposalEditorPage(
  ctx: PageContext,
  model: {
    action: string;
    items: readonly ItemVersion[];
    itemCode: string;
    base: { item: ServiceItem; version: number } | undefined;
    form: ProposalForm;
    estimate?: FiscalEstimate;
    error?: Html;
    expectedRevision?: number;
  },
): Html {
  const { form, base } = model;
  const v = (k: string): string => form[k] ?? '';
  const text = (k: string, label: string, required = false) =>
    field(k, label, html`<input type="text" id="${k}" name="${k}" value="${v(k)}"${required ? html` required` : ''}>`);
  const area = (k: string, label: string, rows = 2) => field(k, label, html`<textarea id="${k}" name="${k}" rows="${rows}">${v(k)}</textarea>`);
  const docsHint = L(ctx, '每行一份：标题 | 链接 | SHA-256 摘要', 'One per line: title | URI | SHA-256 digest');
  return html`
${model.error ?? ''}
<form method="get" action="${model.action}" class="filters">
  <label for="item-pick">${L(ctx, '本部门牵头的服务项目', 'Items your ministry leads')}</label>
  <select id="item-pick" name="item">${model.items.map((i) => html`<option value="${i.item?.itemCode ?? ''}"${i.item?.itemCode === model.itemCode ? html` selected` : ''}>${i.item?.itemCode} ${i.item?.name}</option>`)}</select>
  <button type="submit">${L(ctx, '选用此项目', 'Start from this item')}</button>
</form>
${
  !base
    ? alertBox('info', L(ctx, '请选择一个服务项目。', 'Choose an item.'))
    : html`
<form method="post" action="${model.action}" data-testid="proposal-form">
  <input type="hidden" name="item" value="${base.item.itemCode}">
  ${model.expectedRevision ? html`<input type="hidden" name="expectedRevision" value="${model.expectedRevision}">` : ''}
  <fieldset><legend>${L(ctx, '方案', 'Proposal')}</legend><div class="grid-form">
    ${text('title', L(ctx, '方案名称', 'Title'), true)}
    ${field('trigger', L(ctx, '调整依据', 'Trigger'), html`<select id="trigger" name="trigger">${triggers.map((t) => html`<option value="${t}"${v('trigger') === t ? html` selected` : ''}>${ctx.lang === 'en' ? triggerLabels[t]?.[1] : triggerLabels[t]?.[0]}</option>`)}</select>`)}
    ${text('triggerDocTitle', L(ctx, '依据文件标题', 'Trigger document title'))}
    ${text('triggerDocUri', L(ctx, '依据文件链接', 'Trigger document URI'))}
    ${text('triggerDocDigest', L(ctx, '依据文件 SHA-256', 'Trigger document SHA-256'))}
    ${field('effectiveFrom', L(ctx, '拟生效日期', 'Effective from'), html`<input type="date" id="effectiveFrom" name="effectiveFrom" value="${v('effectiveFrom')}" required>`)}
  </div></fieldset>
  <fieldset data-testid="change"><legend>${L(ctx, '调整内容', 'Change')}: ${base.item.itemCode} ${base.item.name} (v${base.version})</legend><div class="grid-form">
    ${area('qualityText', L(ctx, '服务标准（文本）', 'Quality standard (text)'), 3)}
    ${(base.item.qualityStandard?.metrics ?? []).map((m) =>
      field(
        `metric:${m.metric}`,
        `${m.label || m.metric}（${L(ctx, '现行', 'now')}: ${metricText(ctx.lang, m)}）`,
        html`<input type="text" inputmode="decimal" id="metric:${m.metric}" name="metric:${m.metric}" value="${v(`metric:${m.metric}`) || m.value}" data-metric="${m.metric}">`,
      ),
    )}
    ${
      (base.item.qualityStandard?.metrics ?? []).some((m) => m.metric === v('newMetric'))
        ? ''
        : html`<span class="muted">${L(ctx, '新增指标（现行版本未明确）', 'New metric (not stated by the current version)')}</span><span></span>
    ${text('newMetric', L(ctx, '指标标识', 'Metric id'))}
    ${text('newMetricLabel', L(ctx, '指标名称', 'Metric label'))}
    ${field('newMetricComparator', L(ctx, '比较', 'Comparator'), html`<select id="newMetricComparator" name="newMetricComparator">${['GTE', 'LTE', 'EQ'].map((c) => html`<option value="${c}"${v('newMetricComparator') === c ? html` selected` : ''}>${enumLabel(ctx.lang, `COMPARATOR_${c}`)}</option>`)}</select>`)}
    ${text('newMetricValue', L(ctx, '数值', 'Value'))}
    ${text('newMetricUnit', L(ctx, '单位（如 CNY、percent）', 'Unit (e.g. CNY, percent)'))}
    ${text('newMetricBasis', L(ctx, '计量基础（如 per_person_per_year）', 'Basis (e.g. per_person_per_year)'))}`
    }
    ${field('lowersFloor', L(ctx, '降低国家标准', 'Lowers the national floor'), html`<input type="checkbox" id="lowersFloor" name="lowersFloor"${v('lowersFloor') === 'on' ? html` checked` : ''}>`)}
    ${area('loweringJustification', L(ctx, '降低理由', 'Why lower it'))}
  </div></fieldset>
  <fieldset><legend>${L(ctx, '调整理由（五个因素）', 'Justification (five factors)')}</legend><div class="grid-form">
    ${area('jEconomic', L(ctx, '经济社会发展水平', 'Economic and social development'))}
    ${area('jIncome', L(ctx, '城乡居民收入增长', 'Urban and rural income growth'))}
    ${area('jSector', L(ctx, '行业实际需要', 'Sector needs'))}
    ${area('jFiscal', L(ctx, '财政承受能力', 'Fiscal capacity'))}
    ${area('jTechnical', L(ctx, '重大技术创新', 'Technical innovation'))}
    ${area('surveySummary', L(ctx, '公众需求调查（摘要）', 'Public demand survey (summary)'))}
    ${field('surveyDocs', `${L(ctx, '需求调查文件', 'Survey documents')} — ${docsHint}`, html`<textarea id="surveyDocs" name="surveyDocs" rows="2">${v('surveyDocs')}</textarea>`)}
    ${area('evaluationSummary', L(ctx, '评价评估结论（摘要）', 'Evaluation (summary)'))}
    ${field('evaluationDocs', `${L(ctx, '评估文件', 'Evaluation documents')} — ${docsHint}`, html`<textarea id="evaluationDocs" name="evaluationDocs" rows="2">${v('evaluationDocs')}</textarea>`)}
    ${field('evidence', `${L(ctx, '其他证据', 'Other evidence')} — ${docsHint}`, html`<textarea id="evidence" name="evidence" rows="3">${v('evidence')}</textarea>`)}
  </div></fieldset>
  <fieldset><legend>${L(ctx, '财政经费投入测算', 'Fiscal cost estimate')}</legend><div class="grid-form">
    ${field('years', L(ctx, '测算年数', 'Years'), html`<input type="number" min="1" max="10" id="years" name="years" value="${v('years') || '3'}">`)}
    ${tiers.map(
      (
        t,
      ) => html`${field(`pop${t.key}`, `${enumLabel(ctx.lang, `REGION_TIER_${t.key}`)} · ${L(ctx, '覆盖人口', 'covered population')}`, html`<input type="text" inputmode="numeric" id="pop${t.key}" name="pop${t.key}" value="${v(`pop${t.key}`)}">`)}
      ${field(`share${t.key}`, `${enumLabel(ctx.lang, `REGION_TIER_${t.key}`)} · ${L(ctx, '中央分担比例（%）', 'central share (%)')}`, html`<input type="text" inputmode="decimal" id="share${t.key}" name="share${t.key}" value="${v(`share${t.key}`)}">`)}`,
    )}
    ${area('affordability', L(ctx, '财政承受能力评估', 'Affordability assessment'))}
  </div></fieldset>
  <div class="actions">
    <button type="submit" name="action" value="estimate" data-testid="recalculate">${L(ctx, '重新测算', 'Recalculate estimate')}</button>
    <button type="submit" name="action" value="save" class="primary" data-testid="save">${L(ctx, '保存草稿', 'Save draft')}</button>
  </div>
</form>
${fiscalTable(ctx, model.estimate)}`
}`;
}

export function violationsBox(ctx: PageContext, violations: readonly SubmissionViolation[]): Html {
  if (violations.length === 0) return alertBox('ok', L(ctx, '校验通过，可以提交。', 'Valid: ready to submit.'));
  return html`<div data-testid="violations">${alertBox(
    'error',
    L(ctx, '提交前需要解决：', 'Fix before submitting:'),
    violations.map((v) => `${v.subject ? `${v.subject}: ` : ''}${v.description}`),
  )}</div>`;
}

export function proposalPage(
  ctx: PageContext,
  p: Proposal,
  extra: {
    validation?: { violations: readonly SubmissionViolation[]; conflicts: readonly ProposalConflict[]; estimate?: FiscalEstimate };
    approval?: ApprovalView;
    flash?: Html;
  },
): Html {
  const c = p.content;
  const own = ctx.identity?.subject === p.draftedBy?.subject;
  const revision = p.currentRevision || p.revision;
  return html`
${extra.flash ?? ''}
<p class="summary">${stateBadge(ctx, p.state)} · <span data-testid="proposal-id">${p.proposalId}</span> · r${revision}${p.round ? html` · ${L(ctx, '第', 'round ')}${p.round}${L(ctx, '轮审批', '')}` : ''} · ${L(ctx, '牵头部门', 'lead ministry')} ${p.leadMinistry} · ${L(ctx, '起草人', 'drafted by')} ${p.draftedBy?.subject ?? ''}</p>
${p.lastDecisionComment ? alertBox('info', L(ctx, '最近审批意见', 'Latest decision'), [p.lastDecisionComment]) : ''}
${
  p.commentsAwaitingModeration > 0
    ? html`<div data-testid="comments-awaiting-box">${alertBox(
        'info',
        L(ctx, '公开征求意见：有新的公众意见待审核', 'Public consultation: new comments await moderation'),
        [
          html`${L(ctx, `共收到 ${p.consultationComments} 条意见，其中 ${p.commentsAwaitingModeration} 条待审核。`, `${p.consultationComments} comment(s) received, ${p.commentsAwaitingModeration} awaiting moderation.`)}${commentsAwaiting(ctx, p)}`,
        ],
      )}</div>`
    : ''
}
${extra.validation ? html`${violationsBox(ctx, extra.validation.violations)}${conflictsBox(ctx, extra.validation.conflicts)}` : conflictsBox(ctx, p.conflicts)}
<div class="actions">
  ${
    ctx.identity?.organisation === p.leadMinistry && ctx.identity.roles.includes('ministry-staff')
      ? html`<a href="/proposals/${encodeURIComponent(p.proposalId)}/consultation" data-testid="consultation-link">${L(ctx, '公开征求意见', 'Public consultation')}</a>`
      : ''
  }
  ${
    editable(p) && own
      ? html`<a href="/proposals/${encodeURIComponent(p.proposalId)}/edit">${L(ctx, '编辑', 'Edit')}</a>
  <form method="post" action="/proposals/${encodeURIComponent(p.proposalId)}/submit" class="inline"><input type="hidden" name="expectedRevision" value="${revision}"><button type="submit" class="primary" data-testid="submit">${L(ctx, '提交审批', 'Submit for approval')}</button></form>`
      : ''
  }
  ${
    own && !['PROPOSAL_STATE_APPROVED', 'PROPOSAL_STATE_REJECTED', 'PROPOSAL_STATE_WITHDRAWN'].includes(proposalStateToJSON(p.state))
      ? html`<form method="post" action="/proposals/${encodeURIComponent(p.proposalId)}/withdraw" class="inline">
    <label for="reason">${L(ctx, '撤回理由', 'Reason')}</label> <input type="text" id="reason" name="reason" required> <button type="submit" class="danger">${L(ctx, '撤回', 'Withdraw')}</button></form>`
      : ''
  }
  ${mayUse(ctx.identity, 'audit') ? html`<a href="/audit${qs({ proposal: p.proposalId })}" data-testid="audit-link">${L(ctx, '审计追溯', 'Audit trail')}</a>` : ''}
</div>
<section aria-labelledby="content"><h2 id="content">${c?.title ?? ''}</h2>
<dl class="attributes">
  <div><dt>${L(ctx, '调整依据', 'Trigger')}</dt><dd>${c?.trigger ? (ctx.lang === 'en' ? triggerLabels[adHocTriggerToJSON(c.trigger)]?.[1] : triggerLabels[adHocTriggerToJSON(c.trigger)]?.[0]) : '—'}${c?.triggerDocument?.title ? html`<br>${c.triggerDocument.title}` : ''}</dd></div>
  <div><dt>${L(ctx, '拟生效日期', 'Effective from')}</dt><dd data-testid="effective-from">${formatDate(c?.effectiveFrom)}</dd></div>
  <div><dt>${L(ctx, '证据', 'Evidence')}</dt><dd><ul>${[...(c?.justification?.demandSurvey?.documents ?? []), ...(c?.justification?.evaluation?.documents ?? []), ...(c?.evidence ?? [])].map((d) => html`<li>${d.uri ? html`<a href="${d.uri}" rel="noreferrer">${d.title}</a>` : d.title} <code class="muted">${d.digestAlgorithm}:${d.digest.slice(0, 12)}…</code></li>`)}</ul></dd></div>
</dl>
<h3>${L(ctx, '调整内容', 'Changes')}</h3>
<ul data-testid="changes">${(c?.changes ?? []).map((ch) => {
    const x = ch.change;
    if (x?.$case === 'modifyItem')
      return html`<li>${L(ctx, '调整', 'Modify')} <a href="/standards/items/${encodeURIComponent(x.modifyItem.base?.itemCode ?? '')}">${x.modifyItem.base?.itemCode}</a> (v${x.modifyItem.base?.version}) → ${(x.modifyItem.item?.qualityStandard?.metrics ?? []).map((m) => metricText(ctx.lang, m)).join('；')}</li>`;
    if (x?.$case === 'setPackageLevel')
      return html`<li>${L(ctx, '调整项目包共用水平', 'Set package level')} <a href="/standards/packages/${encodeURIComponent(x.setPackageLevel.base?.packageCode ?? '')}">${x.setPackageLevel.base?.packageCode}</a> (v${x.setPackageLevel.base?.version}) → ${x.setPackageLevel.value}</li>`;
    return html`<li>${ch.changeId}: ${x?.$case ?? ''}</li>`;
  })}</ul>
</section>
${fiscalTable(ctx, extra.validation?.estimate ?? p.submittedFiscalEstimate)}
${extra.approval ? roundsSection(ctx, extra.approval) : ''}
`;
}
