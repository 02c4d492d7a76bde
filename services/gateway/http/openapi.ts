// OpenAPI 3.1 from the route declarations (requests) and the proto-derived component schemas (responses).
import type { ApiRoute } from './api';
import { errorBodySchema } from './api';
import type { JsonSchema } from './proto-schema';

const statusText: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  400: 'Invalid request (fieldViolations name the fields)',
  401: 'Missing or invalid bearer token',
  403: 'The caller may not do this',
  404: 'Not found',
  409: 'Conflict (already exists, or a stale revision: currentRevision)',
  412: 'Precondition failed',
  413: 'Request body too large',
  422: 'Business rule violated (violations)',
  429: 'Rate limited (Retry-After)',
  503: 'A backend service is unavailable',
};

type ParamSchema = { properties?: Record<string, JsonSchema>; required?: string[] };

function parameters(where: 'path' | 'query', schema: JsonSchema | undefined): JsonSchema[] {
  const s = schema as ParamSchema | undefined;
  return Object.entries(s?.properties ?? {}).map(([name, prop]) => ({
    name,
    in: where,
    required: where === 'path' || (s?.required ?? []).includes(name),
    schema: prop,
    ...(typeof prop['description'] === 'string' ? { description: prop['description'] } : {}),
  }));
}

export function buildOpenApi(routes: readonly ApiRoute[], components: Record<string, JsonSchema>, info: { version: string; serverUrl?: string }): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of routes) {
    const path = route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const success = route.successStatus ?? 200;
    const responses: Record<string, JsonSchema> = {
      [success]: { description: statusText[success] ?? 'OK', content: { 'application/json': { schema: route.response } } },
    };
    // A reused Idempotency-Key is refused with 412 REQUEST_ID_REUSED; a retry racing a call still running may get 503.
    const errors = route.idempotent ? [...new Set([...route.errors, 412, 503])].sort((a, b) => a - b) : route.errors;
    for (const status of errors) {
      responses[status] = {
        description: statusText[status] ?? 'Error',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorBody' } } },
        ...(status === 429 ? { headers: { 'Retry-After': { schema: { type: 'integer' }, description: 'seconds until a request will be accepted' } } } : {}),
      };
    }
    const operation: JsonSchema = {
      operationId: route.operationId,
      summary: route.summary,
      ...(route.description ? { description: route.description } : {}),
      tags: [route.tag],
      parameters: [
        ...parameters('path', route.params),
        ...parameters('query', route.querystring),
        ...(route.idempotent
          ? [
              {
                name: 'Idempotency-Key',
                in: 'header',
                required: false,
                description:
                  'Makes a retry safe: the same key (scoped to the caller and the operation) with the same request returns the first result — even if the first call timed out: a call carrying a key runs to its end and its result is kept —; with another request, 412 REQUEST_ID_REUSED; while the first call is still running, the retry waits for it (503 if it outlasts the retry). Every authenticated POST, PUT, PATCH and DELETE accepts one.',
                schema: { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9._:-]+$' },
              },
            ]
          : []),
      ],
      ...(route.body ? { requestBody: { required: route.bodyOptional !== true, content: { 'application/json': { schema: route.body } } } } : {}),
      responses,
      security: route.auth === 'public' ? [{}, { bearerAuth: [] }] : route.auth ? [{ bearerAuth: [] }] : [],
    };
    (paths[path] ??= {})[route.method.toLowerCase()] = operation;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: '国家基本公共服务标准平台 API (gateway)',
      version: info.version,
      description: 'HTTP JSON API over the platform gRPC services. Errors carry the google.rpc details of the gRPC status.',
    },
    ...(info.serverUrl ? { servers: [{ url: info.serverUrl }] } : {}),
    paths,
    components: {
      schemas: { ...components, ErrorBody: errorBodySchema },
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    },
  };
}
