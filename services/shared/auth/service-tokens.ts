// Tokens a service presents when it calls another service on its own behalf (proposals → registry GetItem).
// Development: minted by the development issuer for the service account. Production: the OAuth 2.0
// client-credentials grant against the IdP's token endpoint (Keycloak: a confidential client per service whose
// service-account user is the directory's `svc.<service>`), cached until a minute before expiry.
import type { DevIssuer } from './dev-issuer';
import type { Identity } from './identity';

export type ServiceTokenSource = { token(): Promise<string> };

const cached = (fetchToken: () => Promise<{ value: string; ttlSeconds: number }>): ServiceTokenSource => {
  let current: { value: string; expiresAt: number } | undefined;
  let pending: Promise<string> | undefined;
  return {
    async token() {
      if (current && current.expiresAt - Date.now() > 60_000) return current.value;
      pending ??= fetchToken().then(
        ({ value, ttlSeconds }) => {
          current = { value, expiresAt: Date.now() + ttlSeconds * 1000 };
          pending = undefined;
          return value;
        },
        (error: unknown) => {
          pending = undefined;
          throw error;
        },
      );
      return pending;
    },
  };
};

export function devServiceTokens(issuer: DevIssuer, account: Identity, ttlSeconds = 3600): ServiceTokenSource {
  return cached(async () => ({ value: await issuer.mint(account, ttlSeconds), ttlSeconds }));
}

export type ClientCredentials = { readonly tokenUrl: string; readonly clientId: string; readonly clientSecret: string; readonly audience?: string };

export function clientCredentialsTokens(c: ClientCredentials, fetchImpl: typeof fetch = fetch): ServiceTokenSource {
  return cached(async () => {
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: c.clientId,
      client_secret: c.clientSecret,
      ...(c.audience ? { audience: c.audience } : {}),
    });
    const response = await fetchImpl(c.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) throw new Error(`service token: ${c.tokenUrl} answered ${response.status}`);
    const json = (await response.json()) as { access_token?: unknown; expires_in?: unknown };
    if (typeof json.access_token !== 'string') throw new Error('service token: no access_token in the response');
    return { value: json.access_token, ttlSeconds: typeof json.expires_in === 'number' ? json.expires_in : 300 };
  });
}
