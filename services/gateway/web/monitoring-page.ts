// The national monitoring page (issue #17): totals, counts per field and per province, and the items × provinces
// matrix, each cell a state with a symbol and a text alternative; the same query as the JSON and CSV downloads.
import type { MonitoringMatrix } from '../api/monitoring-routes';
import { monitoringStates, type MonitoringState } from '../../shared/standards/monitoring';
import { html, qs, type Html } from './html';
import { L, type PageContext } from './layout';

const stateLabels: Record<MonitoringState, readonly [symbol: string, zh: string, en: string]> = {
  BELOW_FLOOR: ['✗', '低于国家标准', 'Below the national floor'],
  NOT_FILED: ['·', '未备案', 'Not filed'],
  AT_FLOOR: ['=', '达到国家标准', 'At the national level'],
  ABOVE_FLOOR: ['▲', '高于国家标准（已备案）', 'Above the national level (filed)'],
  BLINDLY_HIGH: ['‼', '超出幅度过大（可能盲目拔高）', 'Above by more than the margin (possibly blindly high)'],
};
const label = (ctx: PageContext, s: MonitoringState): string => (ctx.lang === 'en' ? stateLabels[s][2] : stateLabels[s][1]);

export function monitoringPage(ctx: PageContext, q: { date: string; field: string; margin: number }, m: MonitoringMatrix): Html {
  const countCells = (c: Record<MonitoringState, number>) => monitoringStates.map((s) => html`<td class="num" data-state="${s}">${c[s]}</td>`);
  const head = monitoringStates.map((s) => html`<th scope="col" title="${label(ctx, s)}">${stateLabels[s][0]} ${label(ctx, s)}</th>`);
  const query = { date: m.asOfDate, field: q.field, margin: String(m.marginPercent) };
  return html`
<form method="get" action="/standards/monitoring" class="filters" role="search">
  <label for="date">${ctx.t('asOfDate')}</label>
  <input type="date" id="date" name="date" value="${m.asOfDate}" required>
  <label for="field">${ctx.t('field')}</label>
  <input id="field" name="field" value="${q.field}" size="12" placeholder="F21-HEALTH">
  <label for="margin">${L(ctx, '盲目拔高阈值（%）', 'Blindly-high margin (%)')}</label>
  <input type="number" id="margin" name="margin" min="0" max="1000" value="${String(m.marginPercent)}">
  <button type="submit">${ctx.t('show')}</button>
</form>
<p class="downloads no-print"><a href="/api/v1/standards/monitoring.csv${qs(query)}" data-testid="monitoring-csv" download>${L(ctx, '下载监测矩阵（CSV）', 'Download the matrix (CSV)')}</a>
  · <a href="/api/v1/standards/monitoring${qs(query)}">JSON</a> · <a href="#" data-action="print">${L(ctx, '打印', 'Print')}</a></p>
<section aria-labelledby="totals"><h2 id="totals">${L(ctx, '全国汇总', 'National totals')}</h2>
<div class="table-wrap"><table data-testid="monitoring-totals"><thead><tr><th scope="col">${L(ctx, '范围', 'Scope')}</th>${head}</tr></thead>
<tbody><tr><th scope="row">${L(ctx, '全国', 'All provinces')}</th>${countCells(m.totals)}</tr>
${m.byField.map((f) => html`<tr data-field="${f.fieldCode}"><th scope="row">${f.fieldCode}</th>${countCells(f.counts)}</tr>`)}</tbody></table></div></section>
<section aria-labelledby="by-province"><h2 id="by-province">${L(ctx, '分省情况', 'By province')}</h2>
<div class="table-wrap"><table data-testid="monitoring-provinces"><thead><tr><th scope="col">${ctx.t('province')}</th>${head}</tr></thead>
<tbody>${m.provinces.map((p) => html`<tr data-province="${p.provinceCode}"><th scope="row"><a href="/standards/compliance${qs({ province: p.provinceCode, date: m.asOfDate })}">${p.name}</a></th>${countCells(p.counts)}</tr>`)}</tbody></table></div></section>
<section aria-labelledby="matrix"><h2 id="matrix">${L(ctx, '监测矩阵（事项 × 省份）', 'Matrix (items × provinces)')}</h2>
<p class="muted">${monitoringStates.map((s) => `${stateLabels[s][0]} ${label(ctx, s)}`).join('　')}</p>
<div class="table-wrap"><table class="matrix" data-testid="monitoring-matrix"><thead><tr><th scope="col">${ctx.t('itemName')}</th>${m.provinces.map((p) => html`<th scope="col" title="${p.name}">${p.name.slice(0, 2)}</th>`)}</tr></thead>
<tbody>${m.items.map(
    (i) =>
      html`<tr data-item="${i.itemCode}"><th scope="row"><a href="/standards/items/${encodeURIComponent(i.itemCode)}${qs({ date: m.asOfDate })}">${i.itemCode}</a> ${i.name}</th>${m.provinces.map(
        (p) => {
          const s = p.cells[i.itemCode] ?? 'NOT_FILED';
          return html`<td class="cell cell-${s.toLowerCase()}" data-province="${p.provinceCode}" data-state="${s}" title="${p.name} · ${label(ctx, s)}"><span aria-hidden="true">${stateLabels[s][0]}</span><span class="sr-only">${label(ctx, s)}</span></td>`;
        },
      )}</tr>`,
  )}</tbody></table></div></section>`;
}
