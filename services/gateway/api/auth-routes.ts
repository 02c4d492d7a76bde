// /api/v1/auth/*: who am I, and (development only, with the development issuer) tokens for the seeded personas.
import type { DevIssuer } from '../../shared/auth/dev-issuer';
import { personas, type PersonaName } from '../../shared/auth/personas';
import { commonErrors, GatewayHttpError, objectSchema, type ApiRoute } from '../http/api';
import { gatewayError } from '../http/errors';
import type { ProtoSchemas } from '../http/proto-schema';

const identitySchema = objectSchema(
  {
    subject: { type: 'string' },
    name: { type: 'string' },
    organisation: { type: 'string' },
    roles: { type: 'array', items: { type: 'string' } },
  },
  ['subject', 'name', 'organisation', 'roles'],
);

export function authRoutes(devIssuer: DevIssuer | undefined, _schemas: ProtoSchemas): ApiRoute[] {
  const disabled = (): never => {
    throw new GatewayHttpError(gatewayError(404, 'NOT_FOUND', 'persona sign-in exists only in development; use the configured identity provider'));
  };
  return [
    {
      method: 'GET',
      url: '/api/v1/whoami',
      operationId: 'whoAmI',
      tag: 'auth',
      auth: true,
      summary: 'The verified identity of the bearer token',
      response: identitySchema,
      errors: [401, 429],
      handler: async ({ identity }) => ({ ...identity, roles: [...(identity?.roles ?? [])] }),
    },
    {
      method: 'GET',
      url: '/api/v1/auth/personas',
      operationId: 'listPersonas',
      tag: 'auth',
      auth: false,
      summary: 'Seeded personas for local sign-in (development only)',
      response: { type: 'object', properties: { personas: { type: 'array', items: objectSchema({ persona: { type: 'string' }, identity: identitySchema }) } } },
      errors: [404, 429],
      handler: async () => {
        if (!devIssuer) disabled();
        return { personas: Object.entries(personas).map(([persona, p]) => ({ persona, identity: { ...p, roles: [...p.roles] } })) };
      },
    },
    {
      method: 'POST',
      url: '/api/v1/auth/token',
      operationId: 'mintToken',
      tag: 'auth',
      auth: false,
      summary: 'Mint a bearer token for a seeded persona (development only)',
      body: objectSchema(
        {
          persona: { type: 'string', enum: Object.keys(personas) },
          ttlSeconds: { type: 'integer', minimum: 60, maximum: 24 * 3600, default: 8 * 3600 },
        },
        ['persona'],
      ),
      response: objectSchema({ token: { type: 'string' }, expiresInSeconds: { type: 'integer' }, identity: identitySchema }, ['token', 'identity']),
      successStatus: 201,
      errors: [...commonErrors.filter((c) => c !== 401 && c !== 403), 404, 413],
      handler: async ({ body }) => {
        if (!devIssuer) return disabled();
        const b = body as { persona: PersonaName; ttlSeconds: number };
        const identity = personas[b.persona];
        return { token: await devIssuer.mint(identity, b.ttlSeconds), expiresInSeconds: b.ttlSeconds, identity: { ...identity, roles: [...identity.roles] } };
      },
    },
  ];
}
