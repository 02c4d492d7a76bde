// bps token mint <persona>: a bearer token for a seeded persona (local development only).
import { personas } from '../../shared/auth/personas';
import { mintForPersona, type Command } from '../cli';
import { UsageError } from '../args';

export const tokenCommands: Command[] = [
  {
    path: ['token', 'mint'], args: '<persona>', minArgs: 1, maxArgs: 1, auth: false,
    summary: `Print a bearer token for a seeded persona (not in production). Personas: ${Object.keys(personas).join(', ')}`,
    flags: { ttl: { type: 'string', placeholder: 'seconds', description: 'lifetime (default 28800)' } },
    examples: ['export BPS_TOKEN=$(bps token mint nhc-staff)'],
    async run(ctx) {
      const ttlText = ctx.flag('ttl');
      const ttl = ttlText === undefined ? undefined : Number(ttlText);
      if (ttl !== undefined && (!Number.isInteger(ttl) || ttl < 60 || ttl > 7 * 86400)) throw new UsageError('--ttl must be a whole number of seconds between 60 and 604800');
      const token = await mintForPersona(ctx, ctx.arg(0), ttl);
      const persona = personas[ctx.arg(0) as keyof typeof personas];
      ctx.print({ token, persona: ctx.arg(0), identity: persona }, () => token);
    },
  },
];
