// Subscription pages for downstream system administrators: their webhook subscriptions, a form to create one
// (filters as the service supports them), and a subscription's deliveries with dead letters marked and redelivery.
import { chinaSecond } from '../../shared/standards/china-date';
import {
  attemptOutcomeToJSON,
  DeliveryStatus,
  deliveryStatusToJSON,
  subscriptionStatusToJSON,
  type Delivery,
  type DeliveryAttempt,
  type EventFilter,
  type Subscription,
} from '../../../proto/gen/bps/notifications/v1/subscriptions';
import { releaseKindToJSON } from '../../../proto/gen/bps/standards/v1/changes';
import { subscribableEventTypes } from '../../shared/events/subscribable';
import { html, type Html } from './html';
import { enumLabel, eventTypeLabel, organisationLabel } from './i18n';
import { alertBox, type PageContext } from './layout';
import { provinceName, provinces } from './provinces';

/** What the create form holds, as typed (kept on a refusal so nothing is lost). */
export type SubscriptionForm = {
  readonly endpointUrl: string;
  readonly description: string;
  readonly eventTypes: readonly string[];
  readonly fieldCodes: readonly string[];
  /** As typed: codes separated by commas, spaces or 、 */
  readonly itemCodes: string;
  readonly provinceCodes: readonly string[];
  readonly releaseKind: string;
};

/** A field a filter may name; `inForce`: service items in force today carry it. */
export type FieldChoice = { readonly code: string; readonly name: string; readonly inForce: boolean };

export const emptySubscriptionForm: SubscriptionForm = {
  endpointUrl: '',
  description: '',
  eventTypes: [],
  fieldCodes: [],
  itemCodes: '',
  provinceCodes: [],
  releaseKind: '',
};

export const splitCodes = (text: string): string[] =>
  text
    .split(/[\s,，、;；]+/)
    .map((s) => s.trim())
    .filter(Boolean);

/** May create subscriptions (the service enforces the same roles). */
export const maySubscribe = (ctx: PageContext): boolean =>
  (['subscriber-admin', 'province-officer'] as const).some((r) => ctx.identity?.roles.includes(r) ?? false);

const statusBadgeClass: Record<string, string> = {
  SUBSCRIPTION_STATUS_ACTIVE: 'badge-ok',
  SUBSCRIPTION_STATUS_PAUSED: 'badge-warn',
  SUBSCRIPTION_STATUS_DISABLED: 'badge-bad',
  SUBSCRIPTION_STATUS_DELETED: 'badge-bad',
  DELIVERY_STATUS_PENDING: 'badge-info',
  DELIVERY_STATUS_DELIVERED: 'badge-ok',
  DELIVERY_STATUS_DEAD_LETTERED: 'badge-bad',
  DELIVERY_STATUS_CANCELLED: '',
};

function badge(ctx: PageContext, name: string): Html {
  return html`<span class="badge ${statusBadgeClass[name] ?? ''}" data-status="${name}">${enumLabel(ctx.lang, name)}</span>`;
}

/** Asia/Shanghai wall-clock time, as people on the platform read it. */
export function chinaTime(d: Date | undefined): string {
  if (!d) return '';
  return chinaSecond(d);
}

export function filterSummary(ctx: PageContext, f: EventFilter | undefined): Html {
  const parts: Html[] = [];
  if (f?.eventTypes.length) parts.push(html`${ctx.t('subscription.events')}: ${f.eventTypes.map((t) => eventTypeLabel(ctx.lang, t)).join('、')}`);
  if (f?.fieldCodes.length) parts.push(html`${ctx.t('common.fields')}: ${f.fieldCodes.join('、')}`);
  if (f?.itemCodes.length) parts.push(html`${ctx.t('common.itemsHeading')}: ${f.itemCodes.join('、')}`);
  if (f?.provinceCodes.length) parts.push(html`${ctx.t('subscription.provinces')}: ${f.provinceCodes.map((p) => provinceName(p, ctx.lang)).join('、')}`);
  if (f?.releaseKind) parts.push(html`${enumLabel(ctx.lang, releaseKindToJSON(f.releaseKind))}`);
  if (parts.length === 0) return html`<span class="muted">${ctx.t('subscription.everyRegistryEventApproval')}</span>`;
  return html`${parts.map((p, i) => html`${i > 0 ? html`<br>` : ''}${p}`)}`;
}

function createForm(ctx: PageContext, form: SubscriptionForm, fields: readonly FieldChoice[]): Html {
  const officer = ctx.identity?.roles.includes('province-officer') && !ctx.identity.roles.includes('subscriber-admin');
  return html`<section aria-labelledby="new-sub"><h2 id="new-sub">${ctx.t('subscription.newWebhookSubscription')}</h2>
<form method="post" action="/subscriptions" data-testid="subscription-form">
  <div class="grid-form">
    <label for="endpointUrl">${ctx.t('subscription.endpointUrlHttpHttps')}</label>
    <input type="url" id="endpointUrl" name="endpointUrl" value="${form.endpointUrl}" required placeholder="https://example.gov.cn/bps-webhook" autocomplete="url">
    <label for="description">${ctx.t('subscription.description')}</label>
    <input type="text" id="description" name="description" value="${form.description}" maxlength="500">
  </div>
  <fieldset><legend>${ctx.t('subscription.eventTypesNoneEvery')}</legend>
    <ul class="checks">${subscribableEventTypes.map(
      (type, i) => html`<li><input type="checkbox" id="et-${i}" name="eventType" value="${type}"${form.eventTypes.includes(type) ? html` checked` : ''}>
      <label for="et-${i}">${eventTypeLabel(ctx.lang, type)} <code class="muted">${type}</code></label></li>`,
    )}</ul>
  </fieldset>
  <fieldset><legend>${ctx.t('subscription.fieldsNoneAll')}</legend>
    ${
      fields.length === 0
        ? html`<p class="muted">${ctx.t('subscription.fieldListIsUnavailable')}</p>`
        : html`<ul class="checks">${fields.map(
            (f, i) => html`<li><input type="checkbox" id="fc-${i}" name="field" value="${f.code}"${form.fieldCodes.includes(f.code) ? html` checked` : ''}>
      <label for="fc-${i}">${f.name} <code class="muted">${f.code}</code>${f.inForce ? '' : html` <span class="muted">${ctx.t('subscription.currentTaxonomyNoItems')}</span>`}</label></li>`,
          )}</ul>`
    }
  </fieldset>
  <div class="grid-form">
    <label for="itemCodes">${ctx.t('subscription.itemCodesCommaOr')}</label>
    <input type="text" id="itemCodes" name="itemCodes" value="${form.itemCodes}" placeholder="HEA-01, INS-05">
    <label for="provinceCodes">${ctx.t('subscription.provincesSeveralAllowedNational')}</label>
    ${
      officer
        ? html`<p id="provinceCodes" class="muted">${ctx.t('subscription.provinceOfficerSubscribesFor')}: ${provinceName(ctx.identity?.organisation ?? '', ctx.lang)}</p>`
        : html`<select id="provinceCodes" name="province" multiple size="6">${provinces.map((p) => html`<option value="${p.code}"${form.provinceCodes.includes(p.code) ? html` selected` : ''}>${provinceName(p.code, ctx.lang)}</option>`)}</select>`
    }
    <label for="releaseKind">${ctx.t('subscription.releaseKind')}</label>
    <select id="releaseKind" name="releaseKind">
      <option value="">${ctx.t('subscription.both')}</option>
      ${['RELEASE_KIND_EDITION', 'RELEASE_KIND_AMENDMENT'].map((k) => html`<option value="${k}"${form.releaseKind === k ? html` selected` : ''}>${enumLabel(ctx.lang, k)}</option>`)}
    </select>
  </div>
  <p class="muted">${ctx.t('subscription.everyWebhookIsSigned')}</p>
  <div class="actions"><button type="submit" class="primary" data-testid="create-subscription">${ctx.t('subscription.createSubscription')}</button></div>
</form></section>`;
}

export function subscriptionsListPage(
  ctx: PageContext,
  subscriptions: readonly Subscription[],
  o: { form: SubscriptionForm; fields: readonly FieldChoice[]; flash?: Html },
): Html {
  return html`
${o.flash ?? ''}
<p>${ctx.t('subscription.downstreamSystemsProvincialService')}</p>
${
  subscriptions.length === 0
    ? alertBox('info', ctx.t('subscription.noSubscriptionsYet'))
    : html`<div class="table-wrap"><table data-testid="subscriptions">
  <thead><tr><th scope="col">${ctx.t('common.subscription')}</th><th scope="col">${ctx.t('common.status')}</th><th scope="col">${ctx.t('subscription.endpoint')}</th><th scope="col">${ctx.t('subscription.filter')}</th><th scope="col">${ctx.t('common.organisation')}</th><th scope="col">${ctx.t('subscription.created')}</th></tr></thead>
  <tbody>${subscriptions.map(
    (s) => html`<tr data-subscription="${s.subscriptionId}">
    <td><a href="/subscriptions/${encodeURIComponent(s.subscriptionId)}">${s.description || s.subscriptionId}</a><br><code class="muted wrap">${s.subscriptionId}</code></td>
    <td>${badge(ctx, subscriptionStatusToJSON(s.status))}</td>
    <td><code class="wrap">${s.endpointUrl}</code></td>
    <td>${filterSummary(ctx, s.filter)}</td>
    <td>${organisationLabel(ctx.lang, s.organisation)}</td>
    <td>${chinaTime(s.createdAt)}</td>
  </tr>`,
  )}</tbody></table></div>`
}
${maySubscribe(ctx) ? createForm(ctx, o.form, o.fields) : ''}`;
}

export type DeliveryFilter = { status: string };

export function subscriptionPage(
  ctx: PageContext,
  s: Subscription,
  o: {
    deliveries: readonly Delivery[];
    attempts: readonly DeliveryAttempt[];
    filter: DeliveryFilter;
    secret?: string;
    flash?: Html;
    /** Pause and resume (its organisation's subscriber administrators). */
    mayManage: boolean;
    /** Send again (the owner, or an operator). */
    mayRedeliver: boolean;
  },
): Html {
  const id = encodeURIComponent(s.subscriptionId);
  const status = subscriptionStatusToJSON(s.status);
  const dead = o.deliveries.filter((d) => d.status === DeliveryStatus.DELIVERY_STATUS_DEAD_LETTERED);
  const attemptsOf = (eventId: string) => o.attempts.filter((a) => a.eventId === eventId);
  return html`
${
  o.secret
    ? html`<div class="alert alert-ok" role="status" data-testid="secret-box"><strong>${ctx.t('subscription.subscriptionCreatedTheSigning')}</strong>
  <p><code class="secret wrap" data-testid="secret">${o.secret}</code></p>
  <p class="muted">${ctx.t('subscription.itCannotBeShown')}</p></div>`
    : ''
}
${o.flash ?? ''}
<dl class="attributes" data-testid="subscription">
  <div><dt>${ctx.t('common.status')}</dt><dd>${badge(ctx, status)}${s.disabledReason ? html`<br><span class="muted">${s.disabledReason}</span>` : ''}</dd></div>
  <div><dt>${ctx.t('subscription.endpoint')}</dt><dd><code class="wrap">${s.endpointUrl}</code></dd></div>
  <div><dt>${ctx.t('subscription.filter')}</dt><dd>${filterSummary(ctx, s.filter)}</dd></div>
  <div><dt>${ctx.t('subscription.organisationCreatedBy')}</dt><dd>${organisationLabel(ctx.lang, s.organisation)} · ${s.createdBy}<br><span class="muted">${chinaTime(s.createdAt)}</span></dd></div>
  <div><dt>${ctx.t('subscription.subscriptionId')}</dt><dd><code class="wrap" data-testid="subscription-id">${s.subscriptionId}</code></dd></div>
  ${s.previousSecretExpiresAt ? html`<div><dt>${ctx.t('subscription.previousSecretValidUntil')}</dt><dd>${chinaTime(s.previousSecretExpiresAt)}</dd></div>` : ''}
</dl>
${
  o.mayManage
    ? html`<div class="actions">
  ${status === 'SUBSCRIPTION_STATUS_ACTIVE' ? html`<form method="post" action="/subscriptions/${id}/pause" class="inline"><button type="submit" data-action="pause">${ctx.t('subscription.pause')}</button></form>` : ''}
  ${status === 'SUBSCRIPTION_STATUS_PAUSED' || status === 'SUBSCRIPTION_STATUS_DISABLED' ? html`<form method="post" action="/subscriptions/${id}/resume" class="inline"><button type="submit" class="primary" data-action="resume">${ctx.t('subscription.resume')}</button></form>` : ''}
</div>`
    : ''
}
<section aria-labelledby="deliveries-h"><h2 id="deliveries-h">${ctx.t('subscription.deliveries')}</h2>
<form method="get" action="/subscriptions/${id}" class="filters" role="search">
  <label for="status">${ctx.t('common.status')}</label>
  <select id="status" name="status"><option value="">${ctx.t('common.all')}</option>
    ${['DELIVERY_STATUS_PENDING', 'DELIVERY_STATUS_DELIVERED', 'DELIVERY_STATUS_DEAD_LETTERED', 'DELIVERY_STATUS_CANCELLED'].map((st) => html`<option value="${st}"${o.filter.status === st ? html` selected` : ''}>${enumLabel(ctx.lang, st)}</option>`)}
  </select>
  <button type="submit">${ctx.t('common.filter')}</button>
</form>
${
  dead.length > 0
    ? html`<div data-testid="dead-letters">${alertBox('error', `${ctx.t('subscription.deadLetters')}: ${dead.length}`, [
        ctx.t('subscription.theseEventsFailedEvery'),
      ])}${o.mayRedeliver ? html`<form method="post" action="/subscriptions/${id}/redeliver" class="inline"><button type="submit" class="danger" data-action="redeliver-all">${ctx.t('subscription.redeliverEveryDeadLetter')}</button></form>` : ''}</div>`
    : ''
}
${
  o.deliveries.length === 0
    ? alertBox('info', ctx.t('subscription.noDeliveriesYet'))
    : html`<div class="table-wrap"><table data-testid="deliveries">
  <thead><tr><th scope="col">${ctx.t('subscription.event')}</th><th scope="col">${ctx.t('common.status')}</th><th scope="col">${ctx.t('subscription.attempts')}</th><th scope="col">${ctx.t('subscription.lastResponseError')}</th><th scope="col">${ctx.t('subscription.time')}</th><th scope="col">${ctx.t('subscription.action')}</th></tr></thead>
  <tbody>${o.deliveries.map((d) => {
    const name = deliveryStatusToJSON(d.status);
    const isDead = d.status === DeliveryStatus.DELIVERY_STATUS_DEAD_LETTERED;
    const tries = attemptsOf(d.eventId);
    return html`<tr data-event="${d.eventId}" data-status="${name}"${isDead ? html` class="dead"` : ''}>
    <td><strong>${eventTypeLabel(ctx.lang, d.eventType)}</strong><br><code class="muted wrap">${d.eventType}</code><br><span class="muted wrap">${d.subject}${d.releaseId && d.releaseId !== d.subject ? ` · ${d.releaseId}` : ''}</span><br><code class="muted wrap" title="webhook-id">${d.eventId}</code></td>
    <td>${isDead ? html`<strong class="dead-mark" aria-hidden="true">✗ </strong>` : ''}${badge(ctx, name)}</td>
    <td data-testid="attempts">${d.attempts}</td>
    <td>${d.lastStatusCode ? html`HTTP ${d.lastStatusCode}` : html`<span class="muted">—</span>`}${d.lastError ? html`<br><span class="error-text">${d.lastError}</span>` : ''}
      ${tries.length > 0 ? html`<details><summary>${ctx.t('subscription.eachAttempt')} (${tries.length})</summary><ol>${tries.map((a) => html`<li>${chinaTime(a.startedAt)} · ${a.statusCode ? `HTTP ${a.statusCode}` : ctx.t('subscription.noResponse')} · ${enumLabel(ctx.lang, attemptOutcomeToJSON(a.outcome))} · ${a.latencyMs} ms${a.error ? ` · ${a.error}` : ''}</li>`)}</ol></details>` : ''}</td>
    <td>${ctx.t('subscription.createdShort')} ${chinaTime(d.createdAt)}${d.deliveredAt ? html`<br>${ctx.t('subscription.delivered')} ${chinaTime(d.deliveredAt)}` : ''}${d.nextAttemptAt ? html`<br>${ctx.t('subscription.nextTry')} ${chinaTime(d.nextAttemptAt)}` : ''}</td>
    <td>${
      o.mayRedeliver && (isDead || d.status === DeliveryStatus.DELIVERY_STATUS_DELIVERED)
        ? html`<form method="post" action="/subscriptions/${id}/redeliver" class="inline">
      <input type="hidden" name="eventId" value="${d.eventId}">
      <button type="submit" data-action="redeliver"${isDead ? html` class="primary"` : ''} aria-label="${ctx.t('subscription.redeliver')} ${eventTypeLabel(ctx.lang, d.eventType)} ${d.eventId}">${ctx.t('subscription.redeliver')}</button></form>`
        : html`<span class="muted">—</span>`
    }</td>
  </tr>`;
  })}</tbody></table></div>`
}
<p><a href="/subscriptions">${ctx.t('subscription.backToSubscriptions')}</a></p>
</section>`;
}
