// The console's edition import (issue #17): a person uploads an official edition file (CSV, XLSX or JSON) with its
// document number and date, sees the row report and the diff against the standard in force, then submits it — which
// drafts the adjustment proposal that carries the edition (published only through that proposal's approval). The
// checks and the draft are the shared use cases of /api/v1/editions (services/shared/standards/edition-import.ts);
// this page only reads the form and shows their answers. The proposals service decides who may draft (ministry staff
// of the items' lead unit), as for the API and the CLI.
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { DateMessage } from '../../../proto/gen/bps/common/v1/common';
import { FailedPreconditionError, ValidationError } from '../../shared/errors/errors';
import { parseIsoDate } from '../../shared/standards/china-date';
import { editionFormats, formatOfName, type EditionFormat } from '../../shared/standards/edition-file';
import { importEdition, validateEdition, type EditionBasis, type EditionPorts, type EditionReport } from '../../shared/standards/edition-import';
import type { Backends } from '../adapters/backends';
import { formValue, type FormBody } from '../http/cookies';
import { GatewayHttpError } from '../http/api';
import { html, type Html } from './html';
import { alertBox, type PageContext } from './layout';
import type { Guarded } from './page-types';
import { refusalBox } from './work-pages';

const PAGE = '/editions/import';
const SUBMIT = '/editions/import/submit';
/** As the JSON API's `content` (180,000 characters): an edition of 80 items is far smaller. */
const MAX_FILE_BYTES = 180_000;

/** A multipart upload as the page's handler sees it: the text fields, and the file. */
type Upload = { fields: FormBody; file: { name: string; bytes: Buffer } | undefined };

type Basis = { documentNumber: string; documentDate: string; title: string; effectiveFrom: string; leadUnit: string; fieldCode: string };
const basisFields = ['documentNumber', 'documentDate', 'title', 'effectiveFrom', 'leadUnit', 'fieldCode'] as const;

function basisOf(form: FormBody): Basis {
  return Object.fromEntries(basisFields.map((f) => [f, formValue(form, f).trim()])) as Basis;
}

/** The basis as the use case takes it; a missing number or an impossible date is a 400 naming the field. */
function editionBasis(b: Basis): EditionBasis {
  const violations: { field: string; description: string }[] = [];
  if (!b.documentNumber) violations.push({ field: 'documentNumber', description: L0('必填：版本的文号', 'required: the edition’s document number') });
  const date = (text: string, field: string, required: boolean): DateMessage | undefined => {
    if (!text && !required) return undefined;
    const d = parseIsoDate(text);
    if (!d) violations.push({ field, description: L0('须为日期 YYYY-MM-DD', 'must be a date YYYY-MM-DD') });
    return d;
  };
  const documentDate = date(b.documentDate, 'documentDate', true);
  const effectiveFrom = date(b.effectiveFrom, 'effectiveFrom', false);
  if (violations.length > 0 || !documentDate) throw GatewayHttpError.invalid(violations);
  return { documentNumber: b.documentNumber, documentDate, ...(b.title ? { title: b.title } : {}), ...(effectiveFrom ? { effectiveFrom } : {}) };
}
// Field violations are read by API clients too: both languages.
const L0 = (zh: string, en: string): string => `${zh}（${en}）`;

const input = (id: string, label: string, value: string, extra: Html | string = ''): Html =>
  html`<label for="${id}">${label}</label><input id="${id}" name="${id}" value="${value}"${extra}>`;

function uploadForm(ctx: PageContext, b: Basis): Html {
  return html`<form method="post" action="${PAGE}" enctype="multipart/form-data" class="stacked" data-testid="edition-upload">
  <p class="muted">${ctx.t('edition.uploadAnOfficialEdition')} ${ctx.t('edition.templateInfraTemplatesEdition')}</p>
  <label for="file">${ctx.t('edition.editionFile')}</label><input type="file" id="file" name="file" accept=".csv,.xlsx,.json" required>
  ${input('documentNumber', ctx.t('edition.documentNumber'), b.documentNumber, html` required maxlength="200"`)}
  ${input('documentDate', ctx.t('edition.documentDate'), b.documentDate, html` type="date" required`)}
  ${input('title', ctx.t('edition.title'), b.title, html` maxlength="200" placeholder="国家基本公共服务标准（2021年版）"`)}
  ${input('effectiveFrom', ctx.t('edition.effectiveFromDefaultDocument'), b.effectiveFrom, html` type="date"`)}
  ${input('leadUnit', ctx.t('edition.onlyItemsThisUnit'), b.leadUnit, html` maxlength="32"`)}
  ${input('fieldCode', ctx.t('edition.onlyItemsOfThis'), b.fieldCode, html` maxlength="64"`)}
  <button type="submit" class="primary" data-testid="edition-validate">${ctx.t('edition.checkAndPreview')}</button>
</form>`;
}

function reportView(ctx: PageContext, report: EditionReport, fileName: string): Html {
  const d = report.diff;
  return html`<section aria-labelledby="edition-report" data-testid="edition-report"><h2 id="edition-report">${ctx.t('edition.rowReport')}</h2>
<p class="summary">${fileName} · ${report.rows} ${ctx.t('edition.rows')} · sha256 <code>${report.digest.slice(0, 16)}…</code> · ${
    report.ok
      ? html`<span class="badge badge-ok" data-testid="edition-ok">${ctx.t('edition.everyRowIsValid')}</span>`
      : html`<span class="badge badge-bad" data-testid="edition-problem-count">${report.problems.length} ${ctx.t('edition.problemS')}</span>`
  }</p>
${
  report.problems.length > 0
    ? html`<div class="table-wrap"><table data-testid="edition-problems"><thead><tr><th scope="col">${ctx.t('edition.row')}</th><th scope="col">${ctx.t('edition.column')}</th><th scope="col">${ctx.t('edition.problem')}</th></tr></thead>
<tbody>${report.problems.map((p) => html`<tr><td>${p.row}</td><td>${p.column}</td><td>${p.message}</td></tr>`)}</tbody></table></div>`
    : ''
}
</section>
${
  d
    ? html`<section aria-labelledby="edition-diff" data-testid="edition-diff"><h2 id="edition-diff">${ctx.t('edition.againstTheStandardIn')}</h2>
<p class="summary">${ctx.t('edition.added')} <strong data-testid="diff-added">${d.added.length}</strong> · ${ctx.t('edition.modified')} <strong data-testid="diff-modified">${d.modified.length}</strong> · ${ctx.t('edition.unchanged')} <strong data-testid="diff-unchanged">${d.unchanged.length}</strong> · ${ctx.t('edition.notInTheFile')} <strong>${d.notInEdition.length}</strong></p>
${
  d.added.length + d.modified.length > 0
    ? html`<div class="table-wrap"><table data-testid="edition-changes"><thead><tr><th scope="col">${ctx.t('edition.row')}</th><th scope="col">${ctx.t('common.item')}</th><th scope="col">${ctx.t('edition.change')}</th><th scope="col">${ctx.t('common.leadUnitShort')}</th><th scope="col">${ctx.t('common.field')}</th></tr></thead><tbody>
${d.added.map((a) => html`<tr data-item="${a.itemCode}"><td>${a.row}</td><td>${a.itemCode} ${a.name}</td><td>${ctx.t('edition.added')}</td><td>${a.leadUnit}</td><td>${a.fieldCode}</td></tr>`)}
${d.modified.map((m) => html`<tr data-item="${m.itemCode}"><td>${m.row}</td><td><a href="/standards/items/${encodeURIComponent(m.itemCode)}">${m.itemCode}</a> ${m.name}</td><td>${ctx.t('edition.modified')} v${m.baseVersion}：${m.attributes.join('、')}</td><td>${m.leadUnit}</td><td>${m.fieldCode}</td></tr>`)}
</tbody></table></div>`
    : alertBox('info', ctx.t('edition.editionStatesTheStandard'))
}</section>`
    : ''
}`;
}

/** The preview's second form: the same file (base64) and basis, posted to draft the proposal. */
function submitForm(ctx: PageContext, format: EditionFormat, bytes: Buffer, fileName: string, b: Basis): Html {
  return html`<form method="post" action="${SUBMIT}" data-testid="edition-submit-form">
  <input type="hidden" name="format" value="${format}"><input type="hidden" name="fileName" value="${fileName}">
  <input type="hidden" name="digest" value="${createHash('sha256').update(bytes).digest('hex')}">
  <input type="hidden" name="content" value="${bytes.toString('base64')}">
  ${basisFields.map((f) => html`<input type="hidden" name="${f}" value="${b[f]}">`)}
  <p class="muted">${ctx.t('edition.submittingDraftsTheAdjustment')}</p>
  <button type="submit" class="primary" data-testid="edition-submit">${ctx.t('edition.submitForApprovalDraft')}</button>
</form>`;
}

export function registerEditionPages(app: FastifyInstance, deps: { backends: Backends; guarded: Guarded }): void {
  const { backends, guarded } = deps;
  const ports = (token: string): EditionPorts => ({
    listItems: () => backends.call('registry', (c) => c.listItems.bind(c), { asOf: undefined, fieldCode: '', categoryCode: '', provinceCode: '' }, token),
    getTaxonomy: () => backends.call('registry', (c) => c.getTaxonomy.bind(c), { asOf: undefined }, token),
  });

  // The upload is multipart/form-data, parsed (WHATWG FormData, built into Node) for this page only.
  app.addContentTypeParser('multipart/form-data', { parseAs: 'buffer', bodyLimit: MAX_FILE_BYTES + 16_384 }, async (req: FastifyRequest, body: Buffer) => {
    if (req.url.split('?')[0] !== PAGE) throw Object.assign(new Error('multipart/form-data is accepted only by the edition upload'), { statusCode: 415 });
    const data = await new Request('http://upload.local/', {
      method: 'POST',
      headers: { 'content-type': String(req.headers['content-type']) },
      body,
    }).formData();
    const upload: Upload = { fields: {}, file: undefined };
    for (const [key, value] of data) {
      if (typeof value === 'string') upload.fields[key] = value;
      else if (key === 'file' && value.size > 0) upload.file = { name: value.name, bytes: Buffer.from(await value.arrayBuffer()) };
    }
    // The console's request key travels as a field like in every other form.
    return { ...upload.fields, __upload: upload };
  });

  const defaults = (ctx: PageContext): Basis => ({
    documentNumber: '',
    documentDate: '',
    title: '',
    effectiveFrom: '',
    leadUnit: ctx.identity?.roles.includes('ministry-staff') ? ctx.identity.organisation : '',
    fieldCode: '',
  });
  const title = (ctx: PageContext) => ctx.t('common.importAnEdition');

  app.get(
    PAGE,
    guarded(async (_req, ctx) => ({ title: title(ctx), section: 'proposals', body: uploadForm(ctx, defaults(ctx)) })),
  );

  app.post(
    PAGE,
    guarded(async (req, ctx, token) => {
      // A form posted without multipart (no file) is answered like one without a file.
      const body = (req.body ?? {}) as FormBody & { __upload?: Upload };
      const upload: Upload = body.__upload ?? { fields: body, file: undefined };
      const b = basisOf(upload.fields);
      const refuse = (field: string, description: string) => ({
        title: title(ctx),
        section: 'proposals',
        status: 400,
        body: html`<div data-testid="refusal">${alertBox('error', ctx.t('edition.cannotCheck'), [`${field}: ${description}`])}</div>${uploadForm(ctx, b)}`,
      });
      if (!upload.file) return refuse('file', ctx.t('edition.chooseTheEditionFile'));
      if (upload.file.bytes.length > MAX_FILE_BYTES) return refuse('file', ctx.t('edition.fileExceedsBytes', { bytes: MAX_FILE_BYTES }));
      const format = formatOfName(upload.file.name);
      if (!format) return refuse('file', ctx.t('edition.fileMustBe', { formats: editionFormats.join(ctx.t('common.listSeparator')) }));
      const { changes: _changes, ...report } = await validateEdition(upload.file.bytes, format, ports(token));
      const submittable = report.ok && (report.diff?.added.length ?? 0) + (report.diff?.modified.length ?? 0) > 0;
      return {
        title: title(ctx),
        section: 'proposals',
        status: report.ok ? 200 : 422,
        body: html`${reportView(ctx, report, upload.file.name)}${submittable ? submitForm(ctx, format, upload.file.bytes, upload.file.name, b) : ''}
<h2>${ctx.t('edition.uploadAgain')}</h2>${uploadForm(ctx, b)}`,
      };
    }),
  );

  app.post(
    SUBMIT,
    guarded(async (req, ctx, token) => {
      const form = (req.body ?? {}) as FormBody;
      const b = basisOf(form);
      const format = formValue(form, 'format') as EditionFormat;
      const bytes = Buffer.from(formValue(form, 'content'), 'base64');
      const back = (box: Html, status: number) => ({ title: title(ctx), section: 'proposals', status, body: html`${box}${uploadForm(ctx, b)}` });
      if (!editionFormats.includes(format) || bytes.length === 0 || createHash('sha256').update(bytes).digest('hex') !== formValue(form, 'digest'))
        return back(alertBox('error', ctx.t('edition.previewedFileDidNot')), 400);
      try {
        const { proposal } = await importEdition(
          bytes,
          format,
          editionBasis(b),
          {
            ...ports(token),
            createProposal: async (content, requestId) =>
              (await backends.call('proposals', (c) => c.createProposal.bind(c), { content, requestId }, token)).proposal,
          },
          { ...(b.leadUnit ? { leadUnit: b.leadUnit } : {}), ...(b.fieldCode ? { fieldCode: b.fieldCode } : {}) },
        );
        return { redirect: `/proposals/${encodeURIComponent(proposal.proposalId)}` };
      } catch (error) {
        if (error instanceof ValidationError)
          return back(
            alertBox(
              'error',
              error.message,
              error.violations.map((v) => `${v.field}: ${v.description}`),
            ),
            400,
          );
        if (error instanceof FailedPreconditionError)
          return back(
            alertBox(
              'error',
              error.message,
              error.violations.map((v) => v.description),
            ),
            422,
          );
        const { box, status } = refusalBox(ctx, error);
        return back(box, status);
      }
    }),
  );
}
