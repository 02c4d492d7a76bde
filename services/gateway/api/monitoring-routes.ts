// National monitoring (issue #17): the provinces × items matrix of implementation standards against the national
// floor on a date — below the floor, not filed, at it, above it, blindly high — with counts per province and per
// field, as JSON, as CSV and (services/gateway/web) as a page. Composed from the registry's national compliance read
// (every province's report in one pass); public like the reports it is made of.
import type { GetComplianceReportResponse, MonitoringCounts } from '../../../proto/gen/bps/registry/v1/registry';
import {
  DEFAULT_BLINDLY_HIGH_MARGIN_PERCENT,
  emptyCounts,
  monitoringState,
  monitoringStates,
  type MonitoringState,
  type StateCounts,
} from '../../shared/standards/monitoring';
import { todayInChina } from '../../shared/standards/china-date';
import type { Backends } from '../adapters/backends';
import { commonErrors, objectSchema, type ApiRoute } from '../http/api';
import { csvDownload } from '../http/csv';
import { formatDate, isoDatePattern } from '../http/dates';
import { provinces } from '../web/provinces';
import { dateQuery } from './registry-routes';

export type MonitoringMatrix = {
  readonly asOfDate: string;
  readonly marginPercent: number;
  readonly items: readonly { readonly itemCode: string; readonly name: string; readonly fieldCode: string }[];
  readonly provinces: readonly {
    readonly provinceCode: string;
    readonly name: string;
    readonly counts: StateCounts;
    readonly cells: Readonly<Record<string, MonitoringState>>;
  }[];
  readonly byField: readonly { readonly fieldCode: string; readonly counts: StateCounts }[];
  readonly totals: StateCounts;
};

export type MonitoringQuery = { readonly date?: string; readonly field?: string; readonly marginPercent?: number };

export async function nationalMonitoring(backends: Backends, token: string | undefined, q: MonitoringQuery): Promise<MonitoringMatrix> {
  const date = q.date || todayInChina();
  const asOf = { date: dateQuery(date, 'date'), knownAt: undefined };
  const margin = q.marginPercent ?? DEFAULT_BLINDLY_HIGH_MARGIN_PERCENT;
  const national = await backends.call('registry', (c) => c.getNationalCompliance.bind(c), { asOf }, token);
  const reports: readonly GetComplianceReportResponse[] = national.provinces;
  const items = new Map<string, { itemCode: string; name: string; fieldCode: string }>();
  const byField = new Map<string, StateCounts>();
  const totals = emptyCounts();
  const rows = reports.map((report) => {
    const counts = emptyCounts();
    const cells: Record<string, MonitoringState> = {};
    for (const line of report.lines) {
      if (q.field && line.fieldCode !== q.field) continue;
      items.set(line.itemCode, { itemCode: line.itemCode, name: line.name, fieldCode: line.fieldCode });
      const state = monitoringState(line, margin);
      cells[line.itemCode] = state;
      counts[state] += 1;
      totals[state] += 1;
      const field = byField.get(line.fieldCode) ?? emptyCounts();
      field[state] += 1;
      byField.set(line.fieldCode, field);
    }
    const code = report.provinceCode;
    return { provinceCode: code, name: provinces.find((p) => p.code === code)?.name ?? code, counts, cells };
  });
  return {
    asOfDate: formatDate(national.asOfDate) || date,
    marginPercent: margin,
    items: [...items.values()].sort((a, b) => a.itemCode.localeCompare(b.itemCode, 'en', { numeric: true })),
    provinces: rows,
    byField: [...byField.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([fieldCode, counts]) => ({ fieldCode, counts })),
    totals,
  };
}

export type MonitoringHistory = {
  readonly from: string;
  readonly to: string;
  readonly interval: 'month' | 'year';
  readonly marginPercent: number;
  readonly points: readonly {
    readonly date: string;
    readonly totals: StateCounts;
    readonly byProvince: readonly { readonly provinceCode: string; readonly name: string; readonly counts: StateCounts }[];
    readonly byField: readonly { readonly fieldCode: string; readonly counts: StateCounts }[];
  }[];
};

export type HistoryQuery = {
  readonly from?: string;
  readonly to?: string;
  readonly interval?: 'month' | 'year';
  readonly field?: string;
  readonly marginPercent?: number;
  readonly province?: string;
};

const stateCounts = (c: MonitoringCounts | undefined): StateCounts => ({
  BELOW_FLOOR: c?.belowFloor ?? 0,
  REFILING_OVERDUE: c?.refilingOverdue ?? 0,
  NOT_FILED: c?.notFiled ?? 0,
  AT_FLOOR: c?.atFloor ?? 0,
  ABOVE_FLOOR: c?.aboveFloor ?? 0,
  BLINDLY_HIGH: c?.blindlyHigh ?? 0,
});

/** The first day of the month twelve months before `date` (the default start of a history). */
export function yearBefore(date: string): string {
  return `${String(Number(date.slice(0, 4)) - 1).padStart(4, '0')}-${date.slice(5, 7)}-01`;
}

/** The monitoring counts over time (nationally, per province — or only `province` —, per field) from the registry. */
export async function monitoringHistory(backends: Backends, token: string | undefined, q: HistoryQuery): Promise<MonitoringHistory> {
  const to = q.to || todayInChina();
  const from = q.from || yearBefore(to);
  const interval = q.interval ?? 'month';
  const res = await backends.call(
    'registry',
    (c) => c.getComplianceHistory.bind(c),
    {
      from: dateQuery(from, 'from'),
      to: dateQuery(to, 'to'),
      interval,
      marginPercent: q.marginPercent ?? DEFAULT_BLINDLY_HIGH_MARGIN_PERCENT,
      fieldCode: q.field ?? '',
      knownAt: undefined,
    },
    token,
  );
  return {
    from,
    to,
    interval,
    marginPercent: res.marginPercent,
    points: res.points.map((p) => ({
      date: formatDate(p.date),
      totals: stateCounts(p.totals),
      byProvince: p.provinces
        .filter((x) => !q.province || x.provinceCode === q.province)
        .map((x) => ({
          provinceCode: x.provinceCode,
          name: provinces.find((v) => v.code === x.provinceCode)?.name ?? x.provinceCode,
          counts: stateCounts(x.counts),
        })),
      byField: p.fields.map((f) => ({ fieldCode: f.fieldCode, counts: stateCounts(f.counts) })),
    })),
  };
}

const counts = {
  type: 'object',
  properties: Object.fromEntries(monitoringStates.map((s) => [s, { type: 'integer' }])),
};
const historyQuerySchema = objectSchema({
  from: { type: 'string', pattern: isoDatePattern, description: 'YYYY-MM-DD, the first date (default: the first of the month a year before `to`)' },
  to: { type: 'string', pattern: isoDatePattern, description: 'YYYY-MM-DD, the last date (default: today, Asia/Shanghai)' },
  interval: { type: 'string', enum: ['month', 'year'], description: 'one point on the first day of each month (default) or year, plus `from` and `to`' },
  field: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._-]+$', description: 'only the items of this field' },
  province: { type: 'string', pattern: '^\\d{6}$', description: 'only this province in byProvince (GB/T 2260 code)' },
  margin: {
    type: 'integer',
    minimum: 0,
    maximum: 1000,
    description: `percent above the national level from which a local level is "blindly high" (default ${DEFAULT_BLINDLY_HIGH_MARGIN_PERCENT})`,
  },
});
const historyQueryOf = (query: Record<string, unknown>): HistoryQuery => ({
  ...(typeof query['from'] === 'string' ? { from: query['from'] } : {}),
  ...(typeof query['to'] === 'string' ? { to: query['to'] } : {}),
  ...(query['interval'] === 'year' || query['interval'] === 'month' ? { interval: query['interval'] } : {}),
  ...(typeof query['field'] === 'string' ? { field: query['field'] } : {}),
  ...(typeof query['province'] === 'string' ? { province: query['province'] } : {}),
  ...(typeof query['margin'] === 'number' ? { marginPercent: query['margin'] } : {}),
});
const historyPoint = {
  type: 'object',
  properties: {
    date: { type: 'string' },
    totals: counts,
    byProvince: { type: 'array', items: { type: 'object', properties: { provinceCode: { type: 'string' }, name: { type: 'string' }, counts } } },
    byField: { type: 'array', items: { type: 'object', properties: { fieldCode: { type: 'string' }, counts } } },
  },
};
const monitoringQuery = objectSchema({
  date: { type: 'string', pattern: isoDatePattern, description: 'YYYY-MM-DD (default: today, Asia/Shanghai)' },
  field: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._-]+$', description: 'only the items of this field' },
  margin: {
    type: 'integer',
    minimum: 0,
    maximum: 1000,
    description: `percent above the national level from which a local level is "blindly high" (default ${DEFAULT_BLINDLY_HIGH_MARGIN_PERCENT})`,
  },
});
const queryOf = (query: Record<string, unknown>): MonitoringQuery => ({
  ...(typeof query['date'] === 'string' ? { date: query['date'] } : {}),
  ...(typeof query['field'] === 'string' ? { field: query['field'] } : {}),
  ...(typeof query['margin'] === 'number' ? { marginPercent: query['margin'] } : {}),
});

export function monitoringRoutes(backends: Backends): ApiRoute[] {
  const tag = 'standards';
  return [
    {
      method: 'GET',
      url: '/api/v1/standards/monitoring',
      operationId: 'nationalMonitoring',
      tag,
      auth: 'public',
      summary: 'National monitoring: every province × item against the national floor on a date, with counts per province and per field',
      querystring: monitoringQuery,
      response: {
        type: 'object',
        properties: {
          asOfDate: { type: 'string' },
          marginPercent: { type: 'integer' },
          items: {
            type: 'array',
            items: { type: 'object', properties: { itemCode: { type: 'string' }, name: { type: 'string' }, fieldCode: { type: 'string' } } },
          },
          provinces: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                provinceCode: { type: 'string' },
                name: { type: 'string' },
                counts,
                cells: {
                  type: 'object',
                  additionalProperties: { type: 'string', enum: [...monitoringStates] },
                },
              },
            },
          },
          byField: { type: 'array', items: { type: 'object', properties: { fieldCode: { type: 'string' }, counts } } },
          totals: counts,
        },
      },
      errors: [...commonErrors],
      handler: async ({ query, token }) => nationalMonitoring(backends, token, queryOf(query)),
    },
    {
      method: 'GET',
      url: '/api/v1/standards/monitoring.csv',
      operationId: 'nationalMonitoringCsv',
      tag,
      auth: 'public',
      summary: 'The national monitoring matrix as CSV (UTF-8 with BOM): one row per province and item with its state',
      querystring: monitoringQuery,
      response: { type: 'string', description: 'text/csv' },
      errors: [...commonErrors],
      handler: async ({ query, token }) => {
        const m = await nationalMonitoring(backends, token, queryOf(query));
        const rows = m.provinces.flatMap((p) =>
          m.items.map((i) => [p.provinceCode, p.name, i.fieldCode, i.itemCode, i.name, p.cells[i.itemCode] ?? 'NOT_FILED']),
        );
        return csvDownload([['province_code', 'province', 'field_code', 'item_code', 'item', 'state'], ...rows], `bps-monitoring-${m.asOfDate}.csv`);
      },
    },
    {
      method: 'GET',
      url: '/api/v1/standards/monitoring/history',
      operationId: 'nationalMonitoringHistory',
      tag,
      auth: 'public',
      summary: 'National monitoring over time: the counts of every state on each date (first of each month or year), nationally, per province and per field',
      querystring: historyQuerySchema,
      response: {
        type: 'object',
        properties: {
          from: { type: 'string' },
          to: { type: 'string' },
          interval: { type: 'string' },
          marginPercent: { type: 'integer' },
          points: { type: 'array', items: historyPoint },
        },
      },
      errors: [...commonErrors],
      handler: async ({ query, token }) => monitoringHistory(backends, token, historyQueryOf(query)),
    },
    {
      method: 'GET',
      url: '/api/v1/standards/monitoring/history.csv',
      operationId: 'nationalMonitoringHistoryCsv',
      tag,
      auth: 'public',
      summary: 'National monitoring over time as CSV (UTF-8 with BOM): one row per date and scope (national, province, field) with the count of each state',
      querystring: historyQuerySchema,
      response: { type: 'string', description: 'text/csv' },
      errors: [...commonErrors],
      handler: async ({ query, token }) => {
        const h = await monitoringHistory(backends, token, historyQueryOf(query));
        const row = (date: string, scope: string, code: string, name: string, c: StateCounts) => [
          date,
          scope,
          code,
          name,
          ...monitoringStates.map((s) => String(c[s])),
        ];
        const rows = h.points.flatMap((p) => [
          row(p.date, 'national', '', '全国', p.totals),
          ...p.byProvince.map((x) => row(p.date, 'province', x.provinceCode, x.name, x.counts)),
          ...p.byField.map((f) => row(p.date, 'field', f.fieldCode, f.fieldCode, f.counts)),
        ]);
        const header = ['date', 'scope', 'code', 'name', ...monitoringStates.map((s) => s.toLowerCase())];
        return csvDownload([header, ...rows], `bps-monitoring-history-${h.from}-${h.to}.csv`);
      },
    },
  ];
}
