// Minimal cookie and form parsing (no dependency for a few lines of RFC 6265 / WHATWG urlencoded).
export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i <= 0) continue;
    const name = part.slice(0, i).trim();
    const raw = part.slice(i + 1).trim();
    try {
      out[name] = decodeURIComponent(raw);
    } catch {
      out[name] = raw;
    }
  }
  return out;
}

export function serializeCookie(name: string, value: string, options: { maxAgeSeconds?: number; secure?: boolean; httpOnly?: boolean } = {}): string {
  const parts = [`${name}=${encodeURIComponent(value)}`, 'Path=/', 'SameSite=Strict'];
  if (options.httpOnly !== false) parts.push('HttpOnly');
  if (options.secure) parts.push('Secure');
  if (options.maxAgeSeconds !== undefined) parts.push(`Max-Age=${options.maxAgeSeconds}`);
  return parts.join('; ');
}

export type FormBody = Record<string, string | string[]>;

/** application/x-www-form-urlencoded; a repeated name becomes an array. */
export function parseForm(body: string): FormBody {
  const out: FormBody = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const prev = out[key];
    if (prev === undefined) out[key] = value;
    else out[key] = Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return out;
}

export const formValue = (form: FormBody, key: string): string => {
  const v = form[key];
  return (Array.isArray(v) ? v[0] : v) ?? '';
};

export const formValues = (form: FormBody, key: string): string[] => {
  const v = form[key];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
};
