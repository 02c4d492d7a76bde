// The national monitoring page (issue #17): totals, counts per field and per province, and the items × provinces
// matrix, each cell a state with a symbol and a text alternative; the same query as the JSON and CSV downloads.
import type { MonitoringHistory, MonitoringMatrix } from '../api/monitoring-routes';
import { monitoringStates, type MonitoringState } from '../../shared/standards/monitoring';
import { html, qs, type Html } from './html';
import { labelIn, type PageContext } from './layout';

/** Each state's symbol (the cells and the legend also carry its label as text). */
const stateSymbols: Record<MonitoringState, string> = {
  BELOW_FLOOR: '✗',
  REFILING_OVERDUE: '⏰',
  NOT_FILED: '·',
  AT_FLOOR: '=',
  ABOVE_FLOOR: '▲',
  BLINDLY_HIGH: '‼',
};
const label = (ctx: PageContext, s: MonitoringState): string => labelIn(ctx, 'monitoring.stateLabel', s);

/** Line colours of the history chart (the legend and the table carry the same information as text). */
const stateColours: Record<MonitoringState, string> = {
  BELOW_FLOOR: '#c0392b',
  REFILING_OVERDUE: '#6d0f0a',
  NOT_FILED: '#999999',
  AT_FLOOR: '#2e7d32',
  ABOVE_FLOOR: '#1565c0',
  BLINDLY_HIGH: '#b8860b',
};
/** What the chart draws: every state but "not filed" (which dwarfs the others while few provinces have filed). */
const chartedStates = monitoringStates.filter((s) => s !== 'NOT_FILED');

/** A simple SVG line chart of the national counts over time, one polyline per state. */
function historyChart(ctx: PageContext, h: MonitoringHistory): Html {
  const width = 720;
  const height = 220;
  const pad = { left: 40, right: 10, top: 10, bottom: 30 };
  const n = h.points.length;
  const max = Math.max(1, ...h.points.flatMap((p) => chartedStates.map((s) => p.totals[s])));
  const x = (i: number): number => pad.left + (n <= 1 ? 0 : (i * (width - pad.left - pad.right)) / (n - 1));
  const y = (v: number): number => height - pad.bottom - (v * (height - pad.top - pad.bottom)) / max;
  const lines = chartedStates.map((s) => {
    const points = h.points.map((p, i) => `${x(i).toFixed(1)},${y(p.totals[s]).toFixed(1)}`).join(' ');
    return html`<polyline fill="none" stroke="${stateColours[s]}" stroke-width="2" points="${points}" data-state="${s}"><title>${label(ctx, s)}</title></polyline>`;
  });
  const ticks = h.points.map((p, i) =>
    i === 0 || i === n - 1 || n <= 13 ? html`<text x="${x(i).toFixed(1)}" y="${height - 12}" text-anchor="middle">${p.date.slice(0, 7)}</text>` : '',
  );
  return html`<svg class="history-chart" data-testid="monitoring-history-chart" role="img" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" aria-label="${ctx.t('monitoring.nationalCountsOfEach')}">
<line class="axis" x1="${pad.left}" y1="${height - pad.bottom}" x2="${width - pad.right}" y2="${height - pad.bottom}"/>
<line class="axis" x1="${pad.left}" y1="${pad.top}" x2="${pad.left}" y2="${height - pad.bottom}"/>
<text x="${pad.left - 4}" y="${pad.top + 8}" text-anchor="end">${max}</text><text x="${pad.left - 4}" y="${height - pad.bottom}" text-anchor="end">0</text>
${lines}${ticks}</svg>
<p class="muted">${chartedStates.map((s) => html`<svg width="10" height="10" aria-hidden="true"><rect width="10" height="10" fill="${stateColours[s]}"/></svg> ${label(ctx, s)}　`)}</p>`;
}

/** The history section: the chart, the national counts per date as a table, and its CSV. */
function historySection(ctx: PageContext, h: MonitoringHistory, query: Record<string, string>): Html {
  const head = monitoringStates.map((s) => html`<th scope="col">${stateSymbols[s]} ${label(ctx, s)}</th>`);
  return html`<section aria-labelledby="history"><h2 id="history">${ctx.t('monitoring.history')} (${h.from} – ${h.to})</h2>
${historyChart(ctx, h)}
<p class="downloads no-print"><a href="/api/v1/standards/monitoring/history.csv${qs(query)}" data-testid="monitoring-history-csv" download>${ctx.t('monitoring.downloadTheHistoryCsv')}</a>
  · <a href="/api/v1/standards/monitoring/history${qs(query)}">JSON</a></p>
<div class="table-wrap"><table data-testid="monitoring-history"><thead><tr><th scope="col">${ctx.t('common.asOfDate')}</th>${head}</tr></thead>
<tbody>${h.points.map((p) => html`<tr data-date="${p.date}"><th scope="row"><a href="/standards/monitoring${qs({ ...query, date: p.date, from: undefined, to: undefined })}">${p.date}</a></th>${monitoringStates.map((s) => html`<td class="num" data-state="${s}">${p.totals[s]}</td>`)}</tr>`)}</tbody></table></div></section>`;
}

export function monitoringPage(ctx: PageContext, q: { date: string; field: string; margin: number }, m: MonitoringMatrix, history?: MonitoringHistory): Html {
  const countCells = (c: Record<MonitoringState, number>) => monitoringStates.map((s) => html`<td class="num" data-state="${s}">${c[s]}</td>`);
  const head = monitoringStates.map((s) => html`<th scope="col" title="${label(ctx, s)}">${stateSymbols[s]} ${label(ctx, s)}</th>`);
  const query = { date: m.asOfDate, field: q.field, margin: String(m.marginPercent) };
  return html`
<form method="get" action="/standards/monitoring" class="filters" role="search">
  <label for="date">${ctx.t('common.asOfDate')}</label>
  <input type="date" id="date" name="date" value="${m.asOfDate}" required>
  <label for="field">${ctx.t('common.field')}</label>
  <input id="field" name="field" value="${q.field}" size="12" placeholder="F21-HEALTH">
  <label for="margin">${ctx.t('monitoring.blindlyHighMargin')}</label>
  <input type="number" id="margin" name="margin" min="0" max="1000" value="${String(m.marginPercent)}">
  <button type="submit">${ctx.t('common.show')}</button>
</form>
<p class="downloads no-print"><a href="/api/v1/standards/monitoring.csv${qs(query)}" data-testid="monitoring-csv" download>${ctx.t('monitoring.downloadTheMatrixCsv')}</a>
  · <a href="/api/v1/standards/monitoring${qs(query)}">JSON</a> · <a href="#" data-action="print">${ctx.t('common.print')}</a></p>
<section aria-labelledby="totals"><h2 id="totals">${ctx.t('monitoring.nationalTotals')}</h2>
<div class="table-wrap"><table data-testid="monitoring-totals"><thead><tr><th scope="col">${ctx.t('monitoring.scope')}</th>${head}</tr></thead>
<tbody><tr><th scope="row">${ctx.t('monitoring.allProvinces')}</th>${countCells(m.totals)}</tr>
${m.byField.map((f) => html`<tr data-field="${f.fieldCode}"><th scope="row">${f.fieldCode}</th>${countCells(f.counts)}</tr>`)}</tbody></table></div></section>
${history ? historySection(ctx, history, { from: history.from, to: history.to, field: q.field, margin: String(m.marginPercent) }) : ''}
<section aria-labelledby="by-province"><h2 id="by-province">${ctx.t('monitoring.byProvince')}</h2>
<div class="table-wrap"><table data-testid="monitoring-provinces"><thead><tr><th scope="col">${ctx.t('common.province')}</th>${head}</tr></thead>
<tbody>${m.provinces.map((p) => html`<tr data-province="${p.provinceCode}"><th scope="row"><a href="/standards/compliance${qs({ province: p.provinceCode, date: m.asOfDate })}">${p.name}</a></th>${countCells(p.counts)}</tr>`)}</tbody></table></div></section>
<section aria-labelledby="matrix"><h2 id="matrix">${ctx.t('monitoring.matrixItemsProvinces')}</h2>
<p class="muted">${monitoringStates.map((s) => `${stateSymbols[s]} ${label(ctx, s)}`).join('　')}</p>
<div class="table-wrap"><table class="matrix" data-testid="monitoring-matrix"><thead><tr><th scope="col">${ctx.t('common.itemName')}</th>${m.provinces.map((p) => html`<th scope="col" title="${p.name}">${p.name.slice(0, 2)}</th>`)}</tr></thead>
<tbody>${m.items.map(
    (i) =>
      html`<tr data-item="${i.itemCode}"><th scope="row"><a href="/standards/items/${encodeURIComponent(i.itemCode)}${qs({ date: m.asOfDate })}">${i.itemCode}</a> ${i.name}</th>${m.provinces.map(
        (p) => {
          const s = p.cells[i.itemCode] ?? 'NOT_FILED';
          return html`<td class="cell cell-${s.toLowerCase()}" data-province="${p.provinceCode}" data-state="${s}" title="${p.name} · ${label(ctx, s)}"><span aria-hidden="true">${stateSymbols[s]}</span><span class="sr-only">${label(ctx, s)}</span></td>`;
        },
      )}</tr>`,
  )}</tbody></table></div></section>`;
}
