// Standards browser pages: catalogue as of a date, item page (six attributes, history, provenance, province),
// diff between two dates or releases, provincial compliance. Pure renderers over registry responses.
import type { PackageLevelVersion, QualityMetric, ServiceItem, StatedText } from '../../../proto/gen/bps/common/v1/common';
import type { Placement } from '../../../proto/gen/bps/registry/v1/registry';
import { comparatorToJSON, expenditureKindToJSON, paymentCategoryToJSON, regionTierToJSON } from '../../../proto/gen/bps/common/v1/common';
import type {
  DiffStandardsResponse,
  GetComplianceReportResponse,
  GetItemLineageResponse,
  GetItemResponse,
  GetTaxonomyResponse,
  ItemVersion,
  ListItemsResponse,
  Release,
} from '../../../proto/gen/bps/registry/v1/registry';
import { changeTypeToJSON, type MetricComparison } from '../../../proto/gen/bps/standards/v1/events';
import { releaseKindToJSON } from '../../../proto/gen/bps/standards/v1/changes';
import { formatDate } from '../http/dates';
import { html, qs, type Html } from './html';
import { enumLabel, unitLabel, type Lang } from './i18n';
import { metricLevelText } from '../../shared/standards/units';
import { alertBox, mayUse, type PageContext } from './layout';
import { provinceName, provinces } from './provinces';

const stated = (ctx: PageContext, s: StatedText | undefined): Html =>
  s?.stated ? html`${s.text}` : html`<span class="not-stated">${ctx.t('common.notStated')}</span>`;

export function metricText(lang: Lang, m: QualityMetric): string {
  const cmp = enumLabel(lang, comparatorToJSON(m.comparator));
  return `${m.label || m.metric} ${cmp} ${metricLevelText(lang, m)}`;
}

function provinceSelect(ctx: PageContext, selected: string, id = 'province'): Html {
  return html`<label for="${id}">${ctx.t('common.province')}</label>
  <select id="${id}" name="province">
    <option value="">${ctx.t('common.national')}</option>
    ${provinces.map((p) => html`<option value="${p.code}"${p.code === selected ? html` selected` : ''}>${provinceName(p.code, ctx.lang)}</option>`)}
  </select>`;
}

type Names = { fields: Map<string, string>; categories: Map<string, string>; fieldOrder: string[] };

export function taxonomyNames(taxonomy: GetTaxonomyResponse | undefined): Names {
  const fields = new Map<string, string>();
  const categories = new Map<string, string>();
  for (const f of taxonomy?.fields ?? []) {
    fields.set(f.code, f.name);
    for (const c of f.categories) categories.set(c.code, c.name);
  }
  return { fields, categories, fieldOrder: [...fields.keys()] };
}

/** Items grouped by field then category, fields in taxonomy order (unknown fields last, by code). */
export function groupCatalogue(
  items: readonly ItemVersion[],
  names: Names,
): { fieldCode: string; categories: { categoryCode: string; items: ItemVersion[] }[] }[] {
  const byField = new Map<string, Map<string, ItemVersion[]>>();
  for (const v of items) {
    const item = v.item;
    if (!item) continue;
    const cats = byField.get(item.fieldCode) ?? new Map<string, ItemVersion[]>();
    byField.set(item.fieldCode, cats);
    const list = cats.get(item.categoryCode) ?? [];
    list.push(v);
    cats.set(item.categoryCode, list);
  }
  const rank = (code: string): number => {
    const i = names.fieldOrder.indexOf(code);
    return i === -1 ? Number.MAX_SAFE_INTEGER : i;
  };
  return [...byField.entries()]
    .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
    .map(([fieldCode, cats]) => ({
      fieldCode,
      categories: [...cats.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([categoryCode, list]) => ({
          categoryCode,
          items: list.sort((x, y) => (x.item?.itemCode ?? '').localeCompare(y.item?.itemCode ?? '', 'en', { numeric: true })),
        })),
    }));
}

export function cataloguePage(
  ctx: PageContext,
  q: { date: string; field: string; category?: string; province: string },
  list: ListItemsResponse,
  taxonomy: GetTaxonomyResponse | undefined,
  compliance?: GetComplianceReportResponse,
): Html {
  const { t } = ctx;
  const names = taxonomyNames(taxonomy);
  // Names the items carry (their placement) fill in fields and categories the taxonomy response does not name.
  for (const v of list.items) {
    if (v.item && v.placement?.fieldName && !names.fields.has(v.item.fieldCode)) names.fields.set(v.item.fieldCode, v.placement.fieldName);
    if (v.item && v.placement?.categoryName && !names.categories.has(v.item.categoryCode)) names.categories.set(v.item.categoryCode, v.placement.categoryName);
  }
  const groups = groupCatalogue(list.items, names);
  // ProvincialValue carries no item code; the compliance report does, line by line.
  const provincial = new Map((compliance?.lines ?? []).filter((l) => l.filed).map((l) => [l.itemCode, l]));
  const asOf = formatDate(list.asOfDate) || q.date;
  return html`
<form method="get" action="/standards" class="filters" role="search">
  <label for="date">${t('common.asOfDate')}</label>
  <input type="date" id="date" name="date" value="${asOf}" required>
  <label for="field">${t('common.field')}</label>
  <select id="field" name="field">
    <option value="">${t('common.allFields')}</option>
    ${[...names.fields.entries()].map(([code, name]) => html`<option value="${code}"${code === q.field ? html` selected` : ''}>${name}</option>`)}
  </select>
  ${
    (taxonomy?.fields ?? []).some((f) => f.categories.length > 0)
      ? html`<label for="category">${ctx.t('standards.category')}</label>
  <select id="category" name="category">
    <option value="">${ctx.t('standards.allCategories')}</option>
    ${(taxonomy?.fields ?? []).filter((f) => f.categories.length > 0).map((f) => html`<optgroup label="${f.name}">${f.categories.map((c) => html`<option value="${c.code}"${c.code === q.category ? html` selected` : ''}>${c.name}</option>`)}</optgroup>`)}
  </select>`
      : ''
  }
  ${provinceSelect(ctx, q.province)}
  <button type="submit">${t('common.show')}</button>
</form>
<p class="summary" data-testid="catalogue-summary">${t('common.asOfDate')} <strong data-testid="as-of-date">${asOf}</strong> · ${t('common.itemCount')}: <strong data-testid="item-count">${list.items.length}</strong>${q.province ? html` · ${t('common.province')}: ${provinceName(q.province, ctx.lang)}` : ''}</p>
<p class="downloads no-print"><a href="/api/v1/standards/edition.csv${qs({ date: asOf, field: q.field, lang: ctx.lang })}" data-testid="download-csv" download>${ctx.t('standards.downloadThisEditionCsv')}</a>
  · <a href="#" data-action="print" data-testid="print">${ctx.t('common.print')}</a>${ctx.identity ? '' : html` · <span class="muted" data-testid="public-notice">${ctx.t('standards.publicReadingNoSign')}</span>`}</p>
${list.items.length === 0 ? alertBox('info', t('common.noItems')) : ''}
${
  taxonomy && taxonomy.lineage.length > 0
    ? html`<details data-testid="field-lineage"><summary>${ctx.t('standards.structureFromItemsAre', { date: formatDate(taxonomy.effectiveFrom) })}</summary>
  <ul>${taxonomy.lineage.map((l) => html`<li data-from="${l.fromFieldCode}" data-to="${l.toFieldCode}">${l.fromFieldName || l.fromFieldCode} → ${names.fields.get(l.toFieldCode) ?? l.toFieldCode}：${l.itemCodes.join('、')}</li>`)}</ul>
</details>`
    : ''
}
${groups.map(
  (g) => html`
<section class="field" aria-labelledby="f-${g.fieldCode}">
  <h2 id="f-${g.fieldCode}" data-field="${g.fieldCode}">${names.fields.get(g.fieldCode) ?? g.fieldCode} <span class="muted">(${g.categories.reduce((n, c) => n + c.items.length, 0)} ${t('common.items')})</span></h2>
  ${g.categories.map(
    (c) => html`
  ${c.categoryCode ? html`<h3 data-category="${c.categoryCode}">${names.categories.get(c.categoryCode) ?? c.categoryCode}</h3>` : ''}
  <div class="table-wrap"><table class="items">
    <thead><tr><th scope="col">${t('common.itemCode')}</th><th scope="col">${t('common.itemName')}</th><th scope="col">${t('common.qualityStandard')}</th><th scope="col">${t('common.version')}</th><th scope="col">${t('common.effectiveFrom')}</th>${q.province ? html`<th scope="col">${t('common.provincialValue')}</th>` : ''}</tr></thead>
    <tbody>${c.items.map((v) => {
      const item = v.item as ServiceItem;
      const p = provincial.get(item.itemCode);
      return html`<tr data-item="${item.itemCode}">
        <td>${item.itemCode}</td>
        <td><a href="/standards/items/${encodeURIComponent(item.itemCode)}${qs({ date: asOf, province: q.province })}">${item.name}</a></td>
        <td>${item.qualityStandard?.stated ? (item.qualityStandard.metrics.length > 0 ? item.qualityStandard.metrics.map((m) => metricText(ctx.lang, m)).join('；') : item.qualityStandard.text) : html`<span class="not-stated">${t('common.notStated')}</span>`}</td>
        <td>v${v.version}</td>
        <td>${formatDate(v.effectiveFrom)}</td>
        ${
          q.province
            ? html`<td>${
                p
                  ? complianceBadge(
                      ctx,
                      !p.breach,
                      p.comparisons.some((c) => c.exceeds),
                    )
                  : html`<span class="muted">${t('common.notFiled')}</span>`
              }</td>`
            : ''
        }
      </tr>`;
    })}</tbody>
  </table></div>`,
  )}
</section>`,
)}`;
}

function complianceBadge(ctx: PageContext, compliant: boolean, exceeds: boolean): Html {
  if (!compliant) return html`<span class="badge badge-bad">${ctx.t('common.breach')}</span>`;
  if (exceeds) return html`<span class="badge badge-info">${ctx.t('common.exceeds')}</span>`;
  return html`<span class="badge badge-ok">${ctx.t('common.compliant')}</span>`;
}

export function comparisonsTable(ctx: PageContext, comparisons: readonly MetricComparison[]): Html {
  const { t } = ctx;
  return html`<div class="table-wrap"><table>
    <thead><tr><th scope="col">${t('common.metric')}</th><th scope="col">${t('common.nationalFloor')}</th><th scope="col">${t('common.localValue')}</th><th scope="col">${t('common.compliant')}</th></tr></thead>
    <tbody>${comparisons.map((c) => html`<tr><td>${c.label || c.metric}</td><td>${enumLabel(ctx.lang, comparatorToJSON(c.comparator))} ${c.nationalValue}${unitLabel(ctx.lang, c.unit)}</td><td>${c.localValue}${unitLabel(ctx.lang, c.unit)}</td><td>${complianceBadge(ctx, c.compliant, c.exceeds)}</td></tr>`)}</tbody>
  </table></div>`;
}

/** The item's field and category by name, and whether a seed places it there or the placement is attributed (why). */
export function placementBlock(ctx: PageContext, item: ServiceItem, placement: Placement | undefined): Html {
  if (!placement) return html``;
  const named = (name: string, code: string): Html => (name ? html`${name} <code class="muted">${code}</code>` : html`<code>${code}</code>`);
  const basis = (stated: boolean, text: string): Html =>
    text === ''
      ? html``
      : html`<br><span class="${stated ? 'muted' : 'attributed'}" data-stated="${String(stated)}">${stated ? ctx.t('standards.source') : html`<span class="badge">${ctx.t('standards.attributed')}</span> `}${stated ? text : text.replace(/^推定：/, '')}</span>`;
  return html`<dl class="attributes" data-testid="placement">
  <div><dt>${ctx.t('common.field')}</dt><dd data-attr="field">${named(placement.fieldName, item.fieldCode)}${placement.recordedFieldCode ? html` <span class="muted">${ctx.t('standards.recordedUnder', { field: placement.recordedFieldCode })}</span>` : ''}${basis(placement.fieldStated, placement.fieldBasis)}</dd></div>
  ${item.categoryCode ? html`<div><dt>${ctx.t('standards.category')}</dt><dd data-attr="category">${named(placement.categoryName, item.categoryCode)}${basis(placement.categoryStated, placement.categoryBasis)}</dd></div>` : ''}
</dl>`;
}

export function sixAttributes(ctx: PageContext, item: ServiceItem, placement?: Placement): Html {
  const { t, lang } = ctx;
  const qsd = item.qualityStandard;
  const er = item.expenditureResponsibility;
  return html`<dl class="attributes" data-testid="six-attributes">
  <div><dt>${t('common.serviceTarget')}</dt><dd data-attr="service_target">${stated(ctx, item.serviceTarget)}</dd></div>
  <div><dt>${t('common.serviceContent')}</dt><dd data-attr="service_content">${stated(ctx, item.serviceContent)}</dd></div>
  <div><dt>${t('common.qualityStandard')}</dt><dd data-attr="quality_standard">${qsd?.stated ? html`${qsd.text ? html`<p>${qsd.text}</p>` : ''}${qsd.metrics.length > 0 ? html`<ul class="metrics">${qsd.metrics.map((m) => html`<li data-metric="${m.metric}">${metricText(lang, m)}</li>`)}</ul>` : ''}` : html`<span class="not-stated">${t('common.notStated')}</span>`}</dd></div>
  <div><dt>${t('common.paymentCategory')}</dt><dd data-attr="payment_category">${enumLabel(lang, paymentCategoryToJSON(item.paymentCategory))}</dd></div>
  <div><dt>${t('common.expenditureResponsibility')}</dt><dd data-attr="expenditure_responsibility">${er && er.kind !== 0 ? html`${enumLabel(lang, expenditureKindToJSON(er.kind))}${er.text ? html`：${er.text}` : ''}${er.centralShares.length > 0 ? html`<ul>${er.centralShares.map((s) => html`<li>${t('common.centralShare')}（${enumLabel(lang, regionTierToJSON(s.regionTier))}）${s.percent}%</li>`)}</ul>` : ''}` : html`<span class="not-stated">${t('common.notStated')}</span>`}</dd></div>
  <div><dt>${t('common.leadUnit')}</dt><dd data-attr="lead_unit">${
    item.leadUnit && (item.leadUnit.name || item.leadUnit.code)
      ? html`${item.leadUnit.name || item.leadUnit.code}${item.leadUnitStated ? '' : html` <span class="badge" data-testid="lead-unit-attributed">${ctx.t('standards.attributed')}</span>${placement?.leadUnitBasis ? html`<br><span class="attributed">${placement.leadUnitBasis}</span>` : ''}`}`
      : html`<span class="not-stated">${t('common.notStated')}</span>`
  }</dd></div>
</dl>`;
}

export function provenanceCell(ctx: PageContext, v: ItemVersion): Html {
  const p = v.provenance;
  if (!p || (p.proposalIds.length === 0 && !p.workflowId && !p.cycleId)) return html`<span class="muted">${ctx.t('common.baseline')}</span>`;
  // Visitors of the public portal see which proposals and which bodies decided a version, not who in them.
  const signedIn = ctx.identity !== undefined;
  return html`${p.proposalIds.map((id, i) => html`${signedIn ? html`<a href="/proposals/${encodeURIComponent(id)}">${id}</a>` : html`<span data-testid="proposal-ref">${id}</span>`}${p.proposalRevisions[i] ? html` <span class="muted">r${p.proposalRevisions[i]}</span>` : ''} `)}
    ${p.workflowId && signedIn ? html`<br><span class="muted">${ctx.t('common.workflow')}:</span> <a href="/inbox/${encodeURIComponent(p.proposalIds[0] ?? p.workflowId)}">${p.workflowId}</a>` : ''}
    ${p.cycleId ? html`<br><span class="muted">${ctx.t('common.cycle')}:</span> ${p.cycleId}` : ''}
    ${p.approvedAt ? html`<br><span class="muted">${ctx.t('common.approvedBy')}:</span> ${signedIn && p.approvedBy?.subject ? html`${p.approvedBy.subject} (${p.approvedBy.organisation})` : (p.approvedBy?.organisation ?? '')} <span class="muted">${p.approvedAt.toISOString().slice(0, 10)}</span>` : ''}
    ${mayUse(ctx.identity, 'audit') && v.item?.itemCode ? html`<br><a href="/audit${qs({ item: v.item.itemCode, version: v.version })}" data-testid="audit-link">${ctx.t('common.navAudit')}</a>` : ''}`;
}

export function itemPage(
  ctx: PageContext,
  q: { date: string; province: string },
  item: GetItemResponse,
  history: readonly ItemVersion[],
  lineage: GetItemLineageResponse | undefined,
  packages: readonly PackageLevelVersion[] = [],
): Html {
  const { t, lang } = ctx;
  const national = item.national;
  const it = national?.item;
  if (!national || !it) return alertBox('info', t('common.notFound'));
  const code = it.itemCode;
  return html`
<form method="get" action="/standards/items/${encodeURIComponent(code)}" class="filters">
  <label for="date">${t('common.asOfDate')}</label>
  <input type="date" id="date" name="date" value="${q.date}">
  ${provinceSelect(ctx, q.province)}
  <button type="submit">${t('common.show')}</button>
</form>
<p class="summary"><span data-testid="item-code">${code}</span> · ${t('common.version')} <strong data-testid="item-version">v${national.version}</strong> · ${t('common.effectiveFrom')} ${formatDate(national.effectiveFrom)}${national.effectiveTo ? html` · ${t('common.effectiveTo')} ${formatDate(national.effectiveTo)}` : ''}${national.retired ? html` · <span class="badge badge-bad">${t('common.retired')}</span>` : ''}</p>
${placementBlock(ctx, it, national.placement)}
<section aria-labelledby="attrs"><h2 id="attrs">${t('common.sixAttributes')}</h2>${sixAttributes(ctx, it, national.placement)}</section>
${packages.length > 0 ? packagesOfItem(ctx, q.date, packages) : ''}
${
  q.province
    ? html`<section aria-labelledby="prov" data-testid="provincial"><h2 id="prov">${t('common.provincialValue')} · ${provinceName(q.province, lang)}</h2>
  ${
    item.provincial
      ? html`<p>${t('common.filingId')}: ${item.provincial.filingId} · ${t('common.effectiveFrom')} ${formatDate(item.provincial.effectiveFrom)} · ${complianceBadge(ctx, item.provincial.compliant, item.provincial.exceedsNationalLevel)}</p>${comparisonsTable(ctx, item.provincial.comparisons)}`
      : html`<p>${t('common.notFiled')}</p>`
  }</section>`
    : ''
}
<section aria-labelledby="hist"><h2 id="hist">${t('common.history')}</h2>
<div class="table-wrap"><table data-testid="history">
  <thead><tr><th scope="col">${t('common.version')}</th><th scope="col">${t('common.effectiveFrom')}</th><th scope="col">${t('common.effectiveTo')}</th><th scope="col">${t('common.qualityStandard')}</th><th scope="col">${t('common.release')}</th><th scope="col">${t('common.proposal')}</th><th scope="col">${t('common.recordedAt')}</th></tr></thead>
  <tbody>${history.map(
    (v) => html`<tr${v.version === national.version ? html` class="current" aria-current="true"` : ''}>
    <td>v${v.version}${v.correctionOf ? html` <span class="badge">${t('common.correction')}</span>` : ''}${v.retired ? html` <span class="badge badge-bad">${t('common.retired')}</span>` : ''}</td>
    <td><a href="/standards/items/${encodeURIComponent(code)}${qs({ date: formatDate(v.effectiveFrom), province: q.province })}">${formatDate(v.effectiveFrom)}</a></td>
    <td>${formatDate(v.effectiveTo) || '—'}</td>
    <td>${v.item?.qualityStandard?.stated ? v.item.qualityStandard.metrics.map((m) => metricText(lang, m)).join('；') || v.item.qualityStandard.text : html`<span class="not-stated">${t('common.notStated')}</span>`}</td>
    <td>${v.releaseId}<br><span class="muted">${enumLabel(lang, releaseKindToJSON(v.releaseKind))}</span></td>
    <td>${provenanceCell(ctx, v)}</td>
    <td>${v.recordedAt ? v.recordedAt.toISOString().slice(0, 19).replace('T', ' ') : ''}${v.correctionReason ? html`<br><span class="muted">${v.correctionReason}</span>` : ''}</td>
  </tr>`,
  )}</tbody>
</table></div></section>
${
  national.errata.length > 0
    ? html`<section aria-labelledby="errata"><h2 id="errata">${t('common.errata')}</h2>
<div class="table-wrap"><table data-testid="errata">
  <thead><tr><th scope="col">${t('common.erratumField')}</th><th scope="col">${t('common.erratumBefore')}</th><th scope="col">${t('common.erratumAfter')}</th><th scope="col">${t('common.erratumProposedBy')}</th><th scope="col">${t('common.erratumApprovedBy')}</th></tr></thead>
  <tbody>${national.errata.flatMap((e) =>
    e.changes.map(
      (c) => html`<tr>
    <td>${c.field}</td><td>${c.before}</td><td>${c.after}</td>
    <td>${ctx.identity ? (e.proposedBy?.subject ?? '') : (e.proposedBy?.organisation ?? '')}<br><span class="muted">${e.proposedAt ? e.proposedAt.toISOString().slice(0, 19).replace('T', ' ') : ''}</span></td>
    <td>${ctx.identity ? (e.approvedBy?.subject ?? '') : (e.approvedBy?.organisation ?? '')}<br><span class="muted">${e.approvedAt ? e.approvedAt.toISOString().slice(0, 19).replace('T', ' ') : ''} · ${e.reason}</span></td>
  </tr>`,
    ),
  )}</tbody>
</table></div></section>`
    : ''
}
${lineage && lineage.links.length > 0 ? html`<section aria-labelledby="lin"><h2 id="lin">${t('common.lineage')}</h2><ul>${lineage.links.map((l) => html`<li><a href="/standards/items/${encodeURIComponent(l.fromItemCode)}">${l.fromItemCode}</a> → <a href="/standards/items/${encodeURIComponent(l.toItemCode)}">${l.toItemCode}</a> · ${enumLabel(lang, changeTypeToJSON(l.changeType))} · ${formatDate(l.effectiveFrom)} · ${l.releaseId}</li>`)}</ul></section>` : ''}
<p><a href="/standards/diff${qs({ from: history[0] ? formatDate(history[0].effectiveFrom) : '', to: q.date })}">${t('common.diffTitle')}</a></p>`;
}

export function diffPage(
  ctx: PageContext,
  q: { from: string; to: string; field: string },
  diff: DiffStandardsResponse | undefined,
  releases: readonly Release[],
  error?: Html,
): Html {
  const { t, lang } = ctx;
  return html`
<form method="get" action="/standards/diff" class="filters">
  <label for="from">${t('common.from')}</label>
  <input id="from" name="from" value="${q.from}" list="releases" placeholder="${t('common.fromHint')}" required>
  <label for="to">${t('common.to')}</label>
  <input id="to" name="to" value="${q.to}" list="releases" placeholder="${t('common.fromHint')}" required>
  <datalist id="releases">${releases.map((r) => html`<option value="${r.releaseId}">${r.title} (${formatDate(r.effectiveFrom)})</option>`)}</datalist>
  <button type="submit">${t('common.compare')}</button>
</form>
${error ?? ''}
${
  diff
    ? html`<p class="summary">${formatDate(diff.fromDate)} → ${formatDate(diff.toDate)} · ${diff.items.length} ${t('common.items')}</p>
${
  diff.items.length === 0
    ? alertBox('info', t('common.noChanges'))
    : html`<div class="table-wrap"><table class="diff" data-testid="diff">
  <thead><tr><th scope="col">${t('common.itemCode')}</th><th scope="col">${t('common.itemName')}</th><th scope="col">${t('common.changeType')}</th><th scope="col">${t('common.attribute')}</th><th scope="col">${t('common.before')}</th><th scope="col">${t('common.after')}</th></tr></thead>
  <tbody>${diff.items.map((d) => {
    const changes = d.changes.length > 0 ? d.changes : [{ attribute: '', before: '', after: '' }];
    return changes.map(
      (c, i) => html`<tr data-item="${d.itemCode}">
      ${i === 0 ? html`<td rowspan="${changes.length}"><a href="/standards/items/${encodeURIComponent(d.itemCode)}${qs({ date: formatDate(diff.toDate) })}">${d.itemCode}</a></td><td rowspan="${changes.length}">${d.name}</td><td rowspan="${changes.length}">${enumLabel(lang, changeTypeToJSON(d.changeType))}<br><span class="muted">v${d.fromVersion || '—'} → v${d.toVersion || '—'}</span></td>` : ''}
      <td>${c.attribute}</td><td><del>${c.before}</del></td><td><ins>${c.after}</ins></td>
    </tr>`,
    );
  })}</tbody>
</table></div>`
}`
    : ''
}
<section aria-labelledby="rel"><h2 id="rel">${t('common.releases')}</h2>
<ul>${releases.map((r) => html`<li>${formatDate(r.effectiveFrom)} · <strong>${r.title}</strong> · ${enumLabel(lang, releaseKindToJSON(r.kind))} · <code>${r.releaseId}</code></li>`)}</ul></section>`;
}

export function compliancePage(ctx: PageContext, q: { province: string; date: string }, report: GetComplianceReportResponse | undefined): Html {
  const { t } = ctx;
  return html`
<form method="get" action="/standards/compliance" class="filters">
  ${provinceSelect(ctx, q.province)}
  <label for="date">${t('common.asOfDate')}</label>
  <input type="date" id="date" name="date" value="${q.date}">
  <button type="submit">${t('common.show')}</button>
</form>
${
  !report
    ? html`<p>${t('common.chooseProvince')}</p>`
    : html`
<p class="summary" data-testid="compliance-summary">${provinceName(report.provinceCode, ctx.lang)} · ${formatDate(report.asOfDate)} · ${t('common.filedCount')}: <strong>${report.filedCount}</strong> · ${t('common.breachCount')}: <strong>${report.breachCount}</strong></p>
<div class="table-wrap"><table>
  <thead><tr><th scope="col">${t('common.itemCode')}</th><th scope="col">${t('common.itemName')}</th><th scope="col">${t('common.version')}</th><th scope="col">${t('common.provincialValue')}</th><th scope="col">${t('common.nationalFloor')} / ${t('common.localValue')}</th></tr></thead>
  <tbody>${report.lines.map(
    (l) => html`<tr${l.breach ? html` class="breach"` : ''}>
    <td>${l.itemCode}</td><td><a href="/standards/items/${encodeURIComponent(l.itemCode)}${qs({ province: report.provinceCode, date: q.date })}">${l.name}</a></td><td>v${l.nationalVersion}</td>
    <td>${l.filed ? html`${t('common.filed')} <span class="muted">${l.filingId}</span>` : html`<span class="muted">${t('common.notFiled')}</span>`}${l.breach ? html` <span class="badge badge-bad">${t('common.breach')}</span>` : ''}${
      l.refileDeadline
        ? html` <span class="muted" data-testid="refile-deadline">${l.refilingOverdue ? ctx.t('standards.reFilingOverdueDue', { date: formatDate(l.refileDeadline) }) : ctx.t('standards.reFileBy', { date: formatDate(l.refileDeadline) })}</span>`
        : ''
    }</td>
    <td>${l.comparisons.map((c) => html`<div>${c.label || c.metric}: ${c.nationalValue} / ${c.localValue}${unitLabel(ctx.lang, c.unit)}</div>`)}</td>
  </tr>`,
  )}</tbody>
</table></div>`
}`;
}

/** The package levels covering an item (issue #17): a level stated once for the package, not for the item. */
function packagesOfItem(ctx: PageContext, date: string, packages: readonly PackageLevelVersion[]): Html {
  return html`<section aria-labelledby="pkgs" data-testid="item-packages"><h2 id="pkgs">${ctx.t('standards.sharedLevelOfIts')}</h2>
<ul>${packages.map((p) => {
    const l = p.level;
    return html`<li><a href="/standards/packages/${encodeURIComponent(l?.packageCode ?? '')}${qs({ date })}">${l?.packageCode ?? ''} ${l?.name ?? ''}</a>：${l?.metric ? metricText(ctx.lang, l.metric) : ''}
    <span class="muted">（${ctx.t('standards.statedOnceForThe')}；${ctx.t('standards.asOf')} ${formatDate(l?.asOf)}）</span></li>`;
  })}</ul></section>`;
}

/** One package level (issue #17): its value in force, as-of date and source, the items it covers, and its versions. */
export function packagePage(ctx: PageContext, date: string, current: PackageLevelVersion | undefined, history: readonly PackageLevelVersion[]): Html {
  const l = current?.level;
  if (!current || !l) return alertBox('info', ctx.t('common.notFound'));
  const code = l.packageCode;
  return html`
<form method="get" action="/standards/packages/${encodeURIComponent(code)}" class="filters">
  <label for="date">${ctx.t('common.asOfDate')}</label>
  <input type="date" id="date" name="date" value="${date}">
  <button type="submit">${ctx.t('common.show')}</button>
</form>
<p class="summary"><span data-testid="package-code">${code}</span> · ${ctx.t('common.version')} <strong data-testid="package-version">v${current.version}</strong> · ${ctx.t('common.effectiveFrom')} ${formatDate(current.effectiveFrom)}</p>
<dl class="attributes" data-testid="package-level">
  <dt>${ctx.t('standards.sharedLevel')}</dt><dd data-testid="package-value">${l.metric ? metricText(ctx.lang, l.metric) : ''}</dd>
  <dt>${ctx.t('standards.asOfDateField')}</dt><dd data-testid="package-as-of">${formatDate(l.asOf)}</dd>
  <dt>${ctx.t('standards.sourceHeading')}</dt><dd data-testid="package-source">${l.source}</dd>
  <dt>${ctx.t('standards.itemsCovered')}</dt><dd data-testid="package-items">${l.itemCodes.map((c) => html`<a href="/standards/items/${encodeURIComponent(c)}${qs({ date })}">${c}</a> `)}
    ${l.membershipStated ? '' : html`<br><span class="badge">${ctx.t('standards.attributedInline')}</span> <span class="muted">${l.membershipBasis}</span>`}</dd>
  <dt>${ctx.t('common.leadUnitShort')}</dt><dd>${l.leadUnit?.name ?? ''}${l.leadUnitStated ? '' : html` <span class="badge">${ctx.t('standards.attributedInline')}</span> <span class="muted">${l.leadUnitBasis}</span>`}</dd>
</dl>
<p class="muted">${ctx.t('standards.levelIsStatedOnce')}</p>
<section aria-labelledby="pkg-hist"><h2 id="pkg-hist">${ctx.t('common.history')}</h2>
<div class="table-wrap"><table data-testid="package-history">
  <thead><tr><th scope="col">${ctx.t('common.version')}</th><th scope="col">${ctx.t('common.effectiveFrom')}</th><th scope="col">${ctx.t('standards.level')}</th><th scope="col">${ctx.t('standards.asOfDateField')}</th><th scope="col">${ctx.t('common.release')}</th></tr></thead>
  <tbody>${history.map(
    (v) =>
      html`<tr${v.version === current.version ? html` class="current" aria-current="true"` : ''}><td>v${v.version}</td><td>${formatDate(v.effectiveFrom)}</td><td>${v.level?.metric ? metricText(ctx.lang, v.level.metric) : ''}</td><td>${formatDate(v.level?.asOf)}</td><td>${v.releaseId}</td></tr>`,
  )}</tbody>
</table></div></section>`;
}
