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
import { alertBox, L, labelIn, type PageContext } from './layout';
import type { Guarded } from './page-types';
import { formatFen } from './proposal-form';
import { provinces } from './provinces';
import { refusalBox } from './work-pages';

const phases = ['evaluation', 'proposals', 'consolidation', 'released', 'refiling', 'closed'] as const;
const phaseLabels: Record<string, [string, string]> = {
  evaluation: ['实施评估', 'Evaluation'],
  proposals: ['方案征集', 'Proposals'],
  consolidation: ['汇总平衡', 'Consolidation'],
  released: ['统一发布', 'Released'],
  refiling: ['地方重新备案', 'Provincial re-filing'],
  closed: ['已结束', 'Closed'],
};
const entryLabels: Record<string, [string, string]> = {
  in_approval: ['审批中', 'In approval'],
  approved: ['已批准', 'Approved'],
  not_approved: ['未通过', 'Not approved'],
  dropped: ['未纳入', 'Dropped'],
};
const evaluationKindLabels: Record<string, [string, string]> = {
  EFFECT: ['实施效果评估', 'Effect evaluation'],
  SATISFACTION_SURVEY: ['群众满意度调查', 'Satisfaction survey'],
  EQUALISATION_INDICATORS: ['均等化指标', 'Equalisation indicators'],
};
// Deadlines are days in China: shown in Beijing time (UTC+8), whatever the server's zone.
const when = (d: Date | undefined): string => (d ? chinaMinute(d) : '—');
const provinceName = (ctx: PageContext, code: string): string => {
  const p = provinces.find((x) => x.code === code);
  return p ? (ctx.lang === 'en' ? p.en : p.name) : code;
};
const isFinalApprover = (ctx: PageContext): boolean => ctx.identity?.organisation === 'SCO' && (ctx.identity?.roles.includes('final-approver') ?? false);
const mayOpen = (ctx: PageContext): boolean =>
  isFinalApprover(ctx) || (ctx.identity?.organisation === 'NDRC' && (ctx.identity?.roles.includes('approver') ?? false));
const cycleUrl = (c: { cycleId: string }, suffix = ''): string => `/cycles/${encodeURIComponent(c.cycleId)}${suffix}`;

export function cyclesListPage(ctx: PageContext, cycles: readonly Cycle[], flash?: Html, fieldNames: ReadonlyMap<string, string> = new Map()): Html {
  return html`${flash ?? ''}
${
  cycles.length === 0
    ? alertBox('info', L(ctx, '尚无集中统一调整周期。', 'No unified revision cycle yet.'))
    : html`<div class="table-wrap"><table data-testid="cycles">
  <thead><tr><th scope="col">${L(ctx, '周期', 'Cycle')}</th><th scope="col">${L(ctx, '规划期', 'Plan period')}</th><th scope="col">${L(ctx, '版本', 'Edition')}</th><th scope="col">${L(ctx, '阶段', 'Phase')}</th><th scope="col">${L(ctx, '统一施行日期', 'Effective from')}</th></tr></thead>
  <tbody>${cycles.map((c) => html`<tr data-cycle="${c.cycleId}"><td><a href="${cycleUrl(c)}">${c.cycleId}</a></td><td>${c.planPeriod}</td><td>${c.title}</td><td><span class="badge">${labelIn(ctx, phaseLabels, c.phase)}</span></td><td>${formatDate(c.effectiveFrom)}</td></tr>`)}</tbody>
</table></div>`
}
${mayOpen(ctx) ? openCycleForm(ctx, fieldNames) : ''}`;
}

function openCycleForm(ctx: PageContext, fieldNames: ReadonlyMap<string, string>): Html {
  return html`<section aria-labelledby="open-cycle"><h2 id="open-cycle">${L(ctx, '启动集中统一调整', 'Open a unified revision cycle')}</h2>
<form method="post" action="/cycles" class="stack" data-testid="open-cycle">
  <label for="cycleId">${L(ctx, '周期编号（可留空，默认 C-起始年）', 'Cycle id (optional; default C-<first year>)')}</label><input id="cycleId" name="cycleId" pattern="[A-Za-z0-9._-]+">
  <label for="planPeriod">${L(ctx, '规划期（如 2026-2030）', 'Plan period (e.g. 2026-2030)')}</label><input id="planPeriod" name="planPeriod" required pattern="\\d{4}-\\d{4}" value="2026-2030">
  <label for="title">${L(ctx, '版本名称', 'Edition title')}</label><input id="title" name="title" required value="国家基本公共服务标准（2026年版）">
  <label for="effectiveFrom">${L(ctx, '统一施行日期', 'Effective from')}</label><input id="effectiveFrom" name="effectiveFrom" type="date" required>
  <label for="fields">${L(ctx, '参与领域及牵头部门（每行：领域代码 牵头部门代码 [征集天数]）', 'Fields and lead ministries (one per line: field code, lead ministry code, [window days])')}</label>
  <textarea id="fields" name="fields" rows="4" required aria-describedby="field-codes">F21-HEALTH NHC 60&#10;F21-EDUCATION MOE 60</textarea>
  ${fieldNames.size > 0 ? html`<p id="field-codes" class="muted" data-testid="field-codes">${L(ctx, '现行领域：', 'Fields in force: ')}${[...fieldNames].map(([code, name]) => `${name} ${code}`).join('；')}</p>` : ''}
  <label for="centralFen">${L(ctx, '中央财政承受上限（分）', 'Central fiscal ceiling (fen)')}</label><input id="centralFen" name="centralFen" inputmode="numeric" required pattern="\\d+">
  <label for="localFen">${L(ctx, '地方财政承受上限（分）', 'Local fiscal ceiling (fen)')}</label><input id="localFen" name="localFen" inputmode="numeric" required pattern="\\d+">
  <label for="evaluationDays">${L(ctx, '评估期（天）', 'Evaluation period (days)')}</label><input id="evaluationDays" name="evaluationDays" type="number" min="1" value="90">
  <label for="windowDays">${L(ctx, '默认方案征集期（天）', 'Default proposal window (days)')}</label><input id="windowDays" name="windowDays" type="number" min="1" value="60">
  <button type="submit">${L(ctx, '启动', 'Open')}</button>
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
  return html`<details class="cited-evaluations" data-testid="cited-${fieldCode}" open><summary>${L(ctx, '引用的实施评估', 'Cited implementation evaluations')} (${cited.length})</summary>
<ul>${cited.map(
    (e) =>
      html`<li data-evaluation="${e.evaluationId}"><span class="badge">${labelIn(ctx, evaluationKindLabels, e.kind)}</span> <code>${e.evaluationId}</code> · ${e.itemCode} · ${e.provinceCode === '000000' ? L(ctx, '全国', 'National') : provinceName(ctx, e.provinceCode)} · ${e.period}${e.satisfactionPercent ? html` · ${L(ctx, '满意度', 'satisfied')} ${e.satisfactionPercent}%` : ''}${e.summary ? html`<br><span class="muted">${e.summary}</span>` : ''}</li>`,
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
<p class="muted">${c.planPeriod} · ${L(ctx, '时间均为北京时间', 'times in Beijing time (UTC+8)')} · ${L(ctx, '统一施行日期', 'effective from')} ${formatDate(c.effectiveFrom)} · ${L(ctx, '启动', 'opened')} ${when(c.openedAt)} · <a href="/audit?cycle=${encodeURIComponent(c.cycleId)}">${L(ctx, '审计追溯', 'Audit trail')}</a></p>
<ol class="phases" data-testid="phases" aria-label="${L(ctx, '阶段', 'Phases')}">${phases.map((p, i) => html`<li data-phase="${p}"${i === current ? html` aria-current="step" class="current"` : i < current ? html` class="done"` : ''}>${labelIn(ctx, phaseLabels, p)}</li>`)}</ol>

<section aria-labelledby="fields"><h2 id="fields">${L(ctx, '各领域评估与方案征集', 'Fields: evaluation and proposal windows')}</h2>
<div class="table-wrap"><table data-testid="cycle-fields"><thead><tr><th scope="col">${L(ctx, '领域', 'Field')}</th><th scope="col">${L(ctx, '牵头部门', 'Lead ministry')}</th><th scope="col">${L(ctx, '实施评估', 'Evaluation')}</th><th scope="col">${L(ctx, '征集截止', 'Window closes')}</th><th scope="col">${L(ctx, '状态', 'Status')}</th></tr></thead>
<tbody>${c.fields.map(
    (f) => html`<tr data-field="${f.fieldCode}"><td>${fieldLabel(fieldNames, f.fieldCode)}</td><td>${f.leadMinistry}</td>
  <td>${
    f.evaluationSummary
      ? html`${f.evaluationSummary}<br><span class="muted">${f.evaluatedBy}</span>${citedEvaluationsList(ctx, f.fieldCode, f.citedEvaluations)}`
      : c.phase === 'evaluation' && lead(f.leadMinistry)
        ? post(
            '/evaluate',
            L(ctx, '提交评估', 'File evaluation'),
            html`<input type="hidden" name="fieldCode" value="${f.fieldCode}"><label for="summary-${f.fieldCode}" class="visually-hidden">${L(ctx, '评估结论', 'Evaluation')}</label><textarea id="summary-${f.fieldCode}" name="summary" rows="2" required></textarea>
<label for="cite-${f.fieldCode}">${L(ctx, '引用的实施评估编号（每行一个或以逗号分隔，可留空）', 'Cited implementation evaluation ids (one per line or comma-separated; optional)')}</label><textarea id="cite-${f.fieldCode}" name="citedEvaluationIds" rows="2"></textarea>`,
            `evaluate-${f.fieldCode}`,
          )
        : html`<span class="muted">${L(ctx, '待提交', 'Not filed')}</span>`
  }</td>
  <td>${when(f.windowClosesAt)}</td>
  <td>${
    f.windowClosed
      ? html`<span class="badge">${L(ctx, '已截止', 'Closed')}</span>${f.windowClosedEarlyBy ? html` <span class="muted">(${L(ctx, '提前结束：', 'closed early by ')}${f.windowClosedEarlyBy})</span>` : ''}`
      : c.phase === 'proposals'
        ? html`<span class="badge badge-ok">${L(ctx, '征集中', 'Open')}</span>${lead(f.leadMinistry) ? html` ${post('/close-window', L(ctx, '提前结束征集', 'Close window now'), html`<input type="hidden" name="fieldCode" value="${f.fieldCode}">`, `close-window-${f.fieldCode}`)}` : ''}`
        : html`<span class="muted">—</span>`
  }</td></tr>`,
  )}</tbody></table></div></section>

<section aria-labelledby="package"><h2 id="package">${L(ctx, '汇总平衡', 'Consolidation')}</h2>
${
  c.package.length === 0
    ? html`<p class="muted">${L(ctx, '尚无调整方案纳入本周期。', 'No proposal in this cycle yet.')}</p>`
    : html`<div class="table-wrap"><table data-testid="cycle-package">
  <thead><tr><th scope="col">${L(ctx, '调整方案', 'Proposal')}</th><th scope="col">${L(ctx, '领域', 'Field')}</th><th scope="col">${L(ctx, '服务项目', 'Items')}</th><th scope="col">${L(ctx, '中央（元）', 'Central (CNY)')}</th><th scope="col">${L(ctx, '地方（元）', 'Local (CNY)')}</th><th scope="col">${L(ctx, '状态', 'Status')}</th></tr></thead>
  <tbody>${c.package.map(
    (
      e,
    ) => html`<tr data-proposal="${e.proposalId}"><td><a href="/proposals/${encodeURIComponent(e.proposalId)}">${e.proposalId}</a> r${e.proposalRevision}</td><td>${fieldLabel(fieldNames, e.fieldCode)}</td><td>${e.itemCodes.join('、')}</td>
    <td class="num">${formatFen(e.fiscalTotals?.centralFen)}</td><td class="num">${formatFen(e.fiscalTotals?.localFen)}</td><td>${labelIn(ctx, entryLabels, e.status)}${e.note ? html`<br><span class="muted">${e.note}</span>` : ''}</td></tr>`,
  )}</tbody></table></div>`
}
<div class="table-wrap"><table data-testid="cycle-totals"><thead><tr><th scope="col"></th><th scope="col">${L(ctx, '中央（元）', 'Central (CNY)')}</th><th scope="col">${L(ctx, '地方（元）', 'Local (CNY)')}</th></tr></thead>
  <tbody><tr><th scope="row">${L(ctx, '纳入方案合计', 'Package total')}</th><td class="num">${formatFen(c.totals?.centralFen)}</td><td class="num">${formatFen(c.totals?.localFen)}</td></tr>
  <tr><th scope="row">${L(ctx, '财政承受能力上限', 'Fiscal ceiling')}</th><td class="num">${formatFen(c.fiscalCeiling?.centralFen)}</td><td class="num">${formatFen(c.fiscalCeiling?.localFen)}</td></tr></tbody></table></div>
${c.ceilingExceeded ? alertBox('error', L(ctx, '超出财政承受能力上限：须压减方案后方可审定。', 'Over the fiscal ceiling: trim proposals before the package can be approved.')) : ''}
${
  c.conflicts.length > 0
    ? html`<div data-testid="cycle-conflicts">${alertBox(
        'error',
        L(ctx, '同一服务项目存在多个方案，须先裁定：', 'Several proposals change the same item; resolve first:'),
        c.conflicts.map((k) => `${k.itemCode}: ${k.proposalIds.join(' / ')}`),
      )}
  ${
    c.phase === 'consolidation' && isFinalApprover(ctx)
      ? c.conflicts.map((k) =>
          post(
            '/resolve',
            L(ctx, '裁定', 'Resolve'),
            html`<input type="hidden" name="itemCode" value="${k.itemCode}">
    <label for="keep-${k.itemCode}">${k.itemCode} ${L(ctx, '保留', 'keep')}</label><select id="keep-${k.itemCode}" name="keepProposalId">${k.proposalIds.map((p) => html`<option value="${p}">${p}</option>`)}</select>
    <label for="reason-${k.itemCode}">${L(ctx, '理由', 'Reason')}</label><input id="reason-${k.itemCode}" name="reason" required>`,
            `resolve-${k.itemCode}`,
          ),
        )
      : ''
  }</div>`
    : ''
}
${
  c.phase === 'consolidation' && mayOpen(ctx) && c.package.some((e) => e.status === 'approved')
    ? html`<details><summary>${L(ctx, '压减方案经费', "Trim a proposal's cost")}</summary>
  ${post(
    '/trim',
    L(ctx, '压减', 'Trim'),
    html`<label for="trim-proposal">${L(ctx, '方案', 'Proposal')}</label><select id="trim-proposal" name="proposalId">${c.package.filter((e) => e.status === 'approved').map((e) => html`<option value="${e.proposalId}">${e.proposalId}</option>`)}</select>
    <label for="trim-central">${L(ctx, '中央（分）', 'Central (fen)')}</label><input id="trim-central" name="centralFen" inputmode="numeric" required pattern="\\d+">
    <label for="trim-local">${L(ctx, '地方（分）', 'Local (fen)')}</label><input id="trim-local" name="localFen" inputmode="numeric" required pattern="\\d+">
    <label for="trim-reason">${L(ctx, '理由', 'Reason')}</label><input id="trim-reason" name="reason" required>`,
    'trim',
  )}</details>`
    : ''
}
${c.phase === 'consolidation' && isFinalApprover(ctx) ? post('/approve', L(ctx, '审定并统一发布', 'Approve the package and release'), html`<label for="approve-comment">${L(ctx, '意见', 'Comment')}</label><input id="approve-comment" name="comment">`, 'approve-package') : ''}
</section>

${
  c.rebaseRequired.length > 0
    ? html`<section aria-labelledby="rebase" data-testid="cycle-rebase"><h2 id="rebase">${L(ctx, '须变基或撤回的动态调整方案', 'Ad-hoc revisions to rebase or withdraw')}</h2>
  <p>${L(ctx, '以下方案在本版本发布时仍在审批中，已退回提案单位：须基于新版本修订后重新提交，或撤回。', 'These were in review when the edition was released and went back to their proposers: rebase onto the edition and resubmit, or withdraw.')}</p>
  <ul>${c.rebaseRequired.map((p) => html`<li><a href="/proposals/${encodeURIComponent(p)}">${p}</a></li>`)}</ul></section>`
    : ''
}

<section aria-labelledby="refiling"><h2 id="refiling">${L(ctx, '地方标准重新备案', 'Provincial re-filing')}</h2>
${
  c.refiling.length === 0
    ? html`<p class="muted">${current >= phases.indexOf('released') ? L(ctx, '暂无低于新底线的地方标准。', 'No province below the new floor.') : L(ctx, '发布后跟踪。', 'Tracked after the release.')}</p>`
    : html`
  <p data-testid="refiling-progress"><progress max="${c.refiling.length}" value="${refiled}"></progress> ${refiled} / ${c.refiling.length} ${L(ctx, '已重新备案', 're-filed')}${overdue > 0 ? html` · <span class="badge badge-bad">${overdue} ${L(ctx, '逾期', 'overdue')}</span>` : ''}</p>
  <div class="table-wrap"><table data-testid="cycle-refiling"><thead><tr><th scope="col">${L(ctx, '省份', 'Province')}</th><th scope="col">${L(ctx, '服务项目', 'Item')}</th><th scope="col">${L(ctx, '备案期限', 'Deadline')}</th><th scope="col">${L(ctx, '状态', 'Status')}</th></tr></thead>
  <tbody>${c.refiling.map(
    (
      r,
    ) => html`<tr data-province="${r.provinceCode}" data-item="${r.itemCode}"><td>${provinceName(ctx, r.provinceCode)}</td><td><a href="/standards/items/${encodeURIComponent(r.itemCode)}?province=${r.provinceCode}">${r.itemCode}</a></td><td>${when(r.deadline)}</td>
    <td>${r.refiled ? html`<span class="badge badge-ok">${L(ctx, '已重新备案', 'Re-filed')}</span>` : r.overdue ? html`<span class="badge badge-bad">${L(ctx, '逾期未备案', 'Overdue')}</span>` : html`<span class="badge badge-warn">${L(ctx, '待备案', 'Pending')}</span>`}</td></tr>`,
  )}</tbody></table></div>`
}
${c.phase === 'refiling' && isFinalApprover(ctx) ? post('/close', L(ctx, '结束本周期', 'Close the cycle'), '', 'close-cycle') : ''}
</section>`;
}

export function registerCyclePages(app: FastifyInstance, deps: { backends: Backends; guarded: Guarded }): void {
  const { backends, guarded } = deps;
  const title = (ctx: PageContext) => L(ctx, '集中统一调整', 'Unified revision cycles');
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
      title: `${cycle.title || cycle.cycleId} · ${L(ctx, '集中统一调整', 'Unified revision')}`,
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
      try {
        const { cycle } = await backends.change('cycles', (c) => c.openCycle.bind(c), openCycleRequestFromForm((req.body ?? {}) as FormBody), token);
        return { redirect: cycleUrl(cycle ?? { cycleId: '' }) };
      } catch (e) {
        const r = refusalBox(ctx, e);
        return list(ctx, token, r.box, r.status);
      }
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
        try {
          await run(cycleId, (req.body ?? {}) as FormBody, token);
          return { redirect: cycleUrl({ cycleId }) };
        } catch (e) {
          const r = refusalBox(ctx, e);
          return show(ctx, token, cycleId, r.box, r.status);
        }
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
