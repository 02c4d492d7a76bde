// Persona sign-in (development only, with the development issuer): pick a seeded persona, get a token in an HttpOnly cookie.
import { personas } from '../../shared/auth/personas';
import { GatewayHttpError } from '../http/api';
import { html, type Html } from './html';
import { roleLabel } from './i18n';
import { alertBox, type PageContext } from './layout';

export function signInPage(ctx: PageContext, next: string, enabled: boolean): Html {
  const { t, lang } = ctx;
  if (!enabled) return alertBox('info', t('common.signInDisabled'));
  return html`<p>${t('common.signInIntro')}</p>
<ul class="personas" data-testid="personas">
${Object.entries(personas).map(
  ([key, p]) => html`<li>
  <form method="post" action="/signin">
    <input type="hidden" name="persona" value="${key}">
    <input type="hidden" name="next" value="${next}">
    <button type="submit" data-persona="${key}"><strong>${p.name}</strong>
      <span class="muted">${t('common.organisation')}: ${p.organisation} · ${t('common.roles')}: ${p.roles.map((r) => roleLabel(lang, r)).join('、')}</span>
      <span class="sr-only">${t('common.signInAs')}</span></button>
  </form>
</li>`,
)}
</ul>`;
}

/**
 * Only same-origin paths are followed after sign-in or a language switch (no open redirects). Control characters
 * are refused with a 400: browsers drop a tab or newline from a URL, so "/\t/evil.example" would be followed to
 * "//evil.example" — another site — and a CR/LF would break the Location header.
 */
export function safeNext(next: unknown, fallback = '/standards'): string {
  if (typeof next !== 'string') return fallback;
  if (/[\u0000-\u001f\u007f]/.test(next)) {
    throw GatewayHttpError.invalid([{ field: 'next', description: 'must be a same-origin path without control characters' }]);
  }
  if (!next.startsWith('/') || next.startsWith('//') || next.includes('\\')) return fallback;
  const base = 'http://gateway.invalid';
  let url: URL;
  try {
    url = new URL(next, base);
  } catch {
    return fallback;
  }
  return url.origin === base ? `${url.pathname}${url.search}${url.hash}` : fallback;
}
