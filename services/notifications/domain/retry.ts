// What to do after a webhook attempt (Standard Webhooks semantics). Pure: time and randomness are inputs.

export type RetryPolicy = {
  /** Tries per round; a redelivery starts a new round. */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** A Retry-After longer than this is cut to it, so a subscriber cannot park a delivery for days. */
  readonly maxRetryAfterMs: number;
};

export type AttemptResult =
  | { readonly kind: 'response'; readonly status: number; readonly retryAfter?: string }
  | { readonly kind: 'network-error'; readonly error: string }
  | { readonly kind: 'timeout'; readonly error: string }
  /** The endpoint now resolves to a forbidden address (SSRF guard at send time): retrying cannot help. */
  | { readonly kind: 'refused'; readonly error: string };

export type Verdict =
  | { readonly kind: 'delivered' }
  | { readonly kind: 'retry'; readonly delayMs: number; readonly reason: string }
  | { readonly kind: 'dead-letter'; readonly reason: string }
  /** 410 Gone: the subscriber wants no more; the subscription is disabled. */
  | { readonly kind: 'gone' };

/** Exponential backoff with "equal jitter": half the delay fixed, half random, so retries of many deliveries spread out. */
export function backoffMs(attempt: number, policy: RetryPolicy, random: () => number): number {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp / 2 + random() * (exp / 2));
}

/** Retry-After as delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: Date): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}

const retriableStatus = (status: number): boolean => status >= 500 || status === 429 || status === 408;

export function judge(result: AttemptResult, attempt: number, policy: RetryPolicy, now: Date, random: () => number): Verdict {
  const again = (reason: string, retryAfterMs?: number): Verdict => {
    if (attempt >= policy.maxAttempts) return { kind: 'dead-letter', reason: `${reason}; gave up after ${attempt} attempts` };
    const delayMs = retryAfterMs !== undefined ? Math.min(retryAfterMs, policy.maxRetryAfterMs) : backoffMs(attempt, policy, random);
    return { kind: 'retry', delayMs, reason };
  };
  switch (result.kind) {
    case 'response': {
      const { status } = result;
      if (status >= 200 && status < 300) return { kind: 'delivered' };
      if (status === 410) return { kind: 'gone' };
      if (retriableStatus(status)) return again(`HTTP ${status}`, parseRetryAfter(result.retryAfter, now));
      // Other answers (400, 401, 404, a redirect…) will not change by themselves: the operator looks at them.
      return { kind: 'dead-letter', reason: `HTTP ${status} is not retried` };
    }
    case 'network-error':
    case 'timeout':
      return again(result.error);
    case 'refused':
      return { kind: 'dead-letter', reason: result.error };
    default: {
      const unreachable: never = result;
      return unreachable;
    }
  }
}
