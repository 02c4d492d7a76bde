// bps token mint <persona>: a bearer token for a seeded persona (development only: BPS_ENV=development and the
// development issuer's key BPS_JWT_SIGNING_JWK).
import { personas } from '../../shared/auth/personas';
import { mintForPersona, type Command } from '../cli';
import { UsageError } from '../args';

export const tokenCommands: Command[] = [
  {
    path: ['token', 'mint'],
    args: '<persona>',
    minArgs: 1,
    maxArgs: 1,
    auth: false,
    summary: `Print a bearer token for a seeded persona (development only). Personas: ${Object.keys(personas).join(', ')}`,
    flags: { ttl: { type: 'string', placeholder: 'seconds', description: 'lifetime (default 28800)' } },
    examples: ['export BPS_TOKEN=$(bps token mint nhc-staff)'],
    async run(ctx) {
      const ttlText = ctx.flag('ttl');
      const ttl = ttlText === undefined ? undefined : Number(ttlText);
      if (ttl !== undefined && (!Number.isInteger(ttl) || ttl < 60 || ttl > 86400))
        throw new UsageError('--ttl must be a whole number of seconds between 60 and 86400');
      const token = await mintForPersona(ctx, ctx.arg(0), ttl);
      const persona = personas[ctx.arg(0) as keyof typeof personas];
      ctx.print({ token, persona: ctx.arg(0), identity: persona }, () => token);
    },
  },
];
