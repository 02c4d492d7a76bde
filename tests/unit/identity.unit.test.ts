// Token verification (issue #13): one issuer's asymmetric keys, issuer + audience + exp required, and the subject's
// organisation and roles checked against the directory — a token cannot grant itself what its subject lacks.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importJWK, SignJWT, UnsecuredJWT, type JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { fileDirectory, seededDirectory, StaticDirectory } from '../../services/shared/auth/directory';
import { JwtVerifier } from '../../services/shared/auth/identity';
import { personas } from '../../services/shared/auth/personas';
import { clientCredentialsTokens } from '../../services/shared/auth/service-tokens';
import { UnauthenticatedError } from '../../services/shared/errors/errors';
import { generatedIssuer, issuerOf } from '../support/identity';

const secrets = generatedIssuer('bps-unit-issuer', 'bps-platform');
const issuer = issuerOf(secrets);
const jwks = { keys: [{ ...secrets.publicJwk, kid: secrets.keyId, alg: 'EdDSA' }] } as { keys: JWK[] };
const verifier = new JwtVerifier({ issuer: 'bps-unit-issuer', audience: 'bps-platform', jwks, directory: seededDirectory() });
const privateKey = importJWK({ ...(secrets.privateJwk as JWK), alg: 'EdDSA' }, 'EdDSA');
const staff = personas['nhc-staff'];

/** A token signed with the real issuer key, with exactly the claims given. */
async function signed(claims: Record<string, unknown>, build: (j: SignJWT) => SignJWT = (j) => j.setIssuedAt().setExpirationTime('1h')): Promise<string> {
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: 'EdDSA', kid: secrets.keyId })
    .setSubject(staff.subject)
    .setIssuer('bps-unit-issuer')
    .setAudience('bps-platform');
  return build(jwt).sign(await privateKey);
}

const refusal = async (token: string): Promise<string> => {
  const error = await verifier.verify(token).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UnauthenticatedError);
  return (error as Error).message;
};

describe('token verifier', () => {
  it('accepts a persona token and answers with the directory identity', async () => {
    expect(await verifier.verify(await issuer.mint(staff))).toEqual({ ...staff, roles: ['ministry-staff'] });
    // An IdP token that carries no org/roles claims gets the directory's.
    expect(await verifier.verify(await signed({}))).toEqual({ ...staff, roles: ['ministry-staff'] });
    expect(await verifier.verifyHeader(`Bearer ${await issuer.mint(personas.operator)}`)).toMatchObject({
      subject: 'ops.platform',
      organisation: 'BPS',
      roles: ['operator'],
    });
  });

  it('refuses nhc.staff.li claiming MOF with approver and operator roles, even signed by the issuer', async () => {
    expect(await refusal(await issuer.mint({ ...staff, organisation: 'MOF', roles: ['approver', 'operator'] }))).toMatch(/claims organisation MOF/);
    expect(await refusal(await issuer.mint({ ...staff, roles: ['ministry-staff', 'approver', 'operator'] }))).toMatch(/claims role\(s\) approver, operator/);
    expect(await refusal(await signed({ org: 'NHC', roles: ['superuser'] }))).toMatch(/superuser/);
    expect(await refusal(await signed({ org: 'NHC', roles: 'operator' }))).toMatch(/not a list/);
  });

  it('lets a token narrow its roles, never widen them', async () => {
    const dir = new StaticDirectory([{ subject: 'multi', name: 'M', organisation: 'NHC', roles: ['ministry-staff', 'approver'] }]);
    const v = new JwtVerifier({ issuer: 'bps-unit-issuer', audience: 'bps-platform', jwks, directory: dir });
    expect(await v.verify(await issuer.mint({ subject: 'multi', name: 'claimed name', organisation: 'NHC', roles: ['approver'] }))).toEqual({
      subject: 'multi',
      name: 'M',
      organisation: 'NHC',
      roles: ['approver'],
    });
  });

  it('refuses unknown subjects', async () => {
    expect(await refusal(await issuer.mint({ subject: 'mallory', name: 'M', organisation: 'MOF', roles: ['approver'] }))).toMatch(/not in the directory/);
  });

  it('refuses alg none and HS256', async () => {
    const none = new UnsecuredJWT({ org: 'NHC', roles: ['ministry-staff'] })
      .setSubject(staff.subject)
      .setIssuer('bps-unit-issuer')
      .setAudience('bps-platform')
      .setIssuedAt()
      .setExpirationTime('1h')
      .encode();
    expect(await refusal(none)).toBe('invalid token');
    const hs = await new SignJWT({ org: 'NHC', roles: ['ministry-staff'] })
      .setProtectedHeader({ alg: 'HS256', kid: secrets.keyId })
      .setSubject(staff.subject)
      .setIssuer('bps-unit-issuer')
      .setAudience('bps-platform')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('bps-local-development-secret-do-not-use-in-production'));
    expect(await refusal(hs)).toBe('invalid token');
  });

  it('refuses a token signed by another key', async () => {
    expect(await refusal(await issuerOf(generatedIssuer('bps-unit-issuer')).mint(staff))).toBe('invalid token');
  });

  it('requires exp, iat and a bounded lifetime', async () => {
    expect(await refusal(await signed({}, (j) => j.setIssuedAt()))).toMatch(/"exp" claim/);
    expect(await refusal(await signed({}, (j) => j.setExpirationTime('1h')))).toMatch(/"iat" claim/);
    expect(await refusal(await signed({}, (j) => j.setIssuedAt().setExpirationTime('30d')))).toMatch(/lifetime exceeds 86400s/);
  });

  it('refuses expired tokens and the wrong audience or issuer', async () => {
    const now = Math.floor(Date.now() / 1000);
    expect(await refusal(await signed({}, (j) => j.setIssuedAt(now - 7200).setExpirationTime(now - 3600)))).toBe('token expired');
    const other = async (iss: string, aud: string) =>
      new SignJWT({})
        .setProtectedHeader({ alg: 'EdDSA', kid: secrets.keyId })
        .setSubject(staff.subject)
        .setIssuer(iss)
        .setAudience(aud)
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(await privateKey);
    expect(await refusal(await other('bps-unit-issuer', 'another-app'))).toMatch(/"aud" claim/);
    expect(await refusal(await other('someone-else', 'bps-platform'))).toMatch(/"iss" claim/);
    const noAudience = await new SignJWT({})
      .setProtectedHeader({ alg: 'EdDSA', kid: secrets.keyId })
      .setSubject(staff.subject)
      .setIssuer('bps-unit-issuer')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(await privateKey);
    expect(await refusal(noAudience)).toMatch(/"aud" claim/);
  });

  it('holds public keys only', () => {
    expect(() => new JwtVerifier({ issuer: 'i', audience: 'a', jwks: { keys: [{ ...(secrets.privateJwk as JWK) }] }, directory: seededDirectory() })).toThrow(
      /public keys only/,
    );
    expect(() => new JwtVerifier({ issuer: 'i', audience: 'a', jwks: '{"keys":[]}', directory: seededDirectory() })).toThrow(/no keys/);
  });
});

describe('directory', () => {
  it('reads a roster file and refuses unknown roles', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bps-dir-'));
    const good = join(dir, 'people.json');
    writeFileSync(good, JSON.stringify({ people: [{ subject: 'a.b', name: 'A', organisation: 'MOF', roles: ['approver'] }] }));
    expect(fileDirectory(good).all()).toEqual([{ subject: 'a.b', name: 'A', organisation: 'MOF', roles: ['approver'] }]);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ people: [{ subject: 'a.b', name: 'A', organisation: 'MOF', roles: ['god'] }] }));
    expect(() => fileDirectory(bad)).toThrow(/people\.0\.roles\.0/);
  });

  it('lists the service accounts the platform uses', async () => {
    const d = seededDirectory();
    expect(await d.lookup('svc.proposals')).toMatchObject({ organisation: 'BPS', roles: ['operator'] });
    expect(await d.lookup('system:approvals')).toMatchObject({ organisation: 'BPS', roles: [] });
    expect(() => d.register({ ...staff, organisation: 'MOF' })).toThrow(/already registered differently/);
  });
});

describe('client-credentials service tokens', () => {
  it('posts the grant and caches the token until shortly before expiry', async () => {
    const calls: string[] = [];
    const fake = (async (_url: string, init: { body: URLSearchParams }) => {
      calls.push(init.body.toString());
      return new Response(JSON.stringify({ access_token: `t${calls.length}`, expires_in: 300 }), { status: 200 });
    }) as unknown as typeof fetch;
    const source = clientCredentialsTokens(
      { tokenUrl: 'https://idp.example/token', clientId: 'bps-proposals', clientSecret: 's', audience: 'bps-platform' },
      fake,
    );
    expect(await Promise.all([source.token(), source.token()])).toEqual(['t1', 't1']);
    expect(await source.token()).toBe('t1');
    expect(calls).toEqual(['grant_type=client_credentials&client_id=bps-proposals&client_secret=s&audience=bps-platform']);
  });
});
