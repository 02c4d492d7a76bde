// The console's page frame: skip link, landmarks, navigation, who is signed in, language switch.
import type { Identity, Role } from '../../shared/auth/identity';
import { html, qs, type Html, type Renderable } from './html';
import { labelFrom, roleLabel, type LabelGroup, type Lang, type MessageId, type Translate } from './i18n';

export type PageContext = {
  readonly lang: Lang;
  readonly t: Translate;
  readonly identity: Identity | undefined;
  /** Current path with query, for the language switch and sign-in return. */
  readonly url: string;
  readonly signInEnabled: boolean;
};

/** `roles`: shown only to people holding one of them (the services still decide; this keeps menus relevant). */
type NavEntry = { href: string; key: Extract<MessageId, `common.nav${string}`>; section: string; roles?: readonly Role[] };

const nav: readonly NavEntry[] = [
  { href: '/standards', key: 'common.navStandards', section: 'standards' },
  { href: '/standards/diff', key: 'common.navDiff', section: 'diff' },
  { href: '/standards/compliance', key: 'common.navCompliance', section: 'compliance' },
  { href: '/standards/monitoring', key: 'common.navMonitoring', section: 'monitoring' },
  { href: '/consultations', key: 'common.navConsultations', section: 'consultations' },
  { href: '/proposals', key: 'common.navProposals', section: 'proposals' },
  { href: '/inbox', key: 'common.navInbox', section: 'inbox' },
  { href: '/cycles', key: 'common.navCycles', section: 'cycles' },
  { href: '/programme', key: 'common.navProgramme', section: 'programme' },
  { href: '/subscriptions', key: 'common.navSubscriptions', section: 'subscriptions', roles: ['subscriber-admin', 'province-officer', 'operator', 'auditor'] },
  { href: '/audit', key: 'common.navAudit', section: 'audit', roles: ['auditor', 'operator'] },
];

/**
 * The sections of the public portal: the published standard, diffs between editions, provincial compliance, national
 * monitoring, public consultations on proposals, and the standardisation programme (published technical standards and pilot results, coverage, progress).
 */
const publicSections: ReadonlySet<string> = new Set(['standards', 'diff', 'compliance', 'monitoring', 'consultations', 'programme']);

/** Whether the section's navigation entry (and links into it) are shown to this person. */
export function mayUse(identity: Identity | undefined, section: string): boolean {
  const entry = nav.find((n) => n.section === section);
  return !entry?.roles || entry.roles.some((r) => identity?.roles.includes(r) ?? false);
}

export function page(ctx: PageContext, options: { title: string; section?: string; sectionsAvailable?: ReadonlySet<string> }, body: Renderable): Html {
  const { t, lang, identity } = ctx;
  const otherLang = lang === 'zh' ? 'en' : 'zh';
  // A visitor (the public portal) is shown the published standard only.
  const visible = nav.filter(
    (n) =>
      (!options.sectionsAvailable || options.sectionsAvailable.has(n.section)) &&
      mayUse(identity, n.section) &&
      (identity !== undefined || publicSections.has(n.section)),
  );
  return html`<!doctype html>
<html lang="${lang === 'zh' ? 'zh-CN' : 'en'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} · ${t('common.appName')}</title>
<link rel="stylesheet" href="/assets/console.css">
<script type="module" src="/assets/console.js"></script>
</head>
<body>
<a class="skip" href="#main">${t('common.skip')}</a>
<header class="top">
  <a class="brand" href="/standards">${t('common.appName')}</a>
  <nav aria-label="${t('common.mainNavigation')}">
    <ul>${visible.map((n) => html`<li><a href="${n.href}"${options.section === n.section ? html` aria-current="page"` : ''}>${t(n.key)}</a></li>`)}</ul>
  </nav>
  <div class="who">
    ${
      identity
        ? html`<span data-testid="who">${t('common.signedInAs')}: <strong>${identity.name}</strong> <span class="muted">(${identity.organisation} · ${identity.roles.map((r) => roleLabel(lang, r)).join('、')})</span></span>
        <form method="post" action="/signout" class="inline"><button type="submit">${t('common.signOut')}</button></form>`
        : ctx.signInEnabled
          ? html`<a href="/signin${qs({ next: ctx.url })}">${t('common.signIn')}</a>`
          : ''
    }
    <a href="/lang${qs({ to: otherLang, next: ctx.url })}" lang="${otherLang === 'zh' ? 'zh-CN' : 'en'}" data-testid="switch-lang">${t('common.switchLang')}</a>
  </div>
</header>
<main id="main" tabindex="-1">
<h1>${options.title}</h1>
${body}
</main>
</body>
</html>`;
}

/** An error or notice box; role=alert so screen readers announce refusals. */
export function alertBox(kind: 'error' | 'info' | 'ok', title: string, lines: readonly Renderable[] = []): Html {
  return html`<div class="alert alert-${kind}" role="${kind === 'error' ? 'alert' : 'status'}"><strong>${title}</strong>${lines.length > 0 ? html`<ul>${lines.map((l) => html`<li>${l}</li>`)}</ul>` : ''}</div>`;
}

/** labelFrom (i18n) in the page's language. */
export const labelIn = (ctx: PageContext, group: LabelGroup, code: string): string => labelFrom(ctx.lang, group, code);
