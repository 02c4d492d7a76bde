// What a console page handler returns, and the wrapper that runs it (sign-in, same-origin posts, error pages).
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Html } from './html';
import type { PageContext } from './layout';

export type PageResult = { title: string; section?: string; body: Html; status?: number } | { redirect: string };
export type Guarded = (
  handler: (req: FastifyRequest, ctx: PageContext, token: string) => Promise<PageResult>,
) => (req: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply>;
