// The web console: server-rendered pages over the same gRPC adapters as the JSON API. The session is the bearer
// token in an HttpOnly SameSite=Strict cookie; every backend call carries it, so the services decide permissions.
import { CommentLimiter } from '../api/consultation-routes';
import { registerConsultationPages } from './consultation-pages';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { DevIssuer } from '../../shared/auth/dev-issuer';
import { personas, type PersonaName } from '../../shared/auth/personas';
import type { Logger } from '../../shared/log/logger';
import type { ServiceTokenSource } from '../../shared/auth/service-tokens';
import { PUBLIC_CACHE_CONTROL } from '../http/public-view';
import { withRequestKey, type Backends } from '../adapters/backends';
import { diffRequest } from '../api/registry-routes';
import { formValue, parseCookies, serializeCookie, type FormBody } from '../http/cookies';
import { parseIsoDate, todayInChina } from '../../shared/standards/china-date';
import { gatewayError, type HttpError } from '../http/errors';
import { toHttpError } from '../http/grpc-errors';
import { Html, html } from './html';
import { formKeyOf, withFormKeys } from './form-keys';
import { pickLang, translator, type Lang } from './i18n';
import { alertBox, page, type PageContext } from './layout';
import { safeNext, signInPage } from './signin';
import { cataloguePage, compliancePage, diffPage, itemPage, packagePage } from './standards-pages';
import { registerCyclePages } from './cycle-pages';
import { registerOversightPages } from './oversight-pages';
import { registerProgrammePages } from './programme-pages';
import type { Guarded } from './page-types';
import { registerWorkPages } from './work-pages';
import { registerEditionPages } from './edition-pages';
import { monitoringPage } from './monitoring-page';
import { monitoringHistory, nationalMonitoring, yearBefore } from '../api/monitoring-routes';
import { DEFAULT_BLINDLY_HIGH_MARGIN_PERCENT } from '../../shared/standards/monitoring';

const TOKEN_COOKIE = 'bps_token';
const LANG_COOKIE = 'bps_lang';
const assetsDir = fileURLToPath(new URL('./assets/', import.meta.url));
const contentTypes: Record<string, string> = { css: 'text/css; charset=utf-8', js: 'text/javascript; charset=utf-8', svg: 'image/svg+xml' };

/**
 * `devIssuer`: present only in development; persona sign-in exists only with it. `publicReader`: the public
 * portal's read-only account; with it the standards pages are open to visitors who are not signed in.
 */
export type ConsoleDeps = {
  backends: Backends;
  devIssuer: DevIssuer | undefined;
  logger: Logger;
  publicReader?: ServiceTokenSource | undefined;
  /** Public consultation comments per caller (shared with the JSON API); a default limiter when absent. */
  commentLimiter?: CommentLimiter;
};

export type ConsoleHandle = { renderError(req: FastifyRequest, reply: FastifyReply, http: HttpError): FastifyReply };

type Query = Record<string, string | undefined>;

export function registerConsole(app: FastifyInstance, deps: ConsoleDeps): ConsoleHandle {
  const { backends, devIssuer } = deps;
  const signInEnabled = devIssuer !== undefined;
  const assets = new Map(readdirSync(assetsDir).map((f) => [f, readFileSync(new URL(`./assets/${f}`, import.meta.url))]));

  const ctxOf = (req: FastifyRequest): PageContext => {
    const query = (req.query ?? {}) as Query;
    const lang: Lang = pickLang(query['lang'], parseCookies(req.headers.cookie)[LANG_COOKIE], req.headers['accept-language']);
    return { lang, t: translator(lang), identity: req.bps?.identity, url: req.url, signInEnabled };
  };
  const send = (reply: FastifyReply, body: Html, status = 200, cacheControl = 'no-store'): FastifyReply =>
    reply.code(status).type('text/html; charset=utf-8').header('cache-control', cacheControl).send(body.value);

  const renderError = (req: FastifyRequest, reply: FastifyReply, http: HttpError): FastifyReply => {
    const ctx = ctxOf(req);
    if (http.status === 401 && req.method === 'GET') return reply.redirect(`/signin?next=${encodeURIComponent(req.url)}`, 303);
    const e = http.body.error;
    const title =
      http.status === 404
        ? ctx.t('common.notFound')
        : http.status === 403
          ? ctx.t('common.forbidden')
          : http.status === 503
            ? ctx.t('common.unavailable')
            : ctx.t('common.errorTitle');
    const lines = [
      ...(e.fieldViolations ?? []).map((v) => `${v.field}: ${v.description}`),
      ...(e.violations ?? []).map((v) => `${v.subject ? `${v.subject}: ` : ''}${v.description}`),
    ];
    return send(
      reply,
      page(
        ctx,
        { title },
        html`${alertBox('error', `${ctx.t('common.reason')}: ${e.message}`, lines)}
      <p class="muted">HTTP ${http.status} · ${e.code}${e.reason ? ` · ${e.reason}` : ''}</p>
      <p><a href="/standards">${ctx.t('common.back')}</a></p>`,
      ),
      http.status,
    );
  };

  /** Runs a console page: sign-in required; backend errors become an error page with the server's reason. */
  const guarded: Guarded =
    (handler) =>
    async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
      const ctx = ctxOf(req);
      if (!req.bps.identity || !req.bps.token) return reply.redirect(`/signin?next=${encodeURIComponent(req.url)}`, 303);
      if (req.method === 'POST' && !sameOrigin(req)) return renderError(req, reply, gatewayError(403, 'PERMISSION_DENIED', 'cross-site form post refused'));
      try {
        const token = req.bps.token;
        const out = await withRequestKey(req.method === 'POST' ? formKeyOf(req.body) : undefined, () => handler(req, ctx, token));
        if ('redirect' in out) return reply.redirect(out.redirect, 303);
        const rendered = page(ctx, { title: out.title, ...(out.section ? { section: out.section } : {}) }, out.body);
        return send(reply, new Html(withFormKeys(rendered.value)), out.status ?? 200);
      } catch (error) {
        return renderError(req, reply, toHttpError(error));
      }
    };

  /**
   * Runs a page of the published standard: a signed-in person sees it as in `guarded`; a visitor (no session, or
   * one that expired) reads it through the public portal's account, sees no one's personal details, and the page
   * may be cached. Without a portal account, it is `guarded`.
   */
  const readable: Guarded = (handler) => {
    const signedIn = guarded(handler);
    return async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
      if ((req.bps.identity && req.bps.token) || !deps.publicReader) return signedIn(req, reply);
      const ctx = ctxOf(req);
      try {
        const out = await handler(req, { ...ctx, identity: undefined }, await deps.publicReader.token());
        if ('redirect' in out) return reply.redirect(out.redirect, 303);
        void reply.header('vary', 'cookie, authorization');
        return send(
          reply,
          page(ctx, { title: out.title, ...(out.section ? { section: out.section } : {}) }, out.body),
          out.status ?? 200,
          PUBLIC_CACHE_CONTROL,
        );
      } catch (error) {
        return renderError(req, reply, toHttpError(error));
      }
    };
  };

  app.get('/assets/:file', async (req, reply) => {
    const file = (req.params as { file: string }).file;
    const body = assets.get(file);
    if (!body) return renderError(req, reply, gatewayError(404, 'NOT_FOUND', 'no such asset'));
    return reply
      .type(contentTypes[file.split('.').pop() ?? ''] ?? 'application/octet-stream')
      .header('cache-control', 'public, max-age=300')
      .send(body);
  });
  app.get('/', async (_req, reply) => reply.redirect('/standards', 303));
  app.get('/lang', async (req, reply) => {
    const q = req.query as Query;
    const to = q['to'] === 'en' ? 'en' : 'zh';
    void reply.header('set-cookie', serializeCookie(LANG_COOKIE, to, { maxAgeSeconds: 365 * 86400, httpOnly: false }));
    return reply.redirect(safeNext(q['next']), 303);
  });

  app.get('/signin', async (req, reply) => {
    const ctx = ctxOf(req);
    const next = safeNext((req.query as Query)['next']);
    return send(reply, page(ctx, { title: ctx.t('common.signInTitle') }, signInPage(ctx, next, signInEnabled)), signInEnabled ? 200 : 404);
  });
  app.post('/signin', async (req, reply) => {
    if (!devIssuer) return renderError(req, reply, gatewayError(404, 'NOT_FOUND', 'persona sign-in exists only in development'));
    if (!sameOrigin(req)) return renderError(req, reply, gatewayError(403, 'PERMISSION_DENIED', 'cross-site form post refused'));
    const form = (req.body ?? {}) as FormBody;
    const persona = formValue(form, 'persona');
    if (!(persona in personas))
      return renderError(
        req,
        reply,
        gatewayError(400, 'INVALID_ARGUMENT', 'unknown persona', [{ field: 'persona', description: 'must be one of the seeded personas' }]),
      );
    const ttl = 8 * 3600;
    const token = await devIssuer.mint(personas[persona as PersonaName], ttl);
    void reply.header('set-cookie', serializeCookie(TOKEN_COOKIE, token, { maxAgeSeconds: ttl, secure: req.protocol === 'https' }));
    return reply.redirect(safeNext(formValue(form, 'next')), 303);
  });
  app.post('/signout', async (req, reply) => {
    void reply.header('set-cookie', serializeCookie(TOKEN_COOKIE, '', { maxAgeSeconds: 0 }));
    return reply.redirect(signInEnabled ? '/signin' : '/standards', 303);
  });

  // ---- standards browser -------------------------------------------------------------------------------------
  const dateOr = (value: string | undefined): string => (value && parseIsoDate(value) ? value : todayInChina());

  app.get(
    '/standards',
    readable(async (req, ctx, token) => {
      const q = req.query as Query;
      const query = {
        date: dateOr(q['date']),
        field: q['field'] ?? '',
        category: q['category'] ?? '',
        province: /^\d{6}$/.test(q['province'] ?? '') ? (q['province'] ?? '') : '',
      };
      const asOf = { date: parseIsoDate(query.date), knownAt: undefined };
      const [list, taxonomy, compliance] = await Promise.all([
        backends.call('registry', (c) => c.listItems.bind(c), { asOf, fieldCode: query.field, categoryCode: query.category, provinceCode: '' }, token),
        backends.call('registry', (c) => c.getTaxonomy.bind(c), { asOf }, token),
        query.province
          ? backends.call('registry', (c) => c.getComplianceReport.bind(c), { provinceCode: query.province, asOf }, token)
          : Promise.resolve(undefined),
      ]);
      return { title: ctx.t('common.catalogue'), section: 'standards', body: cataloguePage(ctx, query, list, taxonomy, compliance) };
    }),
  );

  app.get(
    '/standards/items/:itemCode',
    readable(async (req, ctx, token) => {
      const q = req.query as Query;
      const itemCode = (req.params as { itemCode: string }).itemCode;
      const query = { date: dateOr(q['date']), province: /^\d{6}$/.test(q['province'] ?? '') ? (q['province'] ?? '') : '' };
      const asOf = { date: parseIsoDate(query.date), knownAt: undefined };
      const [item, history, lineage, packages] = await Promise.all([
        backends.call('registry', (c) => c.getItem.bind(c), { itemCode, asOf, provinceCode: query.province }, token),
        backends.call('registry', (c) => c.getItemHistory.bind(c), { itemCode, includeCorrections: true }, token),
        backends.call('registry', (c) => c.getItemLineage.bind(c), { itemCode }, token).catch(() => undefined),
        backends.call('registry', (c) => c.listPackageLevels.bind(c), { asOf, itemCode }, token).catch(() => undefined),
      ]);
      return {
        title: item.national?.item?.name ?? itemCode,
        section: 'standards',
        body: itemPage(ctx, query, item, history.versions, lineage, packages?.levels ?? []),
      };
    }),
  );

  app.get(
    '/standards/packages/:packageCode',
    readable(async (req, ctx, token) => {
      const q = req.query as Query;
      const packageCode = (req.params as { packageCode: string }).packageCode;
      const date = dateOr(q['date']);
      const got = await backends.call(
        'registry',
        (c) => c.getPackageLevel.bind(c),
        { packageCode, asOf: { date: parseIsoDate(date), knownAt: undefined } },
        token,
      );
      return { title: got.level?.level?.name ?? packageCode, section: 'standards', body: packagePage(ctx, date, got.level, got.history) };
    }),
  );

  app.get(
    '/standards/diff',
    readable(async (req, ctx, token) => {
      const q = req.query as Query;
      const query = { from: q['from'] ?? '', to: q['to'] ?? '', field: q['field'] ?? '' };
      const releases = (await backends.call('registry', (c) => c.listReleases.bind(c), {}, token)).releases;
      if (!query.from || !query.to) return { title: ctx.t('common.diffTitle'), section: 'diff', body: diffPage(ctx, query, undefined, releases) };
      try {
        const diff = await backends.call('registry', (c) => c.diffStandards.bind(c), diffRequest(query.from, query.to, query.field), token);
        return { title: ctx.t('common.diffTitle'), section: 'diff', body: diffPage(ctx, query, diff, releases) };
      } catch (error) {
        const http = toHttpError(error);
        if (http.status >= 500) throw error;
        const e = http.body.error;
        return {
          title: ctx.t('common.diffTitle'),
          section: 'diff',
          status: http.status,
          body: diffPage(
            ctx,
            query,
            undefined,
            releases,
            alertBox(
              'error',
              e.message,
              (e.fieldViolations ?? []).map((v) => `${v.field}: ${v.description}`),
            ),
          ),
        };
      }
    }),
  );

  app.get(
    '/standards/compliance',
    readable(async (req, ctx, token) => {
      const q = req.query as Query;
      const province = /^\d{6}$/.test(q['province'] ?? '')
        ? (q['province'] ?? '')
        : /^\d{6}$/.test(ctx.identity?.organisation ?? '')
          ? (ctx.identity?.organisation ?? '')
          : '';
      const date = dateOr(q['date']);
      const report = province
        ? await backends.call(
            'registry',
            (c) => c.getComplianceReport.bind(c),
            { provinceCode: province, asOf: { date: parseIsoDate(date), knownAt: undefined } },
            token,
          )
        : undefined;
      return { title: ctx.t('common.complianceTitle'), section: 'compliance', body: compliancePage(ctx, { province, date }, report) };
    }),
  );

  app.get(
    '/standards/monitoring',
    readable(async (req, ctx, token) => {
      const q = req.query as Query;
      const margin = /^\d{1,4}$/.test(q['margin'] ?? '') && Number(q['margin']) <= 1000 ? Number(q['margin']) : DEFAULT_BLINDLY_HIGH_MARGIN_PERCENT;
      const field = /^[A-Za-z0-9._-]{1,64}$/.test(q['field'] ?? '') ? (q['field'] ?? '') : '';
      const query = { date: dateOr(q['date']), field, margin };
      const [matrix, history] = await Promise.all([
        nationalMonitoring(backends, token, { date: query.date, field, marginPercent: margin }),
        monitoringHistory(backends, token, { from: yearBefore(query.date), to: query.date, field, marginPercent: margin }),
      ]);
      return { title: ctx.t('common.navMonitoring'), section: 'monitoring', body: monitoringPage(ctx, query, matrix, history) };
    }),
  );

  registerWorkPages(app, { backends, guarded });
  registerEditionPages(app, { backends, guarded });
  registerOversightPages(app, { backends, guarded, renderError });
  registerCyclePages(app, { backends, guarded });
  registerProgrammePages(app, { backends, guarded, readable });
  registerConsultationPages(app, { backends, guarded, readable, limiter: deps.commentLimiter ?? new CommentLimiter() });
  return { renderError };
}

/** Form posts must come from our own pages (SameSite=Strict already blocks most; this closes the rest). */
function sameOrigin(req: FastifyRequest): boolean {
  const origin = req.headers.origin;
  if (!origin) return true; // non-browser clients and same-origin navigations that omit it
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}
