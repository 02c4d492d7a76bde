// Public consultation (征求意见, issue #17) over HTTP. The portal's part is open without sign-in: the consultations
// open today, one consultation with its published comments, and commenting (held for moderation). A visitor's
// comment goes through the portal's own account; the gateway adds a keyed hash of the client address (never the
// address) and limits comments per client address on top of the gateway-wide rate limit. The lead ministry's
// staff open a consultation and moderate its comments with their own token.
import { createHmac, randomBytes } from 'node:crypto';
import {
  GetConsultationResponse,
  ListConsultationsResponse,
  ModerateConsultationCommentResponse,
  OpenConsultationResponse,
  SubmitConsultationCommentResponse,
} from '../../../proto/gen/bps/proposals/v1/proposals';
import type { Backends } from '../adapters/backends';
import { commonErrors, GatewayHttpError, objectSchema, type ApiRoute } from '../http/api';
import { gatewayError } from '../http/errors';
import type { ProtoSchemas } from '../http/proto-schema';
import { TokenBuckets } from '../http/rate-limit';

const proposalId = { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9._:-]+$' };
const commentId = { type: 'string', minLength: 1, maxLength: 32, pattern: '^[A-Za-z0-9._:-]+$' };
const date = { type: 'string', pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' };

export type CommentRateLimit = { readonly burst: number; readonly perMinute: number };

/** Comments one client address may post: a burst of 5, then one a minute (a technical bound, not an official value). */
export const DEFAULT_COMMENT_RATE_LIMIT: CommentRateLimit = { burst: 5, perMinute: 1 };

/** The comment limit per caller (shared by the JSON API and the portal's form) and the client-address hash. */
export class CommentLimiter {
  private readonly buckets: TokenBuckets;
  // Keyed per gateway process: the record can tell comments from one address apart without holding the address.
  private readonly hashKey: Buffer;

  constructor(limit: CommentRateLimit = DEFAULT_COMMENT_RATE_LIMIT, now?: () => number, hashKey?: Buffer) {
    this.buckets = new TokenBuckets(limit.burst, limit.perMinute / 60, now);
    this.hashKey = hashKey ?? randomBytes(32);
  }

  take(key: string): ReturnType<TokenBuckets['take']> {
    return this.buckets.take(key);
  }

  hash(ip: string): string {
    return ip ? createHmac('sha256', this.hashKey).update(ip).digest('hex') : '';
  }
}

export function consultationRoutes(backends: Backends, schemas: ProtoSchemas, limiter: CommentLimiter): ApiRoute[] {
  const call = backends.call.bind(backends);
  const tag = 'consultations';
  const idParams = objectSchema({ proposalId }, ['proposalId']);
  return [
    {
      method: 'GET',
      url: '/api/v1/consultations',
      operationId: 'listConsultations',
      tag,
      auth: 'public',
      summary: 'Public consultations accepting comments today (includeClosed=true: every one ever opened)',
      querystring: objectSchema({ includeClosed: { type: 'boolean' } }),
      response: schemas.ref('bps.proposals.v1.ListConsultationsResponse'),
      errors: [...commonErrors],
      handler: async ({ query, token }) =>
        ListConsultationsResponse.toJSON(
          await call('proposals', (c) => c.listConsultations.bind(c), { includeClosed: query['includeClosed'] === true }, token),
        ),
    },
    {
      method: 'GET',
      url: '/api/v1/consultations/:proposalId',
      operationId: 'getConsultation',
      tag,
      auth: 'public',
      summary: "A proposal's public consultation: summary, changes and published comments (every comment for the proposal's readers)",
      params: idParams,
      response: schemas.ref('bps.proposals.v1.GetConsultationResponse'),
      errors: [...commonErrors, 404],
      handler: async ({ params, token }) =>
        GetConsultationResponse.toJSON(await call('proposals', (c) => c.getConsultation.bind(c), { proposalId: params['proposalId'] ?? '' }, token)),
    },
    {
      method: 'POST',
      url: '/api/v1/consultations/:proposalId/comments',
      operationId: 'submitConsultationComment',
      tag,
      auth: 'public',
      // A comment form sent twice (a double click, a resend after a timeout) records one comment.
      idempotent: true,
      summary: 'Comment on a proposal under public consultation (no sign-in; held until the proposing ministry moderates it)',
      params: idParams,
      body: objectSchema(
        {
          text: { type: 'string', minLength: 1, maxLength: 2000 },
          commenterName: { type: 'string', maxLength: 100 },
          commenterOrganisation: { type: 'string', maxLength: 200 },
        },
        ['text'],
      ),
      response: schemas.ref('bps.proposals.v1.SubmitConsultationCommentResponse'),
      successStatus: 201,
      errors: [...commonErrors, 404, 422],
      handler: async ({ params, body, token, clientIp, identity }) => {
        // Keyed like the gateway-wide limit: the verified subject when signed in, else the client address.
        const decision = limiter.take(identity ? `sub:${identity.subject}` : `ip:${clientIp}`);
        if (!decision.allowed)
          throw new GatewayHttpError({
            ...gatewayError(429, 'RATE_LIMITED', `too many comments from this address; retry after ${decision.retryAfterSeconds}s`),
            headers: { 'retry-after': String(decision.retryAfterSeconds) },
          });
        const b = body as { text: string; commenterName?: string; commenterOrganisation?: string };
        return SubmitConsultationCommentResponse.toJSON(
          await call(
            'proposals',
            (c) => c.submitConsultationComment.bind(c),
            {
              proposalId: params['proposalId'] ?? '',
              text: b.text,
              commenterName: b.commenterName ?? '',
              commenterOrganisation: b.commenterOrganisation ?? '',
              clientHash: limiter.hash(clientIp),
            },
            token,
          ),
        );
      },
    },
    {
      method: 'POST',
      url: '/api/v1/proposals/:proposalId/consultation',
      operationId: 'openConsultation',
      tag,
      auth: true,
      summary: 'The lead ministry opens a public consultation on a draft or a proposal under review (dates in Beijing time)',
      params: idParams,
      body: objectSchema({ opensOn: date, closesOn: date, summary: { type: 'string', minLength: 1, maxLength: 4000 } }, ['opensOn', 'closesOn', 'summary']),
      response: schemas.ref('bps.proposals.v1.OpenConsultationResponse'),
      successStatus: 201,
      errors: [...commonErrors, 404, 409, 422],
      handler: async ({ params, body, token }) => {
        const b = body as { opensOn: string; closesOn: string; summary: string };
        return OpenConsultationResponse.toJSON(
          await call(
            'proposals',
            (c) => c.openConsultation.bind(c),
            { proposalId: params['proposalId'] ?? '', opensOn: b.opensOn, closesOn: b.closesOn, summary: b.summary },
            token,
          ),
        );
      },
    },
    {
      method: 'POST',
      url: '/api/v1/proposals/:proposalId/consultation/comments/:commentId/moderation',
      operationId: 'moderateConsultationComment',
      tag,
      auth: true,
      summary: "The lead ministry's staff publish or reject a held comment, with a reason (required to reject)",
      params: objectSchema({ proposalId, commentId }, ['proposalId', 'commentId']),
      body: objectSchema({ decision: { type: 'string', enum: ['PUBLISH', 'REJECT'] }, reason: { type: 'string', maxLength: 1000 } }, ['decision']),
      response: schemas.ref('bps.proposals.v1.ModerateConsultationCommentResponse'),
      errors: [...commonErrors, 404, 409, 422],
      handler: async ({ params, body, token }) => {
        const b = body as { decision: 'PUBLISH' | 'REJECT'; reason?: string };
        return ModerateConsultationCommentResponse.toJSON(
          await call(
            'proposals',
            (c) => c.moderateConsultationComment.bind(c),
            { proposalId: params['proposalId'] ?? '', commentId: params['commentId'] ?? '', publish: b.decision === 'PUBLISH', reason: b.reason ?? '' },
            token,
          ),
        );
      },
    },
  ];
}
