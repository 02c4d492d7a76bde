// /api/v1/editions/*: importing an official edition of the standard (issue #17). `validate` answers the row report
// and the diff against the standard in force; `import` does the same and, for a file without problems, drafts the
// adjustment proposal that carries the edition (the proposals service decides who may draft it). Publication happens
// only through that proposal's approval. The file travels in the JSON body: text for CSV and JSON, base64 for XLSX.
import { Proposal } from '../../../proto/gen/bps/proposals/v1/proposal';
import type { DateMessage } from '../../../proto/gen/bps/common/v1/common';
import { FailedPreconditionError, ValidationError } from '../../shared/errors/errors';
import { editionFormats, type EditionFormat } from '../../shared/standards/edition-file';
import { importEdition, validateEdition, type EditionBasis, type EditionPorts } from '../../shared/standards/edition-import';
import type { Backends } from '../adapters/backends';
import { commonErrors, GatewayHttpError, objectSchema, type ApiRoute } from '../http/api';
import { MAX_FIELD_VIOLATIONS } from '../http/errors';
import type { JsonSchema, ProtoSchemas } from '../http/proto-schema';

const datePattern = '^\\d{4}-\\d{2}-\\d{2}$';
const fileSchema = {
  format: { type: 'string', enum: [...editionFormats] },
  content: { type: 'string', minLength: 1, maxLength: 180_000, description: 'The file: its text (csv, json) or base64 (xlsx)' },
};
const basisSchema = {
  documentNumber: { type: 'string', minLength: 1, maxLength: 200, description: '文号 of the edition' },
  documentDate: { type: 'string', pattern: datePattern, description: 'Date of the edition document (YYYY-MM-DD)' },
  title: { type: 'string', maxLength: 200 },
  documentUri: { type: 'string', maxLength: 2000 },
  effectiveFrom: { type: 'string', pattern: datePattern, description: 'Default: the document date' },
  cycleId: { type: 'string', maxLength: 100, description: 'Enter a unified revision cycle instead of an ad-hoc revision' },
  leadUnit: { type: 'string', maxLength: 32, description: 'Carry only the changes of items this unit leads (the rest is reported as outOfScope)' },
  fieldCode: { type: 'string', maxLength: 64, description: 'Carry only the changes of items in this field of the structure in force' },
};

const problemSchema = objectSchema({ row: { type: 'integer' }, column: { type: 'string' }, message: { type: 'string' } }, ['row', 'column', 'message']);
const entrySchema = { type: 'object', additionalProperties: true } as JsonSchema;
const reportSchema = objectSchema(
  {
    ok: { type: 'boolean' },
    rows: { type: 'integer' },
    digest: { type: 'string' },
    problems: { type: 'array', items: problemSchema },
    diff: objectSchema({
      added: { type: 'array', items: entrySchema },
      modified: { type: 'array', items: entrySchema },
      unchanged: { type: 'array', items: { type: 'string' } },
      notInEdition: { type: 'array', items: { type: 'string' } },
    }),
  },
  ['ok', 'rows', 'problems', 'digest'],
);

function dateOf(text: string, field: string): DateMessage {
  const [year, month, day] = text.split('-').map(Number) as [number, number, number];
  const d = new Date(Date.UTC(year, month - 1, day));
  if (d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) throw GatewayHttpError.invalid([{ field, description: 'not a calendar date' }]);
  return { year, month, day };
}

function fileOf(body: Record<string, unknown>): { bytes: Uint8Array; format: EditionFormat } {
  const format = body['format'] as EditionFormat;
  const content = String(body['content']);
  if (format === 'xlsx') {
    if (!/^[A-Za-z0-9+/=\s]+$/.test(content)) throw GatewayHttpError.invalid([{ field: 'content', description: 'an XLSX file is sent as base64' }]);
    return { bytes: Buffer.from(content, 'base64'), format };
  }
  return { bytes: Buffer.from(content, 'utf8'), format };
}

export function editionRoutes(backends: Backends, schemas: ProtoSchemas): ApiRoute[] {
  const call = backends.call.bind(backends);
  const tag = 'editions';
  const ports = (token: string | undefined): EditionPorts => ({
    listItems: () => call('registry', (c) => c.listItems.bind(c), { asOf: undefined, fieldCode: '', categoryCode: '', provinceCode: '' }, token),
    getTaxonomy: () => call('registry', (c) => c.getTaxonomy.bind(c), { asOf: undefined }, token),
  });
  return [
    {
      method: 'POST',
      url: '/api/v1/editions/validate',
      operationId: 'validateEdition',
      tag,
      auth: true,
      // Reads only (a report on the file sent): there is nothing for an Idempotency-Key to protect.
      idempotent: false,
      summary: 'Row report of an edition file and its diff against the standard in force (nothing is stored)',
      body: objectSchema(fileSchema, ['format', 'content']),
      response: reportSchema,
      errors: [...commonErrors],
      handler: async ({ body, token }) => {
        const { bytes, format } = fileOf(body as Record<string, unknown>);
        const { changes: _changes, ...report } = await validateEdition(bytes, format, ports(token));
        return report;
      },
    },
    {
      method: 'POST',
      url: '/api/v1/editions/import',
      operationId: 'importEdition',
      tag,
      auth: true,
      idempotent: true,
      summary: 'Drafts the adjustment proposal that carries an edition (published only through its approval)',
      description:
        'A file with any row problem answers 400 with one field violation per problem (rows[N].column) and creates nothing; ' +
        'an edition that changes nothing answers 422. The draft is created with the caller as drafter: the proposals ' +
        "service's rules apply (role ministry-staff, lead unit of every changed item).",
      body: objectSchema({ ...fileSchema, ...basisSchema }, ['format', 'content', 'documentNumber', 'documentDate']),
      response: objectSchema({ report: reportSchema, proposal: schemas.ref('bps.proposals.v1.Proposal'), outOfScope: { type: 'array', items: entrySchema } }),
      successStatus: 201,
      errors: [...commonErrors, 404, 409, 422],
      handler: async ({ body, token }) => {
        const b = body as Record<string, unknown>;
        const { bytes, format } = fileOf(b);
        const basis: EditionBasis = {
          documentNumber: String(b['documentNumber']).trim(),
          documentDate: dateOf(String(b['documentDate']), 'documentDate'),
          ...(typeof b['title'] === 'string' ? { title: b['title'] } : {}),
          ...(typeof b['documentUri'] === 'string' ? { documentUri: b['documentUri'] } : {}),
          ...(typeof b['effectiveFrom'] === 'string' ? { effectiveFrom: dateOf(b['effectiveFrom'], 'effectiveFrom') } : {}),
          ...(typeof b['cycleId'] === 'string' && b['cycleId'] ? { cycleId: b['cycleId'] } : {}),
        };
        try {
          const scope = {
            ...(typeof b['leadUnit'] === 'string' && b['leadUnit'] ? { leadUnit: b['leadUnit'] } : {}),
            ...(typeof b['fieldCode'] === 'string' && b['fieldCode'] ? { fieldCode: b['fieldCode'] } : {}),
          };
          const { report, proposal, outOfScope } = await importEdition(
            bytes,
            format,
            basis,
            {
              ...ports(token),
              createProposal: async (content, requestId) => (await call('proposals', (c) => c.createProposal.bind(c), { content, requestId }, token)).proposal,
            },
            scope,
          );
          return { report, proposal: Proposal.toJSON(proposal), outOfScope };
        } catch (error) {
          if (error instanceof ValidationError)
            throw GatewayHttpError.invalid(
              error.violations.slice(0, MAX_FIELD_VIOLATIONS).map((v) => ({ field: v.field, description: v.description })),
              error.message,
            );
          if (error instanceof FailedPreconditionError)
            throw new GatewayHttpError({
              status: 422,
              body: { error: { code: 'FAILED_PRECONDITION', message: error.message, reason: 'NO_CHANGE', violations: [...error.violations] } },
            });
          throw error;
        }
      },
    },
  ];
}
