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
import { alertBox, labelIn, mayUse, type PageContext } from './layout';
import { formatFen, tiers, triggers, type ProposalForm } from './proposal-form';
import { roundsSection } from './inbox-pages';
import { metricText } from './standards-pages';

/** The badge style of each proposal state. */
const stateClasses: Record<string, string> = {
  PROPOSAL_STATE_DRAFT: '',
  PROPOSAL_STATE_SUBMITTED: 'badge-info',
  PROPOSAL_STATE_IN_REVIEW: 'badge-info',
  PROPOSAL_STATE_RETURNED: 'badge-warn',
  PROPOSAL_STATE_APPROVED: 'badge-ok',
  PROPOSAL_STATE_REJECTED: 'badge-bad',
  PROPOSAL_STATE_WITHDRAWN: 'badge-bad',
};

export function stateBadge(ctx: PageContext, state: number): Html {
  const name = proposalStateToJSON(state);
  return html`<span class="badge ${stateClasses[name] ?? ''}" data-state="${name}">${labelIn(ctx, 'proposal.stateLabel', name)}</span>`;
}

export const editable = (p: Proposal): boolean => ['PROPOSAL_STATE_DRAFT', 'PROPOSAL_STATE_RETURNED'].includes(proposalStateToJSON(p.state));

export function proposalsListPage(ctx: PageContext, proposals: readonly Proposal[], canDraft: boolean): Html {
  return html`
${canDraft ? html`<p><a class="button" href="/proposals/new" data-testid="new-proposal">${ctx.t('proposal.newProposal')}</a> <a href="/editions/import" data-testid="import-edition">${ctx.t('common.importAnEdition')}</a></p>` : ''}
${
  proposals.length === 0
    ? alertBox('info', ctx.t('proposal.noProposals'))
    : html`<div class="table-wrap"><table data-testid="proposals">
  <thead><tr><th scope="col">${ctx.t('common.proposalShort')}</th><th scope="col">${ctx.t('proposal.state')}</th><th scope="col">${ctx.t('common.leadMinistry')}</th><th scope="col">${ctx.t('common.itemsHeading')}</th><th scope="col">${ctx.t('proposal.revision')}</th><th scope="col">${ctx.t('proposal.updated')}</th></tr></thead>
  <tbody>${proposals.map(
    (p) => html`<tr data-proposal="${p.proposalId}">
    <td><a href="/proposals/${encodeURIComponent(p.proposalId)}">${p.content?.title || p.proposalId}</a><br><span class="muted">${p.proposalId}</span>${commentsAwaiting(ctx, p)}</td>
    <td>${stateBadge(ctx, p.state)}${p.round ? html` <span class="muted">${ctx.t('proposal.round', { round: p.round })}</span>` : ''}</td>
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
  const text = ctx.t('proposal.publicCommentSAwaiting', { awaiting: p.commentsAwaitingModeration });
  return link
    ? html` <a class="badge badge-warn" data-testid="comments-awaiting" href="/proposals/${encodeURIComponent(p.proposalId)}/consultation">${text}</a>`
    : html` <span class="badge badge-warn" data-testid="comments-awaiting">${text}</span>`;
}

export function fiscalTable(ctx: PageContext, estimate: FiscalEstimate | undefined): Html {
  if (!estimate) return html``;
  return html`<section aria-labelledby="fiscal" data-testid="fiscal"><h2 id="fiscal">${ctx.t('proposal.fiscalCostEstimate')}</h2>
  ${estimate.problems.length > 0 ? alertBox('error', ctx.t('proposal.estimateProblems'), estimate.problems) : ''}
  <div class="table-wrap"><table>
    <thead><tr><th scope="col">${ctx.t('common.item')}</th><th scope="col">${ctx.t('common.metric')}</th><th scope="col">${ctx.t('common.regionTier')}</th><th scope="col">${ctx.t('proposal.coveredPopulation')}</th><th scope="col">${ctx.t('proposal.centralShare')}</th><th scope="col">${ctx.t('proposal.annualCny')}</th><th scope="col">${ctx.t('common.centralCny')}</th><th scope="col">${ctx.t('common.localCny')}</th></tr></thead>
    <tbody>${estimate.lines.map((l) =>
      l.tiers.map(
        (t, i) => html`<tr>
      ${i === 0 ? html`<td rowspan="${l.tiers.length}">${l.itemCode} ${l.itemName}${l.overridden ? html`<br><span class="badge badge-warn">${ctx.t('proposal.overridden')}: ${l.overrideReason}</span>` : ''}</td><td rowspan="${l.tiers.length}" data-testid="fiscal-level">${l.metric} ${l.unitLevel}${l.baseLevel ? html`<br><span class="muted">${ctx.t('proposal.inForcePricedOn', { base: l.baseLevel, priced: l.pricedLevel })}</span>` : ''}</td>` : ''}
      <td>${enumLabel(ctx.lang, regionTierToJSON(t.regionTier))}</td><td>${Number(t.coveredPopulation).toLocaleString('zh-CN')}</td><td>${t.centralSharePercent}%</td>
      <td class="num">${formatFen(t.annual?.fen)}</td><td class="num">${formatFen(t.central?.fen)}</td><td class="num">${formatFen(t.local?.fen)}</td>
    </tr>`,
      ),
    )}</tbody>
  </table></div>
  <div class="table-wrap"><table data-testid="fiscal-years">
    <thead><tr><th scope="col">${ctx.t('proposal.year')}</th><th scope="col">${ctx.t('proposal.totalCny')}</th><th scope="col">${ctx.t('common.centralCny')}</th><th scope="col">${ctx.t('common.localCny')}</th></tr></thead>
    <tbody>${estimate.years.map((y) => html`<tr><td>${y.year}</td><td>${formatFen(y.total?.fen)}</td><td>${formatFen(y.central?.fen)}</td><td>${formatFen(y.local?.fen)}</td></tr>`)}
    <tr><th scope="row">${ctx.t('proposal.total')}</th><td data-testid="fiscal-total">${formatFen(estimate.total?.fen)}</td><td>${formatFen(estimate.centralTotal?.fen)}</td><td>${formatFen(estimate.localTotal?.fen)}</td></tr></tbody>
  </table></div>
  ${
    estimate.lines.some((l) => l.working.length > 0) || estimate.working.length > 0
      ? html`<details open data-testid="fiscal-working"><summary>${ctx.t('proposal.working')}</summary><ol>${[...estimate.lines.flatMap((l) => l.working), ...estimate.working].map((w) => html`<li>${w}</li>`)}</ol></details>`
      : ''
  }</section>`;
}

function conflictsBox(ctx: PageContext, conflicts: readonly ProposalConflict[]): Html {
  if (conflicts.length === 0) return html``;
  return alertBox(
    'error',
    ctx.t('proposal.conflictsWithOtherProposals'),
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
  const docsHint = ctx.t('proposal.onePerLineTitle');
  return html`
${model.error ?? ''}
<form method="get" action="${model.action}" class="filters">
  <label for="item-pick">${ctx.t('proposal.itemsYourMinistryLeads')}</label>
  <select id="item-pick" name="item">${model.items.map((i) => html`<option value="${i.item?.itemCode ?? ''}"${i.item?.itemCode === model.itemCode ? html` selected` : ''}>${i.item?.itemCode} ${i.item?.name}</option>`)}</select>
  <button type="submit">${ctx.t('proposal.startFromThisItem')}</button>
</form>
${
  !base
    ? alertBox('info', ctx.t('proposal.chooseAnItem'))
    : html`
<form method="post" action="${model.action}" data-testid="proposal-form">
  <input type="hidden" name="item" value="${base.item.itemCode}">
  ${model.expectedRevision ? html`<input type="hidden" name="expectedRevision" value="${model.expectedRevision}">` : ''}
  <fieldset><legend>${ctx.t('common.proposalShort')}</legend><div class="grid-form">
    ${text('title', ctx.t('proposal.title'), true)}
    ${field('trigger', ctx.t('proposal.trigger'), html`<select id="trigger" name="trigger">${triggers.map((t) => html`<option value="${t}"${v('trigger') === t ? html` selected` : ''}>${labelIn(ctx, 'proposal.triggerLabel', t)}</option>`)}</select>`)}
    ${text('triggerDocTitle', ctx.t('proposal.triggerDocumentTitle'))}
    ${text('triggerDocUri', ctx.t('proposal.triggerDocumentUri'))}
    ${text('triggerDocDigest', ctx.t('proposal.triggerDocumentSha256'))}
    ${field('effectiveFrom', ctx.t('proposal.effectiveFrom'), html`<input type="date" id="effectiveFrom" name="effectiveFrom" value="${v('effectiveFrom')}" required>`)}
  </div></fieldset>
  <fieldset data-testid="change"><legend>${ctx.t('proposal.change')}: ${base.item.itemCode} ${base.item.name} (v${base.version})</legend><div class="grid-form">
    ${area('qualityText', ctx.t('proposal.qualityStandardText'), 3)}
    ${(base.item.qualityStandard?.metrics ?? []).map((m) =>
      field(
        `metric:${m.metric}`,
        `${m.label || m.metric}（${ctx.t('proposal.now')}: ${metricText(ctx.lang, m)}）`,
        html`<input type="text" inputmode="decimal" id="metric:${m.metric}" name="metric:${m.metric}" value="${v(`metric:${m.metric}`) || m.value}" data-metric="${m.metric}">`,
      ),
    )}
    ${
      (base.item.qualityStandard?.metrics ?? []).some((m) => m.metric === v('newMetric'))
        ? ''
        : html`<span class="muted">${ctx.t('proposal.newMetricNotStated')}</span><span></span>
    ${text('newMetric', ctx.t('proposal.metricId'))}
    ${text('newMetricLabel', ctx.t('proposal.metricLabel'))}
    ${field('newMetricComparator', ctx.t('common.comparator'), html`<select id="newMetricComparator" name="newMetricComparator">${['GTE', 'LTE', 'EQ'].map((c) => html`<option value="${c}"${v('newMetricComparator') === c ? html` selected` : ''}>${enumLabel(ctx.lang, `COMPARATOR_${c}`)}</option>`)}</select>`)}
    ${text('newMetricValue', ctx.t('common.value'))}
    ${text('newMetricUnit', ctx.t('proposal.unitEGCny'))}
    ${text('newMetricBasis', ctx.t('proposal.basisEGPer'))}`
    }
    ${field('lowersFloor', ctx.t('proposal.lowersTheNationalFloor'), html`<input type="checkbox" id="lowersFloor" name="lowersFloor"${v('lowersFloor') === 'on' ? html` checked` : ''}>`)}
    ${area('loweringJustification', ctx.t('proposal.whyLowerIt'))}
  </div></fieldset>
  <fieldset><legend>${ctx.t('proposal.justificationFiveFactors')}</legend><div class="grid-form">
    ${area('jEconomic', ctx.t('proposal.economicAndSocialDevelopment'))}
    ${area('jIncome', ctx.t('proposal.urbanAndRuralIncome'))}
    ${area('jSector', ctx.t('proposal.sectorNeeds'))}
    ${area('jFiscal', ctx.t('proposal.fiscalCapacity'))}
    ${area('jTechnical', ctx.t('proposal.technicalInnovation'))}
    ${area('surveySummary', ctx.t('proposal.publicDemandSurveySummary'))}
    ${field('surveyDocs', `${ctx.t('proposal.surveyDocuments')} — ${docsHint}`, html`<textarea id="surveyDocs" name="surveyDocs" rows="2">${v('surveyDocs')}</textarea>`)}
    ${area('evaluationSummary', ctx.t('proposal.evaluationSummary'))}
    ${field('evaluationDocs', `${ctx.t('proposal.evaluationDocuments')} — ${docsHint}`, html`<textarea id="evaluationDocs" name="evaluationDocs" rows="2">${v('evaluationDocs')}</textarea>`)}
    ${field('evidence', `${ctx.t('proposal.otherEvidence')} — ${docsHint}`, html`<textarea id="evidence" name="evidence" rows="3">${v('evidence')}</textarea>`)}
  </div></fieldset>
  <fieldset><legend>${ctx.t('proposal.fiscalCostEstimate')}</legend><div class="grid-form">
    ${field('years', ctx.t('proposal.years'), html`<input type="number" min="1" max="10" id="years" name="years" value="${v('years') || '3'}">`)}
    ${tiers.map(
      (
        t,
      ) => html`${field(`pop${t.key}`, `${enumLabel(ctx.lang, `REGION_TIER_${t.key}`)} · ${ctx.t('proposal.coveredPopulationInline')}`, html`<input type="text" inputmode="numeric" id="pop${t.key}" name="pop${t.key}" value="${v(`pop${t.key}`)}">`)}
      ${field(`share${t.key}`, `${enumLabel(ctx.lang, `REGION_TIER_${t.key}`)} · ${ctx.t('proposal.centralSharePercent')}`, html`<input type="text" inputmode="decimal" id="share${t.key}" name="share${t.key}" value="${v(`share${t.key}`)}">`)}`,
    )}
    ${area('affordability', ctx.t('proposal.affordabilityAssessment'))}
  </div></fieldset>
  <div class="actions">
    <button type="submit" name="action" value="estimate" data-testid="recalculate">${ctx.t('proposal.recalculateEstimate')}</button>
    <button type="submit" name="action" value="save" class="primary" data-testid="save">${ctx.t('proposal.saveDraft')}</button>
  </div>
</form>
${fiscalTable(ctx, model.estimate)}`
}`;
}

export function violationsBox(ctx: PageContext, violations: readonly SubmissionViolation[]): Html {
  if (violations.length === 0) return alertBox('ok', ctx.t('proposal.validReadyToSubmit'));
  return html`<div data-testid="violations">${alertBox(
    'error',
    ctx.t('proposal.fixBeforeSubmitting'),
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
<p class="summary">${stateBadge(ctx, p.state)} · <span data-testid="proposal-id">${p.proposalId}</span> · r${revision}${p.round ? html` · ${ctx.t('proposal.reviewRound', { round: p.round })}` : ''} · ${ctx.t('proposal.leadMinistry')} ${p.leadMinistry} · ${ctx.t('proposal.draftedBy')} ${p.draftedBy?.subject ?? ''}</p>
${p.lastDecisionComment ? alertBox('info', ctx.t('proposal.latestDecision'), [p.lastDecisionComment]) : ''}
${
  p.commentsAwaitingModeration > 0
    ? html`<div data-testid="comments-awaiting-box">${alertBox('info', ctx.t('proposal.publicConsultationNewComments'), [
        html`${ctx.t('proposal.commentSReceivedAwaiting', { received: p.consultationComments, awaiting: p.commentsAwaitingModeration })}${commentsAwaiting(ctx, p)}`,
      ])}</div>`
    : ''
}
${extra.validation ? html`${violationsBox(ctx, extra.validation.violations)}${conflictsBox(ctx, extra.validation.conflicts)}` : conflictsBox(ctx, p.conflicts)}
<div class="actions">
  ${
    ctx.identity?.organisation === p.leadMinistry && ctx.identity.roles.includes('ministry-staff')
      ? html`<a href="/proposals/${encodeURIComponent(p.proposalId)}/consultation" data-testid="consultation-link">${ctx.t('proposal.publicConsultation')}</a>`
      : ''
  }
  ${
    editable(p) && own
      ? html`<a href="/proposals/${encodeURIComponent(p.proposalId)}/edit">${ctx.t('common.edit')}</a>
  <form method="post" action="/proposals/${encodeURIComponent(p.proposalId)}/submit" class="inline"><input type="hidden" name="expectedRevision" value="${revision}"><button type="submit" class="primary" data-testid="submit">${ctx.t('proposal.submitForApproval')}</button></form>`
      : ''
  }
  ${
    own && !['PROPOSAL_STATE_APPROVED', 'PROPOSAL_STATE_REJECTED', 'PROPOSAL_STATE_WITHDRAWN'].includes(proposalStateToJSON(p.state))
      ? html`<form method="post" action="/proposals/${encodeURIComponent(p.proposalId)}/withdraw" class="inline">
    <label for="reason">${ctx.t('proposal.reason')}</label> <input type="text" id="reason" name="reason" required> <button type="submit" class="danger">${ctx.t('proposal.withdraw')}</button></form>`
      : ''
  }
  ${mayUse(ctx.identity, 'audit') ? html`<a href="/audit${qs({ proposal: p.proposalId })}" data-testid="audit-link">${ctx.t('common.auditTrail')}</a>` : ''}
</div>
<section aria-labelledby="content"><h2 id="content">${c?.title ?? ''}</h2>
<dl class="attributes">
  <div><dt>${ctx.t('proposal.trigger')}</dt><dd>${c?.trigger ? labelIn(ctx, 'proposal.triggerLabel', adHocTriggerToJSON(c.trigger)) : '—'}${c?.triggerDocument?.title ? html`<br>${c.triggerDocument.title}` : ''}</dd></div>
  <div><dt>${ctx.t('proposal.effectiveFrom')}</dt><dd data-testid="effective-from">${formatDate(c?.effectiveFrom)}</dd></div>
  <div><dt>${ctx.t('proposal.evidence')}</dt><dd><ul>${[...(c?.justification?.demandSurvey?.documents ?? []), ...(c?.justification?.evaluation?.documents ?? []), ...(c?.evidence ?? [])].map((d) => html`<li>${d.uri ? html`<a href="${d.uri}" rel="noreferrer">${d.title}</a>` : d.title} <code class="muted">${d.digestAlgorithm}:${d.digest.slice(0, 12)}…</code></li>`)}</ul></dd></div>
</dl>
<h3>${ctx.t('proposal.changes')}</h3>
<ul data-testid="changes">${(c?.changes ?? []).map((ch) => {
    const x = ch.change;
    if (x?.$case === 'modifyItem')
      return html`<li>${ctx.t('common.modify')} <a href="/standards/items/${encodeURIComponent(x.modifyItem.base?.itemCode ?? '')}">${x.modifyItem.base?.itemCode}</a> (v${x.modifyItem.base?.version}) → ${(x.modifyItem.item?.qualityStandard?.metrics ?? []).map((m) => metricText(ctx.lang, m)).join('；')}</li>`;
    if (x?.$case === 'setPackageLevel')
      return html`<li>${ctx.t('proposal.setPackageLevel')} <a href="/standards/packages/${encodeURIComponent(x.setPackageLevel.base?.packageCode ?? '')}">${x.setPackageLevel.base?.packageCode}</a> (v${x.setPackageLevel.base?.version}) → ${x.setPackageLevel.value}</li>`;
    return html`<li>${ch.changeId}: ${x?.$case ?? ''}</li>`;
  })}</ul>
</section>
${fiscalTable(ctx, extra.validation?.estimate ?? p.submittedFiscalEstimate)}
${extra.approval ? roundsSection(ctx, extra.approval) : ''}
`;
}
