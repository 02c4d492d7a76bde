// Identity wiring from the validated config, the same for every process: the verifier (issuer's public keys +
// directory), the development issuer (development only), and service-token sources.
import { isDevelopment, type BaseConfig } from '../config/config';
import { DevIssuer } from './dev-issuer';
import { fileDirectory, seededDirectory, type Directory } from './directory';
import { JwtVerifier, type Identity } from './identity';
import { clientCredentialsTokens, devServiceTokens, type ServiceTokenSource } from './service-tokens';

type IdentityConfig = Pick<
  BaseConfig,
  | 'BPS_ENV'
  | 'BPS_JWT_ISSUER'
  | 'BPS_JWT_AUDIENCE'
  | 'BPS_JWT_JWKS'
  | 'BPS_JWT_JWKS_URL'
  | 'BPS_JWT_SIGNING_JWK'
  | 'BPS_DIRECTORY_FILE'
  | 'BPS_SERVICE_TOKEN_URL'
  | 'BPS_SERVICE_CLIENT_ID'
  | 'BPS_SERVICE_CLIENT_SECRET'
>;

export function directoryFromConfig(config: IdentityConfig): Directory {
  if (config.BPS_DIRECTORY_FILE) return fileDirectory(config.BPS_DIRECTORY_FILE);
  if (isDevelopment(config.BPS_ENV)) return seededDirectory();
  throw new Error('BPS_DIRECTORY_FILE must be set in production'); // the config schema already refuses this
}

export function tokenVerifierFromConfig(config: IdentityConfig, directory: Directory = directoryFromConfig(config)): JwtVerifier {
  const jwks = config.BPS_JWT_JWKS ?? (config.BPS_JWT_JWKS_URL ? new URL(config.BPS_JWT_JWKS_URL) : undefined);
  if (!jwks || !config.BPS_JWT_ISSUER) throw new Error('BPS_JWT_JWKS (or BPS_JWT_JWKS_URL) and BPS_JWT_ISSUER must be set');
  return new JwtVerifier({ issuer: config.BPS_JWT_ISSUER, audience: config.BPS_JWT_AUDIENCE, jwks, directory });
}

/** The development issuer, only in development/test and only when its key is configured. */
export function devIssuerFromConfig(config: IdentityConfig): DevIssuer | undefined {
  if (!isDevelopment(config.BPS_ENV) || !config.BPS_JWT_SIGNING_JWK || !config.BPS_JWT_ISSUER) return undefined;
  return new DevIssuer(config.BPS_JWT_SIGNING_JWK, { issuer: config.BPS_JWT_ISSUER, audience: config.BPS_JWT_AUDIENCE });
}

/** Tokens for a service's own calls: client credentials from the IdP when configured, else the dev issuer. */
export function serviceTokensFromConfig(config: IdentityConfig, account: Identity): ServiceTokenSource {
  if (config.BPS_SERVICE_TOKEN_URL && config.BPS_SERVICE_CLIENT_ID && config.BPS_SERVICE_CLIENT_SECRET) {
    return clientCredentialsTokens({
      tokenUrl: config.BPS_SERVICE_TOKEN_URL,
      clientId: config.BPS_SERVICE_CLIENT_ID,
      clientSecret: config.BPS_SERVICE_CLIENT_SECRET,
      audience: config.BPS_JWT_AUDIENCE,
    });
  }
  const issuer = devIssuerFromConfig(config);
  if (!issuer) throw new Error('no service token source: set BPS_SERVICE_TOKEN_URL/CLIENT_ID/CLIENT_SECRET (or, in development, BPS_JWT_SIGNING_JWK)');
  return devServiceTokens(issuer, account);
}
