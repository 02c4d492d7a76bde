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
import { alertBox, type PageContext } from './layout';
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
      return html`<li data-change="${c.changeId}">${ctx.t('consultation.add')} <strong>${change.addItem.item?.itemCode ?? ''} ${change.addItem.item?.name ?? ''}</strong>${standardText(ctx, change.addItem.item?.qualityStandard?.text)}</li>`;
    case 'modifyItem':
      return html`<li data-change="${c.changeId}">${ctx.t('common.modify')} <strong>${change.modifyItem.base?.itemCode ?? ''} ${change.modifyItem.item?.name ?? ''}</strong>${standardText(ctx, change.modifyItem.item?.qualityStandard?.text)}</li>`;
    case 'retireItem':
      return html`<li data-change="${c.changeId}">${ctx.t('consultation.retire')} <strong>${change.retireItem.base?.itemCode ?? ''}</strong>：${change.retireItem.reason}</li>`;
    case 'moveItem':
      return html`<li data-change="${c.changeId}">${ctx.t('consultation.move')} <strong>${change.moveItem.base?.itemCode ?? ''}</strong></li>`;
    case 'splitItem':
      return html`<li data-change="${c.changeId}">${ctx.t('consultation.split')} <strong>${change.splitItem.base?.itemCode ?? ''}</strong></li>`;
    case 'mergeItems':
      return html`<li data-change="${c.changeId}">${ctx.t('consultation.merge')} <strong>${change.mergeItems.bases.map((b) => b.itemCode).join('、')}</strong></li>`;
    case 'setPackageLevel':
      return html`<li data-change="${c.changeId}">${ctx.t('consultation.setPackageLevel')} <strong>${change.setPackageLevel.base?.packageCode ?? ''}</strong>：${change.setPackageLevel.value} 元/人/年</li>`;
    default: {
      const never: never = change;
      return html`<li>${String(never)}</li>`;
    }
  }
}

function standardText(ctx: PageContext, text: string | undefined): Html | string {
  return text ? html`<br><span class="muted">${ctx.t('consultation.proposedStandard')}：${text}</span>` : '';
}

const statusLabel = (ctx: PageContext, s: CommentStatus): string =>
  s === CommentStatus.COMMENT_STATUS_PUBLISHED
    ? ctx.t('consultation.published')
    : s === CommentStatus.COMMENT_STATUS_REJECTED
      ? ctx.t('consultation.rejected')
      : ctx.t('consultation.held');

function commentBlock(ctx: PageContext, c: ConsultationComment, moderate: string | undefined): Html {
  const who = [c.commenterName, c.commenterOrganisation].filter(Boolean).join('，') || ctx.t('consultation.anonymous');
  const held = c.status === CommentStatus.COMMENT_STATUS_HELD;
  return html`<li class="comment" data-comment="${c.commentId}" data-status="${statusLabel(ctx, c.status)}">
  <p>${c.text}</p>
  <p class="muted">${c.commentId} · ${who}${c.receivedAt ? html` · ${todayInChina(c.receivedAt)}` : ''}${moderate ? html` · <strong>${statusLabel(ctx, c.status)}</strong>${c.moderationReason ? html`（${c.moderationReason}）` : ''}` : ''}</p>
  ${
    moderate && held
      ? html`<form method="post" action="${moderate}/comments/${encodeURIComponent(c.commentId)}" class="inline" data-testid="moderate-${c.commentId}">
    <label>${ctx.t('common.reasonGiven')} <input name="reason" maxlength="1000"></label>
    <button type="submit" name="decision" value="PUBLISH">${ctx.t('consultation.publish')}</button>
    <button type="submit" name="decision" value="REJECT">${ctx.t('consultation.reject')}</button>
  </form>`
      : ''
  }
</li>`;
}

function consultationPage(ctx: PageContext, c: Consultation, options: { notice?: Html; moderate?: string }): Html {
  const base = `/consultations/${encodeURIComponent(c.proposalId)}`;
  return html`${options.notice ?? ''}
<p data-testid="consultation-period" class="muted">${c.proposalId} · ${ctx.t('common.leadMinistry')} ${c.leadMinistry} · ${ctx.t('consultation.consultationPeriod')} ${c.opensOn} — ${c.closesOn}（${ctx.t('consultation.beijingTime')}）
  ${c.acceptingComments ? html`<span class="badge badge-ok" data-testid="accepting">${ctx.t('consultation.openForComments')}</span>` : html`<span class="badge" data-testid="accepting">${ctx.t('consultation.closed')}</span>`}</p>
<section data-testid="consultation-summary"><h2>${ctx.t('consultation.summary')}</h2><p>${c.summary}</p></section>
<section data-testid="consultation-changes"><h2>${ctx.t('consultation.proposedChanges')}</h2><ul>${c.changes.map((x) => changeLine(ctx, x))}</ul></section>
<section><h2>${options.moderate ? ctx.t('consultation.commentsReceivedAll') : ctx.t('consultation.publishedComments')}</h2>
${c.comments.length === 0 ? html`<p class="muted" data-testid="no-comments">${ctx.t('consultation.noneYet')}</p>` : html`<ol data-testid="comments">${c.comments.map((x) => commentBlock(ctx, x, options.moderate))}</ol>`}
</section>
${
  c.acceptingComments && !options.moderate
    ? html`<section><h2>${ctx.t('consultation.comment')}</h2>
<p class="muted">${ctx.t('consultation.noSignInNeeded')}</p>
<form method="post" action="${base}/comments" data-testid="comment-form">
  <p><label>${ctx.t('common.comment')}<br><textarea name="text" rows="5" cols="60" maxlength="2000" required></textarea></label></p>
  <p><label>${ctx.t('consultation.nameOptional')} <input name="commenterName" maxlength="100"></label>
  <label>${ctx.t('consultation.organisationOptional')} <input name="commenterOrganisation" maxlength="200"></label></p>
  <p><button type="submit">${ctx.t('consultation.sendComment')}</button></p>
</form></section>`
    : ''
}`;
}

function listPage(ctx: PageContext, list: readonly Consultation[]): Html {
  return html`<p class="muted" data-testid="public-notice">${ctx.t('consultation.proposalsOpenForPublic')}</p>
${
  list.length === 0
    ? html`<p class="muted" data-testid="no-consultations">${ctx.t('consultation.noProposalIsOpen')}</p>`
    : html`<div class="table-wrap"><table data-testid="consultations"><thead><tr><th>${ctx.t('common.proposal')}</th><th>${ctx.t('common.leadMinistry')}</th><th>${ctx.t('consultation.period')}</th></tr></thead><tbody>
${list.map((c) => html`<tr data-proposal="${c.proposalId}"><td><a href="/consultations/${encodeURIComponent(c.proposalId)}">${c.title || c.proposalId}</a><br><span class="muted">${c.summary.slice(0, 120)}</span></td><td>${c.leadMinistry}</td><td>${c.opensOn} — ${c.closesOn}</td></tr>`)}
</tbody></table></div>`
}`;
}

function openForm(ctx: PageContext, proposalId: string, box?: Html): Html {
  const today = todayInChina();
  return html`${box ?? ''}<form method="post" action="/proposals/${encodeURIComponent(proposalId)}/consultation" data-testid="open-consultation">
  <p><label>${ctx.t('consultation.opensOn')} <input type="date" name="opensOn" value="${today}" required></label>
  <label>${ctx.t('consultation.closesOn')} <input type="date" name="closesOn" required></label></p>
  <p><label>${ctx.t('consultation.publicSummary')}<br><textarea name="summary" rows="5" cols="60" maxlength="4000" required></textarea></label></p>
  <p><button type="submit">${ctx.t('consultation.openPublicConsultation')}</button></p>
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
      return { title: ctx.t('consultation.publicConsultations'), section: 'consultations', body: listPage(ctx, list.consultations) };
    }),
  );

  app.get(
    '/consultations/:proposalId',
    readable(async (req, ctx, token) => {
      const id = idOf(req);
      const { consultation } = await backends.call('proposals', (c) => c.getConsultation.bind(c), { proposalId: id }, token);
      if (!consultation) throw new GatewayHttpError(gatewayError(404, 'NOT_FOUND', 'no consultation'));
      const sent = (req.query as Query)['sent'];
      const notice = sent && /^C-\d+$/.test(sent) ? alertBox('ok', ctx.t('consultation.commentReceivedItIs', { commentId: sent })) : undefined;
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
          title: `${ctx.t('consultation.consultation')} · ${consultation.title || id}`,
          section: 'proposals',
          body: html`<p><a href="/consultations/${encodeURIComponent(id)}">${ctx.t('consultation.publicPage')}</a> · <a href="/proposals/${encodeURIComponent(id)}">${ctx.t('common.proposal')}</a></p>
<div data-testid="moderation">${consultationPage(ctx, consultation, { moderate: `/proposals/${encodeURIComponent(id)}/consultation`, ...(box ? { notice: box } : {}) })}</div>`,
        };
    } catch (error) {
      if (toHttpError(error).status !== 404) throw error;
    }
    // No consultation yet (or the proposal is not readable: the open call answers that).
    return { title: ctx.t('consultation.openAPublicConsultation'), section: 'proposals', body: openForm(ctx, id, box) };
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
