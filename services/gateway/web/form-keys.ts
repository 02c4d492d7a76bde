// Each form the console serves to a signed-in person carries a fresh request key (a hidden `_request` field), and
// the changes its post makes carry that key to the backends (adapters/backends.ts `withRequestKey`): the same form
// posted twice — a double click, the browser resending after a timeout — makes each change once, and the second post
// gets the first one's result (issue #19). Pages that may be cached for visitors get no keys (a cached key would be
// shared by everyone who reads the page).
import { randomUUID } from 'node:crypto';
import { idempotencyKeyPattern } from '../../shared/idempotency/idempotency';

export const FORM_KEY_FIELD = '_request';

/** The page with a fresh key in every form it posts (after each `<form method="post" …>` tag). */
export function withFormKeys(page: string): string {
  return page.replace(/<form\b[^>]*\bmethod="post"[^>]*>/g, (tag) => `${tag}<input type="hidden" name="${FORM_KEY_FIELD}" value="console.${randomUUID()}">`);
}

/** The key a posted form carries, when it is a well-formed one (a malformed one is ignored: the post runs unkeyed). */
export function formKeyOf(body: unknown): string | undefined {
  const value = body && typeof body === 'object' ? (body as Record<string, unknown>)[FORM_KEY_FIELD] : undefined;
  return typeof value === 'string' && idempotencyKeyPattern.test(value) ? value : undefined;
}
