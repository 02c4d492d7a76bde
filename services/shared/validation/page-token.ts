// Opaque, integrity-protected page tokens (issue #15: forged tokens such as "AAAA" or base64 {"offset":-1} were
// accepted). A token is base64url(position) "." base64url(HMAC-SHA256(key, scope ‖ position), first 16 bytes); the
// scope names the list and its filters, so a token is good only for the query that issued it. A token that does
// not verify is INVALID_ARGUMENT naming `page_token`, never a query.
//
// Key: BPS_PAGE_TOKEN_KEY (base64, at least 32 bytes) when set — every replica of a service must share it so a
// token issued by one is honoured by another; otherwise a random key per process (tokens then last as long as the
// process: a client that gets INVALID_ARGUMENT after a restart starts again from the first page).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { ValidationError } from '../errors/errors';

function configuredKey(): Buffer {
  const text = process.env['BPS_PAGE_TOKEN_KEY'];
  if (!text) return randomBytes(32);
  const key = Buffer.from(text, 'base64');
  if (key.length < 32) throw new Error('BPS_PAGE_TOKEN_KEY must be base64 of at least 32 bytes');
  return key;
}

let key: Buffer | undefined;
const pageTokenKey = (): Buffer => (key ??= configuredKey());

const MAX_TOKEN_LENGTH = 1024;

function mac(scope: string, position: string): Buffer {
  return createHmac('sha256', pageTokenKey()).update(scope).update('\u0000').update(position).digest().subarray(0, 16);
}

/** The token for the page after `position` (an offset or the last id) in the list `scope`. */
export function sealPageToken(scope: string, position: string): string {
  return `${Buffer.from(position, 'utf8').toString('base64url')}.${mac(scope, position).toString('base64url')}`;
}

/** The position a token of `scope` carries; '' for no token; INVALID_ARGUMENT (`field`) for anything else. */
export function openPageToken(scope: string, token: string, field = 'page_token'): string {
  if (token === '') return '';
  const refuse = (): never => {
    throw new ValidationError([
      { field, description: 'is not a page token this list issued (tokens are opaque: pass next_page_token back unchanged)', reason: 'INVALID_PAGE_TOKEN' },
    ]);
  };
  if (token.length > MAX_TOKEN_LENGTH) return refuse();
  const m = /^([A-Za-z0-9_-]*)\.([A-Za-z0-9_-]{22})$/.exec(token);
  if (!m) return refuse();
  const position = Buffer.from(m[1] ?? '', 'base64url').toString('utf8');
  const given = Buffer.from(m[2] ?? '', 'base64url');
  const expected = mac(scope, position);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return refuse();
  return position;
}
