// National monitoring (issue #17): the provinces × items matrix of implementation standards against the national
// floor on a date — below the floor, not filed, at it, above it, blindly high — with counts per province and per
// field, as JSON, as CSV and (services/gateway/web) as a page. Composed from the registry's national compliance read
// (every province's report in one pass); public like the reports it is made of.
import type { GetComplianceReportResponse } from '../../../proto/gen/bps/registry/v1/registry';
import { DEFAULT_BLINDLY_HIGH_MARGIN_PERCENT, emptyCounts, monitoringState, type MonitoringState, type StateCounts } from '../../shared/standards/monitoring';
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

const counts = {
  type: 'object',
  properties: {
    BELOW_FLOOR: { type: 'integer' },
    NOT_FILED: { type: 'integer' },
    AT_FLOOR: { type: 'integer' },
    ABOVE_FLOOR: { type: 'integer' },
    BLINDLY_HIGH: { type: 'integer' },
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
                  additionalProperties: { type: 'string', enum: ['BELOW_FLOOR', 'NOT_FILED', 'AT_FLOOR', 'ABOVE_FLOOR', 'BLINDLY_HIGH'] },
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
  ];
}
