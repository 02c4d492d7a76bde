// Audit page for auditors and operators: choose an item version, a proposal, a cycle or an actor; see the trace as
// a timeline (who, which organisation, what in plain words, why, links to the item and proposal pages) under the
// hash-chain verification of every log it was assembled from, with an export for offline checking.
import type { Trace, TraceItemVersionResponse, TraceStep, VerifyResponse } from '../../../proto/gen/bps/audit/v1/audit';
import type { AuditTarget } from '../api/audit-routes';
import { html, qs, type Html } from './html';
import { eventTypeLabel, organisationLabel, roleLabel } from './i18n';
import { alertBox, L, type PageContext } from './layout';
import { chinaTime } from './subscription-pages';

/** The query string that names a target (the page, its export and links use it). */
export function targetQuery(t: AuditTarget): Record<string, string | number | undefined> {
  switch (t.kind) {
    case 'item-version':
      return { item: t.itemCode, version: t.version };
    case 'proposal':
      return { proposal: t.proposalId };
    case 'cycle':
      return { cycle: t.cycleId };
    case 'actor':
      return { actor: t.subject, from: t.from?.toISOString(), to: t.to?.toISOString() };
    default: {
      const unknown: never = t;
      return unknown;
    }
  }
}

export function targetTitle(ctx: PageContext, t: AuditTarget): string {
  switch (t.kind) {
    case 'item-version':
      return `${L(ctx, '服务项目', 'Item')} ${t.itemCode} v${t.version}`;
    case 'proposal':
      return `${L(ctx, '调整方案', 'Proposal')} ${t.proposalId}`;
    case 'cycle':
      return `${L(ctx, '修订周期', 'Revision cycle')} ${t.cycleId}`;
    case 'actor':
      return `${L(ctx, '操作人', 'Actor')} ${t.subject}`;
    default: {
      const unknown: never = t;
      return String(unknown);
    }
  }
}

export type AuditForm = { item: string; version: string; proposal: string; cycle: string; actor: string };

function chooser(ctx: PageContext, f: AuditForm, itemCodes: readonly { code: string; name: string }[]): Html {
  return html`<div class="choosers">
<form method="get" action="/audit" class="filters" role="search" aria-labelledby="by-item">
  <strong id="by-item">${L(ctx, '按服务项目版本', 'By item version')}</strong>
  <label for="item">${L(ctx, '项目编号', 'Item code')}</label>
  <input type="text" id="item" name="item" value="${f.item}" list="item-codes" size="10" required autocomplete="off">
  <datalist id="item-codes">${itemCodes.map((i) => html`<option value="${i.code}">${i.name}</option>`)}</datalist>
  <label for="version">${L(ctx, '版本', 'Version')}</label>
  <input type="number" id="version" name="version" value="${f.version}" min="1" size="4" required>
  <button type="submit" data-testid="trace-item">${L(ctx, '追溯', 'Trace')}</button>
</form>
<form method="get" action="/audit" class="filters" role="search" aria-labelledby="by-proposal">
  <strong id="by-proposal">${L(ctx, '按调整方案', 'By proposal')}</strong>
  <label for="proposal">${L(ctx, '方案编号', 'Proposal id')}</label>
  <input type="text" id="proposal" name="proposal" value="${f.proposal}" size="36" required autocomplete="off">
  <button type="submit" data-testid="trace-proposal">${L(ctx, '追溯', 'Trace')}</button>
</form>
<form method="get" action="/audit" class="filters" role="search" aria-labelledby="by-cycle">
  <strong id="by-cycle">${L(ctx, '按修订周期', 'By revision cycle')}</strong>
  <label for="cycle">${L(ctx, '周期编号', 'Cycle id')}</label>
  <input type="text" id="cycle" name="cycle" value="${f.cycle}" size="24" required autocomplete="off">
  <button type="submit" data-testid="trace-cycle">${L(ctx, '追溯', 'Trace')}</button>
</form>
<form method="get" action="/audit" class="filters" role="search" aria-labelledby="by-actor">
  <strong id="by-actor">${L(ctx, '按操作人', 'By actor')}</strong>
  <label for="actor">${L(ctx, '用户标识', 'Subject')}</label>
  <input type="text" id="actor" name="actor" value="${f.actor}" size="20" required autocomplete="off">
  <button type="submit" data-testid="trace-actor">${L(ctx, '追溯', 'Trace')}</button>
</form>
</div>`;
}

/** The verification of every log of the trace: one prominent verdict, then the logs. */
export function verificationBox(ctx: PageContext, results: readonly VerifyResponse[]): Html {
  const broken = results.filter((r) => !r.ok);
  const records = results.reduce((n, r) => n + Number(r.size), 0);
  const checkpoints = results.reduce((n, r) => n + r.checkpoints.length, 0);
  const verdict =
    broken.length === 0
      ? html`<div class="verdict verdict-ok" role="status" data-testid="verification" data-verified="true">
        <strong><span aria-hidden="true">✓ </span>${L(ctx, '哈希链校验通过', 'Hash chain verified')}</strong>
        <p>${L(ctx, `${results.length} 个日志、共 ${records} 条记录逐条重新计算哈希，全部一致；`, `${results.length} logs, ${records} records rehashed one by one: all consistent; `)}${
          checkpoints > 0
            ? L(ctx, `${checkpoints} 个已签名检查点有效。`, `${checkpoints} signed checkpoints valid.`)
            : L(ctx, '尚无已签名检查点（定期签署；导出时也会签署）。', 'no signed checkpoint yet (they are signed periodically, and on export).')
        }</p></div>`
      : html`<div class="verdict verdict-bad" role="alert" data-testid="verification" data-verified="false">
        <strong><span aria-hidden="true">✗ </span>${L(ctx, '哈希链校验未通过', 'Hash chain broken')}</strong>
        <ul>${broken.map(
          (b) =>
            html`<li data-log="${b.log}">${
              b.firstMismatch
                ? html`${L(ctx, '日志', 'Log')} <code>${b.log}</code> ${L(ctx, '第', 'record #')}${b.firstMismatch.sequence}${L(ctx, ' 条记录', '')}: ${b.firstMismatch.reason} — ${b.firstMismatch.description}`
                : html`${L(ctx, '日志', 'Log')} <code>${b.log}</code>: ${b.checkpoints
                    .filter((c) => !c.ok)
                    .map((c) => `${L(ctx, '检查点', 'checkpoint')} @${c.checkpoint?.size ?? '?'} ${c.problem} — ${c.description}`)
                    .join('；')}`
            }</li>`,
        )}</ul></div>`;
  return html`${verdict}
<details><summary>${L(ctx, '各日志校验明细', 'Each log')}</summary><div class="table-wrap"><table data-testid="verified-logs">
  <thead><tr><th scope="col">${L(ctx, '日志', 'Log')}</th><th scope="col">${L(ctx, '记录数', 'Records')}</th><th scope="col">${L(ctx, '结果', 'Result')}</th><th scope="col">${L(ctx, '检查点', 'Checkpoints')}</th><th scope="col">${L(ctx, '链头哈希', 'Head hash')}</th></tr></thead>
  <tbody>${results.map(
    (r) => html`<tr data-log="${r.log}"><td><code class="wrap">${r.log}</code></td><td>${r.size}</td>
    <td>${r.ok ? html`<span class="badge badge-ok">${L(ctx, '一致', 'intact')}</span>` : html`<span class="badge badge-bad">${L(ctx, '断裂', 'broken')}</span>`}</td>
    <td>${r.checkpoints.filter((c) => c.ok).length}/${r.checkpoints.length}</td><td><code class="wrap muted">${r.headHash}</code></td></tr>`,
  )}</tbody>
</table></div></details>`;
}

function provenanceBox(ctx: PageContext, p: TraceItemVersionResponse): Html {
  return html`<dl class="attributes" data-testid="provenance">
  <div><dt>${L(ctx, '发布', 'Release')}</dt><dd><code class="wrap">${p.releaseId || '—'}</code></dd></div>
  <div><dt>${L(ctx, '调整方案', 'Proposals')}</dt><dd>${p.proposalIds.length === 0 ? '—' : p.proposalIds.map((id, i) => html`${i > 0 ? '、' : ''}<a href="/proposals/${encodeURIComponent(id)}">${id}</a>`)}</dd></div>
  <div><dt>${L(ctx, '变更集 / 审批流程', 'Change set / workflow')}</dt><dd><code class="wrap">${p.changeSetId || '—'}</code><br><code class="wrap muted">${p.workflowId || '—'}</code></dd></div>
  ${p.cycleId ? html`<div><dt>${L(ctx, '修订周期', 'Revision cycle')}</dt><dd><a href="/audit${qs({ cycle: p.cycleId })}">${p.cycleId}</a></dd></div>` : ''}
</dl>`;
}

/** "type (k=v, …)" -> "k=v, …": the type already has its own label. */
const detailsOf = (s: TraceStep): string =>
  s.what.startsWith(`${s.eventType} (`) && s.what.endsWith(')') ? s.what.slice(s.eventType.length + 2, -1) : s.what === s.eventType ? '' : s.what;

function aggregateLinks(ctx: PageContext, s: TraceStep): Html {
  // A delivery's own log ("subscription:<id>/events/<event>") is not a page; its subscription is.
  const links = s.aggregates
    .filter((a) => !a.id.includes('/'))
    .map((a) => {
      switch (a.kind) {
        case 'item':
          return html`<a href="/standards/items/${encodeURIComponent(a.id)}">${L(ctx, '服务项目', 'Item')} ${a.id}</a>`;
        case 'proposal':
          return html`<a href="/proposals/${encodeURIComponent(a.id)}">${L(ctx, '调整方案', 'Proposal')} ${a.id}</a>`;
        case 'subscription':
          return html`<a href="/subscriptions/${encodeURIComponent(a.id)}">${L(ctx, '订阅', 'Subscription')} ${a.id}</a>`;
        case 'cycle':
          return html`<a href="/audit${qs({ cycle: a.id })}">${L(ctx, '修订周期', 'Cycle')} ${a.id}</a>`;
        case 'pilot':
          return html`<a href="/programme/pilots/${encodeURIComponent(a.id)}">${L(ctx, '标准化试点', 'Pilot')} ${a.id}</a>`;
        case 'technical-standard':
          return html`<a href="/programme/standards/${encodeURIComponent(a.id)}">${L(ctx, '技术标准', 'Technical standard')} ${a.id}</a>`;
        default:
          return html`<span class="muted">${a.kind}: ${a.id}</span>`;
      }
    });
  return links.length === 0 ? html`` : html`<p class="links">${links.map((l, i) => html`${i > 0 ? ' · ' : ''}${l}`)}</p>`;
}

function timeline(ctx: PageContext, trace: Trace | undefined): Html {
  const steps = trace?.steps ?? [];
  if (steps.length === 0) return alertBox('info', L(ctx, '没有审计记录。', 'No audit records.'));
  return html`<p class="muted">${L(ctx, `共 ${steps.length} 条记录，按记入审计日志的顺序排列；时间为北京时间。`, `${steps.length} records in the order they were recorded; times are Beijing time.`)}</p>
<ol class="timeline" data-testid="timeline">${steps.map((s) => {
    const details = detailsOf(s);
    return html`<li data-event-type="${s.eventType}">
  <p><time datetime="${s.time?.toISOString() ?? ''}">${chinaTime(s.time)}</time> · <strong>${eventTypeLabel(ctx.lang, s.eventType)}</strong> <code class="muted">${s.eventType}</code></p>
  <p>${
    s.actor
      ? html`${L(ctx, '操作人', 'By')}: <span data-testid="actor">${s.actor.subject}</span> · ${organisationLabel(ctx.lang, s.actor.organisation)}${s.actor.roles.length > 0 ? html` <span class="muted">(${s.actor.roles.map((r) => roleLabel(ctx.lang, r)).join('、')})</span>` : ''}`
      : html`<span class="muted">${L(ctx, '系统自动', 'System')} · ${s.source}</span>`
  }</p>
  ${details ? html`<p class="details">${details}</p>` : ''}
  ${s.why ? html`<p>${L(ctx, '理由/意见', 'Reason')}: ${s.why}</p>` : ''}
  ${aggregateLinks(ctx, s)}
  <p class="muted">#${s.globalSequence} · ${L(ctx, '哈希', 'hash')} <code>${s.hash.slice(0, 16)}…</code>${s.traceId ? html` · trace ${s.traceId}` : ''}</p>
</li>`;
  })}</ol>`;
}

export function auditPage(
  ctx: PageContext,
  o: {
    form: AuditForm;
    itemCodes: readonly { code: string; name: string }[];
    target?: AuditTarget;
    trace?: Trace;
    itemVersion?: TraceItemVersionResponse;
    verification?: readonly VerifyResponse[];
    error?: Html;
  },
): Html {
  return html`
${chooser(ctx, o.form, o.itemCodes)}
${o.error ?? ''}
${
  o.target && o.trace
    ? html`<section aria-labelledby="trace-h" data-testid="trace">
<h2 id="trace-h">${targetTitle(ctx, o.target)}</h2>
${o.verification ? verificationBox(ctx, o.verification) : ''}
<p class="actions"><a href="/audit/export${qs(targetQuery(o.target))}" data-testid="export">${L(ctx, '导出追溯记录（JSON，可离线校验）', 'Export the trace (JSON, verifiable offline)')}</a>
${o.target.kind === 'item-version' ? html` · <a href="/standards/items/${encodeURIComponent(o.target.itemCode)}">${L(ctx, '查看服务项目', 'Open the item')}</a>` : ''}
${o.target.kind === 'proposal' ? html` · <a href="/proposals/${encodeURIComponent(o.target.proposalId)}">${L(ctx, '查看调整方案', 'Open the proposal')}</a>` : ''}</p>
${o.itemVersion ? provenanceBox(ctx, o.itemVersion) : ''}
${timeline(ctx, o.trace)}
</section>`
    : ''
}`;
}
