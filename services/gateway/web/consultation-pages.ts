// Public consultation (征求意见, issue #17) in the console. On the public portal (no sign-in): the consultations
// open today, one consultation with its summary, the changes consulted on, the published comments and a comment
// form (held for moderation; limited per client address like the JSON API). For the lead ministry's staff: open a
// consultation on a proposal, see every comment and publish or reject each one with a reason.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ItemChange } from '../../../proto/gen/bps/standards/v1/changes';
import { CommentStatus, type Consultation, type ConsultationComment } from '../../../proto/gen/bps/proposals/v1/proposals';
import { todayInChina } from '../../shared/standards/china-date';
import type { Backends } from '../adapters/backends';
import type { CommentLimiter } from '../api/consultation-routes';
import { formValue, type FormBody } from '../http/cookies';
import { gatewayError } from '../http/errors';
import { GatewayHttpError } from '../http/api';
import { toHttpError } from '../http/grpc-errors';
import { html, qs, type Html } from './html';
import { alertBox, L, type PageContext } from './layout';
import type { Guarded } from './page-types';
import { refusalBox } from './work-pages';

type Query = Record<string, string | undefined>;

export type ConsultationPagesDeps = {
  readonly backends: Backends;
  readonly guarded: Guarded;
  readonly readable: Guarded;
  readonly limiter: CommentLimiter;
};

const idPattern = /^[A-Za-z0-9._:-]{1,128}$/;

function changeLine(ctx: PageContext, c: ItemChange): Html {
  const change = c.change;
  if (!change) return html`<li>${c.changeId}</li>`;
  switch (change.$case) {
    case 'addItem':
      return html`<li data-change="${c.changeId}">${L(ctx, '新增', 'Add')} <strong>${change.addItem.item?.itemCode ?? ''} ${change.addItem.item?.name ?? ''}</strong>${standardText(ctx, change.addItem.item?.qualityStandard?.text)}</li>`;
    case 'modifyItem':
      return html`<li data-change="${c.changeId}">${L(ctx, '调整', 'Modify')} <strong>${change.modifyItem.base?.itemCode ?? ''} ${change.modifyItem.item?.name ?? ''}</strong>${standardText(ctx, change.modifyItem.item?.qualityStandard?.text)}</li>`;
    case 'retireItem':
      return html`<li data-change="${c.changeId}">${L(ctx, '取消', 'Retire')} <strong>${change.retireItem.base?.itemCode ?? ''}</strong>：${change.retireItem.reason}</li>`;
    case 'moveItem':
      return html`<li data-change="${c.changeId}">${L(ctx, '调整归属', 'Move')} <strong>${change.moveItem.base?.itemCode ?? ''}</strong></li>`;
    case 'splitItem':
      return html`<li data-change="${c.changeId}">${L(ctx, '拆分', 'Split')} <strong>${change.splitItem.base?.itemCode ?? ''}</strong></li>`;
    case 'mergeItems':
      return html`<li data-change="${c.changeId}">${L(ctx, '合并', 'Merge')} <strong>${change.mergeItems.bases.map((b) => b.itemCode).join('、')}</strong></li>`;
    case 'setPackageLevel':
      return html`<li data-change="${c.changeId}">${L(ctx, '调整项目包水平', 'Set package level')} <strong>${change.setPackageLevel.base?.packageCode ?? ''}</strong>：${change.setPackageLevel.value} 元/人/年</li>`;
    default: {
      const never: never = change;
      return html`<li>${String(never)}</li>`;
    }
  }
}

function standardText(ctx: PageContext, text: string | undefined): Html | string {
  return text ? html`<br><span class="muted">${L(ctx, '拟定服务标准', 'Proposed standard')}：${text}</span>` : '';
}

const statusLabel = (ctx: PageContext, s: CommentStatus): string =>
  s === CommentStatus.COMMENT_STATUS_PUBLISHED
    ? L(ctx, '已公开', 'published')
    : s === CommentStatus.COMMENT_STATUS_REJECTED
      ? L(ctx, '不予公开', 'rejected')
      : L(ctx, '待审核', 'held');

function commentBlock(ctx: PageContext, c: ConsultationComment, moderate: string | undefined): Html {
  const who = [c.commenterName, c.commenterOrganisation].filter(Boolean).join('，') || L(ctx, '匿名', 'anonymous');
  const held = c.status === CommentStatus.COMMENT_STATUS_HELD;
  return html`<li class="comment" data-comment="${c.commentId}" data-status="${statusLabel(ctx, c.status)}">
  <p>${c.text}</p>
  <p class="muted">${c.commentId} · ${who}${c.receivedAt ? html` · ${todayInChina(c.receivedAt)}` : ''}${moderate ? html` · <strong>${statusLabel(ctx, c.status)}</strong>${c.moderationReason ? html`（${c.moderationReason}）` : ''}` : ''}</p>
  ${
    moderate && held
      ? html`<form method="post" action="${moderate}/comments/${encodeURIComponent(c.commentId)}" class="inline" data-testid="moderate-${c.commentId}">
    <label>${L(ctx, '理由', 'Reason')} <input name="reason" maxlength="1000"></label>
    <button type="submit" name="decision" value="PUBLISH">${L(ctx, '公开', 'Publish')}</button>
    <button type="submit" name="decision" value="REJECT">${L(ctx, '不予公开', 'Reject')}</button>
  </form>`
      : ''
  }
</li>`;
}

function consultationPage(ctx: PageContext, c: Consultation, options: { notice?: Html; moderate?: string }): Html {
  const base = `/consultations/${encodeURIComponent(c.proposalId)}`;
  return html`${options.notice ?? ''}
<p data-testid="consultation-period" class="muted">${c.proposalId} · ${L(ctx, '牵头部门', 'Lead ministry')} ${c.leadMinistry} · ${L(ctx, '征求意见期', 'Consultation period')} ${c.opensOn} — ${c.closesOn}（${L(ctx, '北京时间', 'Beijing time')}）
  ${c.acceptingComments ? html`<span class="badge badge-ok" data-testid="accepting">${L(ctx, '正在征求意见', 'open for comments')}</span>` : html`<span class="badge" data-testid="accepting">${L(ctx, '已截止', 'closed')}</span>`}</p>
<section data-testid="consultation-summary"><h2>${L(ctx, '方案摘要', 'Summary')}</h2><p>${c.summary}</p></section>
<section data-testid="consultation-changes"><h2>${L(ctx, '拟调整内容', 'Proposed changes')}</h2><ul>${c.changes.map((x) => changeLine(ctx, x))}</ul></section>
<section><h2>${options.moderate ? L(ctx, '收到的意见（全部）', 'Comments received (all)') : L(ctx, '已公开的意见', 'Published comments')}</h2>
${c.comments.length === 0 ? html`<p class="muted" data-testid="no-comments">${L(ctx, '暂无。', 'None yet.')}</p>` : html`<ol data-testid="comments">${c.comments.map((x) => commentBlock(ctx, x, options.moderate))}</ol>`}
</section>
${
  c.acceptingComments && !options.moderate
    ? html`<section><h2>${L(ctx, '发表意见', 'Comment')}</h2>
<p class="muted">${L(ctx, '无需登录。意见经牵头部门审核后公开；姓名和单位可不填。', 'No sign-in needed. Comments are published after the lead ministry reviews them; name and organisation are optional.')}</p>
<form method="post" action="${base}/comments" data-testid="comment-form">
  <p><label>${L(ctx, '意见', 'Comment')}<br><textarea name="text" rows="5" cols="60" maxlength="2000" required></textarea></label></p>
  <p><label>${L(ctx, '姓名（可选）', 'Name (optional)')} <input name="commenterName" maxlength="100"></label>
  <label>${L(ctx, '单位（可选）', 'Organisation (optional)')} <input name="commenterOrganisation" maxlength="200"></label></p>
  <p><button type="submit">${L(ctx, '提交意见', 'Send comment')}</button></p>
</form></section>`
    : ''
}`;
}

function listPage(ctx: PageContext, list: readonly Consultation[]): Html {
  return html`<p class="muted" data-testid="public-notice">${L(ctx, '调整方案公开征求意见，无需登录即可阅读和发表意见。', 'Proposals open for public comment; no sign-in needed to read or comment.')}</p>
${
  list.length === 0
    ? html`<p class="muted" data-testid="no-consultations">${L(ctx, '目前没有正在征求意见的调整方案。', 'No proposal is open for comment today.')}</p>`
    : html`<div class="table-wrap"><table data-testid="consultations"><thead><tr><th>${L(ctx, '调整方案', 'Proposal')}</th><th>${L(ctx, '牵头部门', 'Lead ministry')}</th><th>${L(ctx, '征求意见期', 'Period')}</th></tr></thead><tbody>
${list.map((c) => html`<tr data-proposal="${c.proposalId}"><td><a href="/consultations/${encodeURIComponent(c.proposalId)}">${c.title || c.proposalId}</a><br><span class="muted">${c.summary.slice(0, 120)}</span></td><td>${c.leadMinistry}</td><td>${c.opensOn} — ${c.closesOn}</td></tr>`)}
</tbody></table></div>`
}`;
}

function openForm(ctx: PageContext, proposalId: string, box?: Html): Html {
  const today = todayInChina();
  return html`${box ?? ''}<form method="post" action="/proposals/${encodeURIComponent(proposalId)}/consultation" data-testid="open-consultation">
  <p><label>${L(ctx, '开始日期', 'Opens on')} <input type="date" name="opensOn" value="${today}" required></label>
  <label>${L(ctx, '截止日期', 'Closes on')} <input type="date" name="closesOn" required></label></p>
  <p><label>${L(ctx, '公开摘要', 'Public summary')}<br><textarea name="summary" rows="5" cols="60" maxlength="4000" required></textarea></label></p>
  <p><button type="submit">${L(ctx, '公开征求意见', 'Open public consultation')}</button></p>
</form>`;
}

/** Form posts must come from our own pages (as console.ts checks for signed-in posts). */
function sameOrigin(req: FastifyRequest): boolean {
  const origin = req.headers.origin;
  if (!origin) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

export function registerConsultationPages(app: FastifyInstance, deps: ConsultationPagesDeps): void {
  const { backends, guarded, readable, limiter } = deps;
  const idOf = (req: FastifyRequest): string => {
    const id = (req.params as { proposalId: string }).proposalId;
    if (!idPattern.test(id)) throw new GatewayHttpError(gatewayError(404, 'NOT_FOUND', 'no such proposal'));
    return id;
  };

  app.get(
    '/consultations',
    readable(async (_req, ctx, token) => {
      const list = await backends.call('proposals', (c) => c.listConsultations.bind(c), { includeClosed: false }, token);
      return { title: L(ctx, '公开征求意见', 'Public consultations'), section: 'consultations', body: listPage(ctx, list.consultations) };
    }),
  );

  app.get(
    '/consultations/:proposalId',
    readable(async (req, ctx, token) => {
      const id = idOf(req);
      const { consultation } = await backends.call('proposals', (c) => c.getConsultation.bind(c), { proposalId: id }, token);
      if (!consultation) throw new GatewayHttpError(gatewayError(404, 'NOT_FOUND', 'no consultation'));
      const sent = (req.query as Query)['sent'];
      const notice =
        sent && /^C-\d+$/.test(sent)
          ? alertBox('ok', L(ctx, `意见 ${sent} 已收到，经审核后公开。`, `Comment ${sent} received; it is published after review.`))
          : undefined;
      // Visitors' pages are cached: the published list may lag by up to a minute (PUBLIC_CACHE_CONTROL).
      return {
        title: consultation.title || id,
        section: 'consultations',
        body: html`<div data-testid="consultation">${consultationPage(ctx, consultation, notice ? { notice } : {})}</div>`,
      };
    }),
  );

  // A comment from the portal: anyone, signed in or not (a visitor through the portal's account).
  const postComment = readable(async (req, ctx, token) => {
    if (!sameOrigin(req)) throw new GatewayHttpError(gatewayError(403, 'PERMISSION_DENIED', 'cross-site form post refused'));
    const id = idOf(req);
    const decision = limiter.take(req.bps.identity ? `sub:${req.bps.identity.subject}` : `ip:${req.ip}`);
    if (!decision.allowed)
      throw new GatewayHttpError(gatewayError(429, 'RATE_LIMITED', `too many comments from this address; retry after ${decision.retryAfterSeconds}s`));
    const form = (req.body ?? {}) as FormBody;
    try {
      const { commentId } = await backends.call(
        'proposals',
        (c) => c.submitConsultationComment.bind(c),
        {
          proposalId: id,
          text: formValue(form, 'text'),
          commenterName: formValue(form, 'commenterName'),
          commenterOrganisation: formValue(form, 'commenterOrganisation'),
          clientHash: limiter.hash(req.ip),
        },
        token,
      );
      return { redirect: `/consultations/${encodeURIComponent(id)}${qs({ sent: commentId })}` };
    } catch (error) {
      const { box, status } = refusalBox(ctx, error);
      const { consultation } = await backends.call('proposals', (c) => c.getConsultation.bind(c), { proposalId: id }, token);
      if (!consultation) throw error;
      return { title: consultation.title || id, section: 'consultations', status, body: consultationPage(ctx, consultation, { notice: box }) };
    }
  });
  app.post('/consultations/:proposalId/comments', postComment);

  // The lead ministry's page: open a consultation, or see every comment and moderate.
  const moderationPage = async (ctx: PageContext, token: string, id: string, box?: Html) => {
    try {
      const { consultation } = await backends.call('proposals', (c) => c.getConsultation.bind(c), { proposalId: id }, token);
      if (consultation)
        return {
          title: `${L(ctx, '征求意见', 'Consultation')} · ${consultation.title || id}`,
          section: 'proposals',
          body: html`<p><a href="/consultations/${encodeURIComponent(id)}">${L(ctx, '公众看到的页面', 'The public page')}</a> · <a href="/proposals/${encodeURIComponent(id)}">${L(ctx, '调整方案', 'Proposal')}</a></p>
<div data-testid="moderation">${consultationPage(ctx, consultation, { moderate: `/proposals/${encodeURIComponent(id)}/consultation`, ...(box ? { notice: box } : {}) })}</div>`,
        };
    } catch (error) {
      if (toHttpError(error).status !== 404) throw error;
    }
    // No consultation yet (or the proposal is not readable: the open call answers that).
    return { title: L(ctx, '公开征求意见', 'Open a public consultation'), section: 'proposals', body: openForm(ctx, id, box) };
  };

  app.get(
    '/proposals/:proposalId/consultation',
    guarded(async (req, ctx, token) => moderationPage(ctx, token, idOf(req))),
  );

  app.post(
    '/proposals/:proposalId/consultation',
    guarded(async (req, ctx, token) => {
      const id = idOf(req);
      const form = (req.body ?? {}) as FormBody;
      try {
        await backends.call(
          'proposals',
          (c) => c.openConsultation.bind(c),
          { proposalId: id, opensOn: formValue(form, 'opensOn'), closesOn: formValue(form, 'closesOn'), summary: formValue(form, 'summary') },
          token,
        );
        return { redirect: `/proposals/${encodeURIComponent(id)}/consultation` };
      } catch (error) {
        const { box, status } = refusalBox(ctx, error);
        return { ...(await moderationPage(ctx, token, id, box)), status };
      }
    }),
  );

  app.post(
    '/proposals/:proposalId/consultation/comments/:commentId',
    guarded(async (req, ctx, token) => {
      const id = idOf(req);
      const commentId = (req.params as { commentId: string }).commentId;
      const form = (req.body ?? {}) as FormBody;
      try {
        await backends.call(
          'proposals',
          (c) => c.moderateConsultationComment.bind(c),
          { proposalId: id, commentId, publish: formValue(form, 'decision') === 'PUBLISH', reason: formValue(form, 'reason') },
          token,
        );
        return { redirect: `/proposals/${encodeURIComponent(id)}/consultation` };
      } catch (error) {
        const { box, status } = refusalBox(ctx, error);
        return { ...(await moderationPage(ctx, token, id, box)), status };
      }
    }),
  );
}
