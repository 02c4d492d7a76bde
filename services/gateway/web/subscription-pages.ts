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
import { alertBox, L, type PageContext } from './layout';
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
  if (f?.eventTypes.length) parts.push(html`${L(ctx, '事件', 'Events')}: ${f.eventTypes.map((t) => eventTypeLabel(ctx.lang, t)).join('、')}`);
  if (f?.fieldCodes.length) parts.push(html`${L(ctx, '领域', 'Fields')}: ${f.fieldCodes.join('、')}`);
  if (f?.itemCodes.length) parts.push(html`${L(ctx, '服务项目', 'Items')}: ${f.itemCodes.join('、')}`);
  if (f?.provinceCodes.length) parts.push(html`${L(ctx, '省份', 'Provinces')}: ${f.provinceCodes.map((p) => provinceName(p, ctx.lang)).join('、')}`);
  if (f?.releaseKind) parts.push(html`${enumLabel(ctx.lang, releaseKindToJSON(f.releaseKind))}`);
  if (parts.length === 0)
    return html`<span class="muted">${L(ctx, '全部标准事件（不含审批结果）', 'Every registry event (approval outcomes not included)')}</span>`;
  return html`${parts.map((p, i) => html`${i > 0 ? html`<br>` : ''}${p}`)}`;
}

function createForm(ctx: PageContext, form: SubscriptionForm, fields: readonly FieldChoice[]): Html {
  const officer = ctx.identity?.roles.includes('province-officer') && !ctx.identity.roles.includes('subscriber-admin');
  return html`<section aria-labelledby="new-sub"><h2 id="new-sub">${L(ctx, '新建 Webhook 订阅', 'New webhook subscription')}</h2>
<form method="post" action="/subscriptions" data-testid="subscription-form">
  <div class="grid-form">
    <label for="endpointUrl">${L(ctx, '接收地址（http/https）', 'Endpoint URL (http/https)')}</label>
    <input type="url" id="endpointUrl" name="endpointUrl" value="${form.endpointUrl}" required placeholder="https://example.gov.cn/bps-webhook" autocomplete="url">
    <label for="description">${L(ctx, '说明', 'Description')}</label>
    <input type="text" id="description" name="description" value="${form.description}" maxlength="500">
  </div>
  <fieldset><legend>${L(ctx, '事件类型（不选 = 全部标准事件；审批结果需勾选）', 'Event types (none = every registry event; approval outcomes only when ticked)')}</legend>
    <ul class="checks">${subscribableEventTypes.map(
      (type, i) => html`<li><input type="checkbox" id="et-${i}" name="eventType" value="${type}"${form.eventTypes.includes(type) ? html` checked` : ''}>
      <label for="et-${i}">${eventTypeLabel(ctx.lang, type)} <code class="muted">${type}</code></label></li>`,
    )}</ul>
  </fieldset>
  <fieldset><legend>${L(ctx, '领域（不选 = 全部）', 'Fields (none = all)')}</legend>
    ${
      fields.length === 0
        ? html`<p class="muted">${L(ctx, '领域列表暂不可用。', 'The field list is unavailable.')}</p>`
        : html`<ul class="checks">${fields.map(
            (f, i) => html`<li><input type="checkbox" id="fc-${i}" name="field" value="${f.code}"${form.fieldCodes.includes(f.code) ? html` checked` : ''}>
      <label for="fc-${i}">${f.name} <code class="muted">${f.code}</code>${f.inForce ? '' : html` <span class="muted">${L(ctx, '（现行分类，尚无项目）', '(current taxonomy, no items yet)')}</span>`}</label></li>`,
          )}</ul>`
    }
  </fieldset>
  <div class="grid-form">
    <label for="itemCodes">${L(ctx, '服务项目编号（逗号或空格分隔；留空 = 全部）', 'Item codes (comma or space separated; empty = all)')}</label>
    <input type="text" id="itemCodes" name="itemCodes" value="${form.itemCodes}" placeholder="HEA-01, INS-05">
    <label for="provinceCodes">${L(ctx, '省份（可多选；全国性发布始终推送）', 'Provinces (several allowed; national publications always match)')}</label>
    ${
      officer
        ? html`<p id="provinceCodes" class="muted">${L(ctx, '省级工作人员的订阅限于本省', 'A province officer subscribes for its own province')}: ${provinceName(ctx.identity?.organisation ?? '', ctx.lang)}</p>`
        : html`<select id="provinceCodes" name="province" multiple size="6">${provinces.map((p) => html`<option value="${p.code}"${form.provinceCodes.includes(p.code) ? html` selected` : ''}>${ctx.lang === 'en' ? p.en : p.name}</option>`)}</select>`
    }
    <label for="releaseKind">${L(ctx, '发布类型', 'Release kind')}</label>
    <select id="releaseKind" name="releaseKind">
      <option value="">${L(ctx, '全部', 'Both')}</option>
      ${['RELEASE_KIND_EDITION', 'RELEASE_KIND_AMENDMENT'].map((k) => html`<option value="${k}"${form.releaseKind === k ? html` selected` : ''}>${enumLabel(ctx.lang, k)}</option>`)}
    </select>
  </div>
  <p class="muted">${L(ctx, '每次推送均按 Standard Webhooks 签名（webhook-id、webhook-timestamp、webhook-signature）。签名密钥仅在创建后显示一次。', 'Every webhook is signed per Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature). The signing secret is shown once, after creation.')}</p>
  <div class="actions"><button type="submit" class="primary" data-testid="create-subscription">${L(ctx, '创建订阅', 'Create subscription')}</button></div>
</form></section>`;
}

export function subscriptionsListPage(
  ctx: PageContext,
  subscriptions: readonly Subscription[],
  o: { form: SubscriptionForm; fields: readonly FieldChoice[]; flash?: Html },
): Html {
  return html`
${o.flash ?? ''}
<p>${L(ctx, '下游系统（省级服务平台、统计和财政系统、公共信息资源库）通过订阅接收每一次标准发布。', 'Downstream systems (provincial service platforms, statistics and finance systems, the public information base) receive every publication through subscriptions.')}</p>
${
  subscriptions.length === 0
    ? alertBox('info', L(ctx, '尚无订阅。', 'No subscriptions yet.'))
    : html`<div class="table-wrap"><table data-testid="subscriptions">
  <thead><tr><th scope="col">${L(ctx, '订阅', 'Subscription')}</th><th scope="col">${L(ctx, '状态', 'Status')}</th><th scope="col">${L(ctx, '接收地址', 'Endpoint')}</th><th scope="col">${L(ctx, '筛选条件', 'Filter')}</th><th scope="col">${L(ctx, '单位', 'Organisation')}</th><th scope="col">${L(ctx, '创建时间', 'Created')}</th></tr></thead>
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
    ? html`<div class="alert alert-ok" role="status" data-testid="secret-box"><strong>${L(ctx, '订阅已创建。签名密钥只显示这一次，请立即保存到接收系统：', 'Subscription created. The signing secret is shown only this once; store it in the receiving system now:')}</strong>
  <p><code class="secret wrap" data-testid="secret">${o.secret}</code></p>
  <p class="muted">${L(ctx, '离开本页后无法再次查看；如遗失，请轮换密钥。', 'It cannot be shown again; if lost, rotate the secret.')}</p></div>`
    : ''
}
${o.flash ?? ''}
<dl class="attributes" data-testid="subscription">
  <div><dt>${L(ctx, '状态', 'Status')}</dt><dd>${badge(ctx, status)}${s.disabledReason ? html`<br><span class="muted">${s.disabledReason}</span>` : ''}</dd></div>
  <div><dt>${L(ctx, '接收地址', 'Endpoint')}</dt><dd><code class="wrap">${s.endpointUrl}</code></dd></div>
  <div><dt>${L(ctx, '筛选条件', 'Filter')}</dt><dd>${filterSummary(ctx, s.filter)}</dd></div>
  <div><dt>${L(ctx, '单位 / 创建人', 'Organisation / created by')}</dt><dd>${organisationLabel(ctx.lang, s.organisation)} · ${s.createdBy}<br><span class="muted">${chinaTime(s.createdAt)}</span></dd></div>
  <div><dt>${L(ctx, '订阅编号', 'Subscription id')}</dt><dd><code class="wrap" data-testid="subscription-id">${s.subscriptionId}</code></dd></div>
  ${s.previousSecretExpiresAt ? html`<div><dt>${L(ctx, '旧密钥有效至', 'Previous secret valid until')}</dt><dd>${chinaTime(s.previousSecretExpiresAt)}</dd></div>` : ''}
</dl>
${
  o.mayManage
    ? html`<div class="actions">
  ${status === 'SUBSCRIPTION_STATUS_ACTIVE' ? html`<form method="post" action="/subscriptions/${id}/pause" class="inline"><button type="submit" data-action="pause">${L(ctx, '暂停推送', 'Pause')}</button></form>` : ''}
  ${status === 'SUBSCRIPTION_STATUS_PAUSED' || status === 'SUBSCRIPTION_STATUS_DISABLED' ? html`<form method="post" action="/subscriptions/${id}/resume" class="inline"><button type="submit" class="primary" data-action="resume">${L(ctx, '恢复推送', 'Resume')}</button></form>` : ''}
</div>`
    : ''
}
<section aria-labelledby="deliveries-h"><h2 id="deliveries-h">${L(ctx, '投递记录', 'Deliveries')}</h2>
<form method="get" action="/subscriptions/${id}" class="filters" role="search">
  <label for="status">${L(ctx, '状态', 'Status')}</label>
  <select id="status" name="status"><option value="">${L(ctx, '全部', 'All')}</option>
    ${['DELIVERY_STATUS_PENDING', 'DELIVERY_STATUS_DELIVERED', 'DELIVERY_STATUS_DEAD_LETTERED', 'DELIVERY_STATUS_CANCELLED'].map((st) => html`<option value="${st}"${o.filter.status === st ? html` selected` : ''}>${enumLabel(ctx.lang, st)}</option>`)}
  </select>
  <button type="submit">${L(ctx, '筛选', 'Filter')}</button>
</form>
${
  dead.length > 0
    ? html`<div data-testid="dead-letters">${alertBox('error', `${L(ctx, '投递失败（死信）', 'Dead letters')}: ${dead.length}`, [
        L(
          ctx,
          '这些事件多次推送失败或被接收端拒绝，不会再自动重试。修复接收端后可重新投递（沿用原 webhook-id）。',
          'These events failed every try or were refused by the endpoint and will not be retried automatically. Fix the endpoint, then redeliver (the original webhook-id is kept).',
        ),
      ])}${o.mayRedeliver ? html`<form method="post" action="/subscriptions/${id}/redeliver" class="inline"><button type="submit" class="danger" data-action="redeliver-all">${L(ctx, '重新投递全部死信', 'Redeliver every dead letter')}</button></form>` : ''}</div>`
    : ''
}
${
  o.deliveries.length === 0
    ? alertBox('info', L(ctx, '暂无投递记录。', 'No deliveries yet.'))
    : html`<div class="table-wrap"><table data-testid="deliveries">
  <thead><tr><th scope="col">${L(ctx, '事件', 'Event')}</th><th scope="col">${L(ctx, '状态', 'Status')}</th><th scope="col">${L(ctx, '尝试次数', 'Attempts')}</th><th scope="col">${L(ctx, '最近响应 / 错误', 'Last response / error')}</th><th scope="col">${L(ctx, '时间', 'Time')}</th><th scope="col">${L(ctx, '操作', 'Action')}</th></tr></thead>
  <tbody>${o.deliveries.map((d) => {
    const name = deliveryStatusToJSON(d.status);
    const isDead = d.status === DeliveryStatus.DELIVERY_STATUS_DEAD_LETTERED;
    const tries = attemptsOf(d.eventId);
    return html`<tr data-event="${d.eventId}" data-status="${name}"${isDead ? html` class="dead"` : ''}>
    <td><strong>${eventTypeLabel(ctx.lang, d.eventType)}</strong><br><code class="muted wrap">${d.eventType}</code><br><span class="muted wrap">${d.subject}${d.releaseId && d.releaseId !== d.subject ? ` · ${d.releaseId}` : ''}</span><br><code class="muted wrap" title="webhook-id">${d.eventId}</code></td>
    <td>${isDead ? html`<strong class="dead-mark" aria-hidden="true">✗ </strong>` : ''}${badge(ctx, name)}</td>
    <td data-testid="attempts">${d.attempts}</td>
    <td>${d.lastStatusCode ? html`HTTP ${d.lastStatusCode}` : html`<span class="muted">—</span>`}${d.lastError ? html`<br><span class="error-text">${d.lastError}</span>` : ''}
      ${tries.length > 0 ? html`<details><summary>${L(ctx, '每次尝试', 'Each attempt')} (${tries.length})</summary><ol>${tries.map((a) => html`<li>${chinaTime(a.startedAt)} · ${a.statusCode ? `HTTP ${a.statusCode}` : L(ctx, '无响应', 'no response')} · ${enumLabel(ctx.lang, attemptOutcomeToJSON(a.outcome))} · ${a.latencyMs} ms${a.error ? ` · ${a.error}` : ''}</li>`)}</ol></details>` : ''}</td>
    <td>${L(ctx, '创建', 'Created')} ${chinaTime(d.createdAt)}${d.deliveredAt ? html`<br>${L(ctx, '送达', 'Delivered')} ${chinaTime(d.deliveredAt)}` : ''}${d.nextAttemptAt ? html`<br>${L(ctx, '下次尝试', 'Next try')} ${chinaTime(d.nextAttemptAt)}` : ''}</td>
    <td>${
      o.mayRedeliver && (isDead || d.status === DeliveryStatus.DELIVERY_STATUS_DELIVERED)
        ? html`<form method="post" action="/subscriptions/${id}/redeliver" class="inline">
      <input type="hidden" name="eventId" value="${d.eventId}">
      <button type="submit" data-action="redeliver"${isDead ? html` class="primary"` : ''} aria-label="${L(ctx, '重新投递', 'Redeliver')} ${eventTypeLabel(ctx.lang, d.eventType)} ${d.eventId}">${L(ctx, '重新投递', 'Redeliver')}</button></form>`
        : html`<span class="muted">—</span>`
    }</td>
  </tr>`;
  })}</tbody></table></div>`
}
<p><a href="/subscriptions">${L(ctx, '返回订阅列表', 'Back to subscriptions')}</a></p>
</section>`;
}
