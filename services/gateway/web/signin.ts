// Persona sign-in (development only, with the development issuer): pick a seeded persona, get a token in an HttpOnly cookie.
import { personas } from '../../shared/auth/personas';
import { html, type Html } from './html';
import { roleLabel } from './i18n';
import { alertBox, type PageContext } from './layout';

export function signInPage(ctx: PageContext, next: string, enabled: boolean): Html {
  const { t, lang } = ctx;
  if (!enabled) return alertBox('info', t('signInDisabled'));
  return html`<p>${t('signInIntro')}</p>
<ul class="personas" data-testid="personas">
${Object.entries(personas).map(([key, p]) => html`<li>
  <form method="post" action="/signin">
    <input type="hidden" name="persona" value="${key}">
    <input type="hidden" name="next" value="${next}">
    <button type="submit" data-persona="${key}"><strong>${p.name}</strong>
      <span class="muted">${t('organisation')}: ${p.organisation} · ${t('roles')}: ${p.roles.map((r) => roleLabel(lang, r)).join('、')}</span>
      <span class="sr-only">${t('signInAs')}</span></button>
  </form>
</li>`)}
</ul>`;
}

/** Only same-site relative paths are followed after sign-in (no open redirects). */
export function safeNext(next: unknown, fallback = '/standards'): string {
  if (typeof next !== 'string' || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return fallback;
  return next;
}
