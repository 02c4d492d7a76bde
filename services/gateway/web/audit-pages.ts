// Audit page for auditors and operators: choose an item version, a proposal, a cycle or an actor; see the trace as
// a timeline (who, which organisation, what in plain words, why, links to the item and proposal pages) under the
// hash-chain verification of every log it was assembled from, with an export for offline checking.
import type { Trace, TraceItemVersionResponse, TraceStep, VerifyResponse } from '../../../proto/gen/bps/audit/v1/audit';
import type { AuditTarget } from '../api/audit-routes';
import { html, qs, type Html } from './html';
import { eventTypeLabel, organisationLabel, roleLabel } from './i18n';
import { alertBox, type PageContext } from './layout';
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
      return `${ctx.t('common.item')} ${t.itemCode} v${t.version}`;
    case 'proposal':
      return `${ctx.t('common.proposal')} ${t.proposalId}`;
    case 'cycle':
      return `${ctx.t('common.cycle')} ${t.cycleId}`;
    case 'actor':
      return `${ctx.t('audit.actor')} ${t.subject}`;
    default: {
      const unknown: never = t;
      return String(unknown);
    }
  }
}

export type AuditForm = { item: string; version: string; proposal: string; cycle: string; actor: string };

/** The forms that trace one id: heading, label and input size. */
const idChoosers = {
  proposal: ['audit.byProposal', 'audit.proposalId', 36],
  cycle: ['audit.byRevisionCycle', 'audit.cycleId', 24],
  actor: ['audit.byActor', 'audit.subject', 20],
} as const;

/** A search form that traces one id (a proposal, a cycle, an actor). */
function byId(ctx: PageContext, key: keyof typeof idChoosers, value: string): Html {
  const [heading, label, size] = idChoosers[key];
  return html`<form method="get" action="/audit" class="filters" role="search" aria-labelledby="by-${key}">
  <strong id="by-${key}">${ctx.t(heading)}</strong>
  <label for="${key}">${ctx.t(label)}</label>
  <input type="text" id="${key}" name="${key}" value="${value}" size="${size}" required autocomplete="off">
  <button type="submit" data-testid="trace-${key}">${ctx.t('audit.trace')}</button>
</form>`;
}

function chooser(ctx: PageContext, f: AuditForm, itemCodes: readonly { code: string; name: string }[]): Html {
  return html`<div class="choosers">
<form method="get" action="/audit" class="filters" role="search" aria-labelledby="by-item">
  <strong id="by-item">${ctx.t('audit.byItemVersion')}</strong>
  <label for="item">${ctx.t('audit.itemCode')}</label>
  <input type="text" id="item" name="item" value="${f.item}" list="item-codes" size="10" required autocomplete="off">
  <datalist id="item-codes">${itemCodes.map((i) => html`<option value="${i.code}">${i.name}</option>`)}</datalist>
  <label for="version">${ctx.t('common.version')}</label>
  <input type="number" id="version" name="version" value="${f.version}" min="1" size="4" required>
  <button type="submit" data-testid="trace-item">${ctx.t('audit.trace')}</button>
</form>
${byId(ctx, 'proposal', f.proposal)}
${byId(ctx, 'cycle', f.cycle)}
${byId(ctx, 'actor', f.actor)}
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
        <strong><span aria-hidden="true">✓ </span>${ctx.t('audit.hashChainVerified')}</strong>
        <p>${ctx.t('audit.logsRecordsRehashedOne', { logs: results.length, records })}${
          checkpoints > 0 ? ctx.t('audit.signedCheckpointsValid', { count: checkpoints }) : ctx.t('audit.noSignedCheckpointYet')
        }</p></div>`
      : html`<div class="verdict verdict-bad" role="alert" data-testid="verification" data-verified="false">
        <strong><span aria-hidden="true">✗ </span>${ctx.t('audit.hashChainBroken')}</strong>
        <ul>${broken.map(
          (b) =>
            html`<li data-log="${b.log}">${
              b.firstMismatch
                ? html`${ctx.t('audit.log')} <code>${b.log}</code> ${ctx.t('audit.record', { sequence: b.firstMismatch.sequence })}: ${b.firstMismatch.reason} — ${b.firstMismatch.description}`
                : html`${ctx.t('audit.log')} <code>${b.log}</code>: ${b.checkpoints
                    .filter((c) => !c.ok)
                    .map((c) => `${ctx.t('audit.checkpoint')} @${c.checkpoint?.size ?? '?'} ${c.problem} — ${c.description}`)
                    .join('；')}`
            }</li>`,
        )}</ul></div>`;
  return html`${verdict}
<details><summary>${ctx.t('audit.eachLog')}</summary><div class="table-wrap"><table data-testid="verified-logs">
  <thead><tr><th scope="col">${ctx.t('audit.log')}</th><th scope="col">${ctx.t('audit.records')}</th><th scope="col">${ctx.t('audit.result')}</th><th scope="col">${ctx.t('audit.checkpoints')}</th><th scope="col">${ctx.t('audit.headHash')}</th></tr></thead>
  <tbody>${results.map(
    (r) => html`<tr data-log="${r.log}"><td><code class="wrap">${r.log}</code></td><td>${r.size}</td>
    <td>${r.ok ? html`<span class="badge badge-ok">${ctx.t('audit.intact')}</span>` : html`<span class="badge badge-bad">${ctx.t('audit.broken')}</span>`}</td>
    <td>${r.checkpoints.filter((c) => c.ok).length}/${r.checkpoints.length}</td><td><code class="wrap muted">${r.headHash}</code></td></tr>`,
  )}</tbody>
</table></div></details>`;
}

function provenanceBox(ctx: PageContext, p: TraceItemVersionResponse): Html {
  return html`<dl class="attributes" data-testid="provenance">
  <div><dt>${ctx.t('common.release')}</dt><dd><code class="wrap">${p.releaseId || '—'}</code></dd></div>
  <div><dt>${ctx.t('common.navProposals')}</dt><dd>${p.proposalIds.length === 0 ? '—' : p.proposalIds.map((id, i) => html`${i > 0 ? '、' : ''}<a href="/proposals/${encodeURIComponent(id)}">${id}</a>`)}</dd></div>
  <div><dt>${ctx.t('audit.changeSetWorkflow')}</dt><dd><code class="wrap">${p.changeSetId || '—'}</code><br><code class="wrap muted">${p.workflowId || '—'}</code></dd></div>
  ${p.cycleId ? html`<div><dt>${ctx.t('common.cycle')}</dt><dd><a href="/audit${qs({ cycle: p.cycleId })}">${p.cycleId}</a></dd></div>` : ''}
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
          return html`<a href="/standards/items/${encodeURIComponent(a.id)}">${ctx.t('common.item')} ${a.id}</a>`;
        case 'proposal':
          return html`<a href="/proposals/${encodeURIComponent(a.id)}">${ctx.t('common.proposal')} ${a.id}</a>`;
        case 'subscription':
          return html`<a href="/subscriptions/${encodeURIComponent(a.id)}">${ctx.t('common.subscription')} ${a.id}</a>`;
        case 'cycle':
          return html`<a href="/audit${qs({ cycle: a.id })}">${ctx.t('common.revisionCycleShort')} ${a.id}</a>`;
        case 'pilot':
          return html`<a href="/programme/pilots/${encodeURIComponent(a.id)}">${ctx.t('audit.pilot')} ${a.id}</a>`;
        case 'technical-standard':
          return html`<a href="/programme/standards/${encodeURIComponent(a.id)}">${ctx.t('audit.technicalStandard')} ${a.id}</a>`;
        default:
          return html`<span class="muted">${a.kind}: ${a.id}</span>`;
      }
    });
  return links.length === 0 ? html`` : html`<p class="links">${links.map((l, i) => html`${i > 0 ? ' · ' : ''}${l}`)}</p>`;
}

function timeline(ctx: PageContext, trace: Trace | undefined): Html {
  const steps = trace?.steps ?? [];
  if (steps.length === 0) return alertBox('info', ctx.t('audit.noAuditRecords'));
  return html`<p class="muted">${ctx.t('audit.recordsInTheOrder', { count: steps.length })}</p>
<ol class="timeline" data-testid="timeline">${steps.map((s) => {
    const details = detailsOf(s);
    return html`<li data-event-type="${s.eventType}">
  <p><time datetime="${s.time?.toISOString() ?? ''}">${chinaTime(s.time)}</time> · <strong>${eventTypeLabel(ctx.lang, s.eventType)}</strong> <code class="muted">${s.eventType}</code></p>
  <p>${
    s.actor
      ? html`${ctx.t('audit.by')}: <span data-testid="actor">${s.actor.subject}</span> · ${organisationLabel(ctx.lang, s.actor.organisation)}${s.actor.roles.length > 0 ? html` <span class="muted">(${s.actor.roles.map((r) => roleLabel(ctx.lang, r)).join('、')})</span>` : ''}`
      : html`<span class="muted">${ctx.t('audit.system')} · ${s.source}</span>`
  }</p>
  ${details ? html`<p class="details">${details}</p>` : ''}
  ${s.why ? html`<p>${ctx.t('audit.reason')}: ${s.why}</p>` : ''}
  ${aggregateLinks(ctx, s)}
  <p class="muted">#${s.globalSequence} · ${ctx.t('audit.hash')} <code>${s.hash.slice(0, 16)}…</code>${s.traceId ? html` · trace ${s.traceId}` : ''}</p>
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
<p class="actions"><a href="/audit/export${qs(targetQuery(o.target))}" data-testid="export">${ctx.t('audit.exportTheTraceJson')}</a>
${o.target.kind === 'item-version' ? html` · <a href="/standards/items/${encodeURIComponent(o.target.itemCode)}">${ctx.t('audit.openTheItem')}</a>` : ''}
${o.target.kind === 'proposal' ? html` · <a href="/proposals/${encodeURIComponent(o.target.proposalId)}">${ctx.t('audit.openTheProposal')}</a>` : ''}</p>
${o.itemVersion ? provenanceBox(ctx, o.itemVersion) : ''}
${timeline(ctx, o.trace)}
</section>`
    : ''
}`;
}
