// The unified revision cycle dashboard (集中统一调整): phases, per-field evaluations and proposal windows with their
// deadlines, consolidation (package, conflicts, total cost against the ceiling), the release, ad-hoc revisions sent
// to rebase, and provincial re-filing progress; with the actions of whoever may take them (the service decides).
import type { FastifyInstance } from 'fastify';
import type { Cycle } from '../../../proto/gen/bps/approvals/v1/cycles';
import type { CycleCitedEvaluation } from '../../../proto/gen/bps/approvals/v1/events';
import type { Backends } from '../adapters/backends';
import { formValue, type FormBody } from '../http/cookies';
import { formatDate } from '../http/dates';
import { chinaMinute, parseIsoDate } from '../../shared/standards/china-date';
import { html, type Html } from './html';
import { alertBox, labelIn, type PageContext } from './layout';
import type { Guarded } from './page-types';
import { formatFen } from './proposal-form';
import { provinceName } from './provinces';
import { changeOrRefuse } from './work-pages';

const phases = ['evaluation', 'proposals', 'consolidation', 'released', 'refiling', 'closed'] as const;
// Deadlines are days in China: shown in Beijing time (UTC+8), whatever the server's zone.
const when = (d: Date | undefined): string => (d ? chinaMinute(d) : '—');
const isFinalApprover = (ctx: PageContext): boolean => ctx.identity?.organisation === 'SCO' && (ctx.identity?.roles.includes('final-approver') ?? false);
const mayOpen = (ctx: PageContext): boolean =>
  isFinalApprover(ctx) || (ctx.identity?.organisation === 'NDRC' && (ctx.identity?.roles.includes('approver') ?? false));
const cycleUrl = (c: { cycleId: string }, suffix = ''): string => `/cycles/${encodeURIComponent(c.cycleId)}${suffix}`;

export function cyclesListPage(ctx: PageContext, cycles: readonly Cycle[], flash?: Html, fieldNames: ReadonlyMap<string, string> = new Map()): Html {
  return html`${flash ?? ''}
${
  cycles.length === 0
    ? alertBox('info', ctx.t('cycle.noUnifiedRevisionCycle'))
    : html`<div class="table-wrap"><table data-testid="cycles">
  <thead><tr><th scope="col">${ctx.t('cycle.cycle')}</th><th scope="col">${ctx.t('cycle.planPeriod')}</th><th scope="col">${ctx.t('cycle.edition')}</th><th scope="col">${ctx.t('cycle.phase')}</th><th scope="col">${ctx.t('cycle.effectiveFrom')}</th></tr></thead>
  <tbody>${cycles.map((c) => html`<tr data-cycle="${c.cycleId}"><td><a href="${cycleUrl(c)}">${c.cycleId}</a></td><td>${c.planPeriod}</td><td>${c.title}</td><td><span class="badge">${labelIn(ctx, 'cycle.phaseLabel', c.phase)}</span></td><td>${formatDate(c.effectiveFrom)}</td></tr>`)}</tbody>
</table></div>`
}
${mayOpen(ctx) ? openCycleForm(ctx, fieldNames) : ''}`;
}

function openCycleForm(ctx: PageContext, fieldNames: ReadonlyMap<string, string>): Html {
  return html`<section aria-labelledby="open-cycle"><h2 id="open-cycle">${ctx.t('cycle.openAUnifiedRevision')}</h2>
<form method="post" action="/cycles" class="stack" data-testid="open-cycle">
  <label for="cycleId">${ctx.t('cycle.cycleIdOptionalDefault')}</label><input id="cycleId" name="cycleId" pattern="[A-Za-z0-9._-]+">
  <label for="planPeriod">${ctx.t('cycle.planPeriodEG')}</label><input id="planPeriod" name="planPeriod" required pattern="\\d{4}-\\d{4}" value="2026-2030">
  <label for="title">${ctx.t('cycle.editionTitle')}</label><input id="title" name="title" required value="国家基本公共服务标准（2026年版）">
  <label for="effectiveFrom">${ctx.t('cycle.effectiveFrom')}</label><input id="effectiveFrom" name="effectiveFrom" type="date" required>
  <label for="fields">${ctx.t('cycle.fieldsAndLeadMinistries')}</label>
  <textarea id="fields" name="fields" rows="4" required aria-describedby="field-codes">F21-HEALTH NHC 60&#10;F21-EDUCATION MOE 60</textarea>
  ${fieldNames.size > 0 ? html`<p id="field-codes" class="muted" data-testid="field-codes">${ctx.t('cycle.fieldsInForce')}${[...fieldNames].map(([code, name]) => `${name} ${code}`).join('；')}</p>` : ''}
  <label for="centralFen">${ctx.t('cycle.centralFiscalCeilingFen')}</label><input id="centralFen" name="centralFen" inputmode="numeric" required pattern="\\d+">
  <label for="localFen">${ctx.t('cycle.localFiscalCeilingFen')}</label><input id="localFen" name="localFen" inputmode="numeric" required pattern="\\d+">
  <label for="evaluationDays">${ctx.t('cycle.evaluationPeriodDays')}</label><input id="evaluationDays" name="evaluationDays" type="number" min="1" value="90">
  <label for="windowDays">${ctx.t('cycle.defaultProposalWindowDays')}</label><input id="windowDays" name="windowDays" type="number" min="1" value="60">
  <button type="submit">${ctx.t('cycle.open')}</button>
</form></section>`;
}

/** The open-cycle form as an OpenCycleRequest (days to seconds; the service validates the rest). */
export function openCycleRequestFromForm(body: FormBody) {
  const days = (name: string): string => String(Math.round((Number(formValue(body, name)) || 0) * 86_400));
  const fields = formValue(body, 'fields')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .map((line) => {
      const [fieldCode = '', leadMinistry = '', windowDays = ''] = line.split(/[\s,，]+/);
      return { fieldCode, leadMinistry, proposalWindowSeconds: windowDays ? String(Math.round(Number(windowDays) * 86_400) || 0) : '0' };
    });
  return {
    cycleId: formValue(body, 'cycleId').trim(),
    planPeriod: formValue(body, 'planPeriod').trim(),
    title: formValue(body, 'title').trim(),
    effectiveFrom: parseIsoDate(formValue(body, 'effectiveFrom')),
    fields,
    fiscalCeiling: { centralFen: formValue(body, 'centralFen').trim(), localFen: formValue(body, 'localFen').trim() },
    evaluationSeconds: days('evaluationDays'),
    proposalWindowSeconds: days('windowDays'),
    refilingSeconds: '0',
  };
}

/** The cited evaluation ids of the file-evaluation form: one per line or separated by commas (or spaces). */
export function citedIdsFromForm(text: string): string[] {
  return text
    .split(/[\s,，、;；]+/)
    .map((id) => id.trim())
    .filter(Boolean);
}

/** The implementation evaluations a field's evaluation cites: kind, item, province, period, satisfaction, summary. */
function citedEvaluationsList(ctx: PageContext, fieldCode: string, cited: readonly CycleCitedEvaluation[]): Html | string {
  if (cited.length === 0) return '';
  return html`<details class="cited-evaluations" data-testid="cited-${fieldCode}" open><summary>${ctx.t('cycle.citedImplementationEvaluations')} (${cited.length})</summary>
<ul>${cited.map(
    (e) =>
      html`<li data-evaluation="${e.evaluationId}"><span class="badge">${labelIn(ctx, 'cycle.evaluationKindLabel', e.kind)}</span> <code>${e.evaluationId}</code> · ${e.itemCode} · ${e.provinceCode === '000000' ? ctx.t('common.national') : provinceName(e.provinceCode, ctx.lang)} · ${e.period}${e.satisfactionPercent ? html` · ${ctx.t('cycle.satisfied')} ${e.satisfactionPercent}%` : ''}${e.summary ? html`<br><span class="muted">${e.summary}</span>` : ''}</li>`,
  )}</ul></details>`;
}

/** A field as people read it: its name in the taxonomy in force, with the code; the code alone when unknown. */
const fieldLabel = (names: ReadonlyMap<string, string>, code: string): Html => {
  const name = names.get(code);
  return name ? html`${name} <span class="muted">${code}</span>` : html`${code}`;
};

export function cyclePage(ctx: PageContext, c: Cycle, flash?: Html, fieldNames: ReadonlyMap<string, string> = new Map()): Html {
  const current = phases.indexOf(c.phase as (typeof phases)[number]);
  const lead = (org: string): boolean => ctx.identity?.organisation === org;
  const refiled = c.refiling.filter((r) => r.refiled).length;
  const overdue = c.refiling.filter((r) => r.overdue && !r.refiled).length;
  const post = (path: string, label: string, fields: Html | string = '', testid = ''): Html =>
    html`<form method="post" action="${cycleUrl(c, path)}" class="inline"${testid ? html` data-testid="${testid}"` : ''}>${fields}<button type="submit">${label}</button></form>`;
  return html`${flash ?? ''}
<p class="muted">${c.planPeriod} · ${ctx.t('cycle.timesInBeijingTime')} · ${ctx.t('cycle.effectiveFromInline')} ${formatDate(c.effectiveFrom)} · ${ctx.t('cycle.opened')} ${when(c.openedAt)} · <a href="/audit?cycle=${encodeURIComponent(c.cycleId)}">${ctx.t('common.auditTrail')}</a></p>
<ol class="phases" data-testid="phases" aria-label="${ctx.t('cycle.phases')}">${phases.map((p, i) => html`<li data-phase="${p}"${i === current ? html` aria-current="step" class="current"` : i < current ? html` class="done"` : ''}>${labelIn(ctx, 'cycle.phaseLabel', p)}</li>`)}</ol>

<section aria-labelledby="fields"><h2 id="fields">${ctx.t('cycle.fieldsEvaluationAndProposal')}</h2>
<div class="table-wrap"><table data-testid="cycle-fields"><thead><tr><th scope="col">${ctx.t('common.field')}</th><th scope="col">${ctx.t('common.leadMinistry')}</th><th scope="col">${ctx.t('cycle.evaluation')}</th><th scope="col">${ctx.t('cycle.windowCloses')}</th><th scope="col">${ctx.t('common.status')}</th></tr></thead>
<tbody>${c.fields.map(
    (f) => html`<tr data-field="${f.fieldCode}"><td>${fieldLabel(fieldNames, f.fieldCode)}</td><td>${f.leadMinistry}</td>
  <td>${
    f.evaluationSummary
      ? html`${f.evaluationSummary}<br><span class="muted">${f.evaluatedBy}</span>${citedEvaluationsList(ctx, f.fieldCode, f.citedEvaluations)}`
      : c.phase === 'evaluation' && lead(f.leadMinistry)
        ? post(
            '/evaluate',
            ctx.t('cycle.fileEvaluation'),
            html`<input type="hidden" name="fieldCode" value="${f.fieldCode}"><label for="summary-${f.fieldCode}" class="visually-hidden">${ctx.t('cycle.evaluationConclusion')}</label><textarea id="summary-${f.fieldCode}" name="summary" rows="2" required></textarea>
<label for="cite-${f.fieldCode}">${ctx.t('cycle.citedImplementationEvaluationIds')}</label><textarea id="cite-${f.fieldCode}" name="citedEvaluationIds" rows="2"></textarea>`,
            `evaluate-${f.fieldCode}`,
          )
        : html`<span class="muted">${ctx.t('cycle.notFiled')}</span>`
  }</td>
  <td>${when(f.windowClosesAt)}</td>
  <td>${
    f.windowClosed
      ? html`<span class="badge">${ctx.t('cycle.closed')}</span>${f.windowClosedEarlyBy ? html` <span class="muted">(${ctx.t('cycle.closedEarlyBy')}${f.windowClosedEarlyBy})</span>` : ''}`
      : c.phase === 'proposals'
        ? html`<span class="badge badge-ok">${ctx.t('cycle.windowOpen')}</span>${lead(f.leadMinistry) ? html` ${post('/close-window', ctx.t('cycle.closeWindowNow'), html`<input type="hidden" name="fieldCode" value="${f.fieldCode}">`, `close-window-${f.fieldCode}`)}` : ''}`
        : html`<span class="muted">—</span>`
  }</td></tr>`,
  )}</tbody></table></div></section>

<section aria-labelledby="package"><h2 id="package">${ctx.t('cycle.consolidation')}</h2>
${
  c.package.length === 0
    ? html`<p class="muted">${ctx.t('cycle.noProposalInThis')}</p>`
    : html`<div class="table-wrap"><table data-testid="cycle-package">
  <thead><tr><th scope="col">${ctx.t('common.proposal')}</th><th scope="col">${ctx.t('common.field')}</th><th scope="col">${ctx.t('common.itemsHeading')}</th><th scope="col">${ctx.t('common.centralCny')}</th><th scope="col">${ctx.t('common.localCny')}</th><th scope="col">${ctx.t('common.status')}</th></tr></thead>
  <tbody>${c.package.map(
    (
      e,
    ) => html`<tr data-proposal="${e.proposalId}"><td><a href="/proposals/${encodeURIComponent(e.proposalId)}">${e.proposalId}</a> r${e.proposalRevision}</td><td>${fieldLabel(fieldNames, e.fieldCode)}</td><td>${e.itemCodes.join('、')}</td>
    <td class="num">${formatFen(e.fiscalTotals?.centralFen)}</td><td class="num">${formatFen(e.fiscalTotals?.localFen)}</td><td>${labelIn(ctx, 'cycle.entryLabel', e.status)}${e.note ? html`<br><span class="muted">${e.note}</span>` : ''}</td></tr>`,
  )}</tbody></table></div>`
}
<div class="table-wrap"><table data-testid="cycle-totals"><thead><tr><th scope="col"></th><th scope="col">${ctx.t('common.centralCny')}</th><th scope="col">${ctx.t('common.localCny')}</th></tr></thead>
  <tbody><tr><th scope="row">${ctx.t('cycle.packageTotal')}</th><td class="num">${formatFen(c.totals?.centralFen)}</td><td class="num">${formatFen(c.totals?.localFen)}</td></tr>
  <tr><th scope="row">${ctx.t('cycle.fiscalCeiling')}</th><td class="num">${formatFen(c.fiscalCeiling?.centralFen)}</td><td class="num">${formatFen(c.fiscalCeiling?.localFen)}</td></tr></tbody></table></div>
${c.ceilingExceeded ? alertBox('error', ctx.t('cycle.overTheFiscalCeiling')) : ''}
${
  c.conflicts.length > 0
    ? html`<div data-testid="cycle-conflicts">${alertBox(
        'error',
        ctx.t('cycle.severalProposalsChangeThe'),
        c.conflicts.map((k) => `${k.itemCode}: ${k.proposalIds.join(' / ')}`),
      )}
  ${
    c.phase === 'consolidation' && isFinalApprover(ctx)
      ? c.conflicts.map((k) =>
          post(
            '/resolve',
            ctx.t('cycle.resolve'),
            html`<input type="hidden" name="itemCode" value="${k.itemCode}">
    <label for="keep-${k.itemCode}">${k.itemCode} ${ctx.t('cycle.keep')}</label><select id="keep-${k.itemCode}" name="keepProposalId">${k.proposalIds.map((p) => html`<option value="${p}">${p}</option>`)}</select>
    <label for="reason-${k.itemCode}">${ctx.t('common.reasonGiven')}</label><input id="reason-${k.itemCode}" name="reason" required>`,
            `resolve-${k.itemCode}`,
          ),
        )
      : ''
  }</div>`
    : ''
}
${
  c.phase === 'consolidation' && mayOpen(ctx) && c.package.some((e) => e.status === 'approved')
    ? html`<details><summary>${ctx.t('cycle.trimAProposalsCost')}</summary>
  ${post(
    '/trim',
    ctx.t('cycle.trim'),
    html`<label for="trim-proposal">${ctx.t('common.proposalShort')}</label><select id="trim-proposal" name="proposalId">${c.package.filter((e) => e.status === 'approved').map((e) => html`<option value="${e.proposalId}">${e.proposalId}</option>`)}</select>
    <label for="trim-central">${ctx.t('cycle.centralFen')}</label><input id="trim-central" name="centralFen" inputmode="numeric" required pattern="\\d+">
    <label for="trim-local">${ctx.t('cycle.localFen')}</label><input id="trim-local" name="localFen" inputmode="numeric" required pattern="\\d+">
    <label for="trim-reason">${ctx.t('common.reasonGiven')}</label><input id="trim-reason" name="reason" required>`,
    'trim',
  )}</details>`
    : ''
}
${c.phase === 'consolidation' && isFinalApprover(ctx) ? post('/approve', ctx.t('cycle.approveThePackageAnd'), html`<label for="approve-comment">${ctx.t('common.comment')}</label><input id="approve-comment" name="comment">`, 'approve-package') : ''}
</section>

${
  c.rebaseRequired.length > 0
    ? html`<section aria-labelledby="rebase" data-testid="cycle-rebase"><h2 id="rebase">${ctx.t('cycle.adHocRevisionsTo')}</h2>
  <p>${ctx.t('cycle.theseWereInReview')}</p>
  <ul>${c.rebaseRequired.map((p) => html`<li><a href="/proposals/${encodeURIComponent(p)}">${p}</a></li>`)}</ul></section>`
    : ''
}

<section aria-labelledby="refiling"><h2 id="refiling">${ctx.t('cycle.provincialReFiling')}</h2>
${
  c.refiling.length === 0
    ? html`<p class="muted">${current >= phases.indexOf('released') ? ctx.t('cycle.noProvinceBelowThe') : ctx.t('cycle.trackedAfterTheRelease')}</p>`
    : html`
  <p data-testid="refiling-progress"><progress max="${c.refiling.length}" value="${refiled}"></progress> ${refiled} / ${c.refiling.length} ${ctx.t('cycle.reFiled')}${overdue > 0 ? html` · <span class="badge badge-bad">${overdue} ${ctx.t('cycle.overdue')}</span>` : ''}</p>
  <div class="table-wrap"><table data-testid="cycle-refiling"><thead><tr><th scope="col">${ctx.t('common.province')}</th><th scope="col">${ctx.t('common.item')}</th><th scope="col">${ctx.t('cycle.deadline')}</th><th scope="col">${ctx.t('common.status')}</th></tr></thead>
  <tbody>${c.refiling.map(
    (
      r,
    ) => html`<tr data-province="${r.provinceCode}" data-item="${r.itemCode}"><td>${provinceName(r.provinceCode, ctx.lang)}</td><td><a href="/standards/items/${encodeURIComponent(r.itemCode)}?province=${r.provinceCode}">${r.itemCode}</a></td><td>${when(r.deadline)}</td>
    <td>${r.refiled ? html`<span class="badge badge-ok">${ctx.t('cycle.reFiledStatus')}</span>` : r.overdue ? html`<span class="badge badge-bad">${ctx.t('cycle.overdueNotFiled')}</span>` : html`<span class="badge badge-warn">${ctx.t('cycle.pending')}</span>`}</td></tr>`,
  )}</tbody></table></div>`
}
${c.phase === 'refiling' && isFinalApprover(ctx) ? post('/close', ctx.t('cycle.closeTheCycle'), '', 'close-cycle') : ''}
</section>`;
}

export function registerCyclePages(app: FastifyInstance, deps: { backends: Backends; guarded: Guarded }): void {
  const { backends, guarded } = deps;
  const title = (ctx: PageContext) => ctx.t('cycle.unifiedRevisionCycles');
  // Field names from the taxonomy in force; a page still renders (with codes) when the registry cannot say.
  const fieldNames = async (token: string): Promise<ReadonlyMap<string, string>> => {
    const taxonomy = await backends.call('registry', (c) => c.getTaxonomy.bind(c), { asOf: undefined }, token).catch(() => undefined);
    return new Map((taxonomy?.fields ?? []).map((f) => [f.code, f.name]));
  };
  const list = async (ctx: PageContext, token: string, flash?: Html, status?: number) => {
    const [{ cycles }, names] = await Promise.all([backends.call('cycles', (c) => c.listCycles.bind(c), {}, token), fieldNames(token)]);
    return { title: title(ctx), section: 'cycles', ...(status ? { status } : {}), body: cyclesListPage(ctx, cycles, flash, names) };
  };
  const show = async (ctx: PageContext, token: string, cycleId: string, flash?: Html, status?: number) => {
    const [{ cycle }, names] = await Promise.all([backends.call('cycles', (c) => c.getCycle.bind(c), { cycleId }, token), fieldNames(token)]);
    if (!cycle) throw new Error('cycle missing from response');
    return {
      title: `${cycle.title || cycle.cycleId} · ${ctx.t('cycle.unifiedRevision')}`,
      section: 'cycles',
      ...(status ? { status } : {}),
      body: cyclePage(ctx, cycle, flash, names),
    };
  };

  app.get(
    '/cycles',
    guarded(async (_req, ctx, token) => list(ctx, token)),
  );
  app.post(
    '/cycles',
    guarded(async (req, ctx, token) => {
      return changeOrRefuse(
        ctx,
        () => backends.change('cycles', (c) => c.openCycle.bind(c), openCycleRequestFromForm((req.body ?? {}) as FormBody), token),
        ({ cycle }) => cycleUrl(cycle ?? { cycleId: '' }),
        (box, status) => list(ctx, token, box, status),
      );
    }),
  );
  app.get(
    '/cycles/:cycleId',
    guarded(async (req, ctx, token) => show(ctx, token, (req.params as { cycleId: string }).cycleId)),
  );

  // Each action: call the service, then show the dashboard again (with the refusal, if any).
  const action = (path: string, run: (cycleId: string, body: FormBody, token: string) => Promise<unknown>) =>
    app.post(
      `/cycles/:cycleId/${path}`,
      guarded(async (req, ctx, token) => {
        const cycleId = (req.params as { cycleId: string }).cycleId;
        return changeOrRefuse(
          ctx,
          () => run(cycleId, (req.body ?? {}) as FormBody, token),
          () => cycleUrl({ cycleId }),
          (box, status) => show(ctx, token, cycleId, box, status),
        );
      }),
    );
  action('evaluate', (cycleId, b, token) =>
    backends.change(
      'cycles',
      (c) => c.fileEvaluation.bind(c),
      {
        cycleId,
        fieldCode: formValue(b, 'fieldCode'),
        summary: formValue(b, 'summary'),
        citedEvaluationIds: citedIdsFromForm(formValue(b, 'citedEvaluationIds')),
      },
      token,
    ),
  );
  action('close-window', (cycleId, b, token) =>
    backends.change('cycles', (c) => c.closeProposalWindow.bind(c), { cycleId, fieldCode: formValue(b, 'fieldCode') }, token),
  );
  action('resolve', (cycleId, b, token) =>
    backends.change(
      'cycles',
      (c) => c.resolveConflict.bind(c),
      { cycleId, itemCode: formValue(b, 'itemCode'), keepProposalId: formValue(b, 'keepProposalId'), reason: formValue(b, 'reason') },
      token,
    ),
  );
  action('trim', (cycleId, b, token) => {
    const central = formValue(b, 'centralFen').trim();
    const local = formValue(b, 'localFen').trim();
    const total = /^\d+$/.test(central) && /^\d+$/.test(local) ? (BigInt(central) + BigInt(local)).toString() : '';
    return backends.change(
      'cycles',
      (c) => c.trimProposal.bind(c),
      {
        cycleId,
        proposalId: formValue(b, 'proposalId'),
        fiscalTotals: { totalFen: total, centralFen: central, localFen: local },
        changeSet: undefined,
        reason: formValue(b, 'reason'),
      },
      token,
    );
  });
  action('approve', (cycleId, b, token) => backends.change('cycles', (c) => c.approvePackage.bind(c), { cycleId, comment: formValue(b, 'comment') }, token));
  action('close', (cycleId, _b, token) => backends.change('cycles', (c) => c.closeCycle.bind(c), { cycleId }, token));
}
