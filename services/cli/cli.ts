// Command framework: declared commands with flags and help, the caller's token, gRPC clients from env, output in
// tables or JSON, and one mapping from failures to exit codes.
import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { z } from 'zod';
import { ApprovalInboxClient } from '../../proto/gen/bps/approvals/v1/inbox';
import { AuditClient } from '../../proto/gen/bps/audit/v1/audit';
import { SubscriptionsClient } from '../../proto/gen/bps/notifications/v1/subscriptions';
import { ProgrammeClient } from '../../proto/gen/bps/programme/v1/programme';
import { ProposalsClient } from '../../proto/gen/bps/proposals/v1/proposals';
import { StandardRegistryClient } from '../../proto/gen/bps/registry/v1/registry';
import type { DevIssuer } from '../shared/auth/dev-issuer';
import { devIssuerFromConfig } from '../shared/auth/from-config';
import { personas, type PersonaName } from '../shared/auth/personas';
import { configSchema, grpcAddress, loadConfig } from '../shared/config/config';
import { serviceClient, unary, withCallContext, type UnaryMethod } from '../shared/grpc/client';
import { idempotencyKeyPattern, nthChangeKey } from '../shared/idempotency/idempotency';
import { grpcClientCredentials, grpcTlsFromConfig } from '../shared/grpc/tls';
import { decodeStatus } from '../shared/grpc/status';
import { parseArgs, str, UsageError, type FlagSpec, type Parsed } from './args';
import { exitCodeForGrpc, exitCodeHelp, exitCodes } from './exit-codes';

const address = grpcAddress;
// The CLI verifies no tokens and holds no keys in production: it presents BPS_TOKEN (or --token). In development
// (BPS_ENV=development with BPS_JWT_SIGNING_JWK) it can mint persona tokens itself (--as, token mint).
export const cliConfigSchema = configSchema(
  {
    REGISTRY_GRPC_ADDRESS: address.default('127.0.0.1:50051'),
    PROPOSALS_GRPC_ADDRESS: address.default('127.0.0.1:50052'),
    APPROVALS_GRPC_ADDRESS: address.default('127.0.0.1:50053'),
    NOTIFICATIONS_GRPC_ADDRESS: address.default('127.0.0.1:50054'),
    AUDIT_GRPC_ADDRESS: address.default('127.0.0.1:50055'),
    PROGRAMME_GRPC_ADDRESS: address.default('127.0.0.1:50056'),
    BPS_TOKEN: z.string().optional(),
    BPS_CLI_TIMEOUT_MS: z.coerce.number().int().min(100).default(30_000),
    // How many times a change is tried again, with the same idempotency key, after a failure a retry may fix
    // (UNAVAILABLE, DEADLINE_EXCEEDED): the retry returns the first attempt's result if that one got through.
    BPS_CLI_RETRIES: z.coerce.number().int().min(0).max(10).default(3),
  },
  'cli',
);
export type CliConfig = z.infer<typeof cliConfigSchema>;

const constructors = {
  registry: [StandardRegistryClient, 'REGISTRY_GRPC_ADDRESS'],
  proposals: [ProposalsClient, 'PROPOSALS_GRPC_ADDRESS'],
  approvals: [ApprovalInboxClient, 'APPROVALS_GRPC_ADDRESS'],
  notifications: [SubscriptionsClient, 'NOTIFICATIONS_GRPC_ADDRESS'],
  audit: [AuditClient, 'AUDIT_GRPC_ADDRESS'],
  programme: [ProgrammeClient, 'PROGRAMME_GRPC_ADDRESS'],
} as const;
type Clients = { [K in keyof typeof constructors]: InstanceType<(typeof constructors)[K][0]> };
export type ServiceName = keyof Clients;

/** A failure the CLI decides itself, with its exit code. */
export class CliError extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
    readonly details: readonly string[] = [],
  ) {
    super(message);
  }
}

export type Command = {
  readonly path: readonly string[];
  readonly summary: string;
  /** Positional part of the usage line, e.g. "<item-code>". */
  readonly args?: string;
  readonly minArgs?: number;
  readonly maxArgs?: number;
  readonly flags?: Readonly<Record<string, FlagSpec>>;
  readonly examples?: readonly string[];
  /** false for commands that need no token (token mint). */
  readonly auth?: boolean;
  run(ctx: CliContext): Promise<void>;
};

export const globalFlags: Record<string, FlagSpec> = {
  json: { type: 'boolean', description: 'print the result as JSON (for scripts)' },
  help: { type: 'boolean', short: 'h', description: 'show help for the command' },
  token: { type: 'string', placeholder: 'jwt', description: 'bearer token (default: $BPS_TOKEN)' },
  as: { type: 'string', placeholder: 'persona', description: 'mint a token for a seeded persona (development only)' },
  'idempotency-key': {
    type: 'string',
    placeholder: 'key',
    description: "names this command's change: run again with the same key, it returns the first result instead of changing twice",
  },
};

/** Failures after which a change may or may not have happened, and a retry with the same key is safe. */
const retriable = new Set<number>([grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED]);

export class CliContext {
  private readonly clients = new Map<ServiceName, grpc.Client>();
  private credentials: grpc.ChannelCredentials | undefined;
  private changes = 0;
  private runKey: string | undefined;
  constructor(
    readonly parsed: Parsed,
    readonly config: CliConfig,
    private readonly write: { out(text: string): void; err(text: string): void },
  ) {}

  get json(): boolean {
    return this.parsed.flags['json'] === true;
  }
  arg(i: number): string {
    return this.parsed.positionals[i] ?? '';
  }
  flag(name: string): string | undefined {
    return str(this.parsed, name);
  }
  out(text: string): void {
    this.write.out(text);
  }
  err(text: string): void {
    this.write.err(text);
  }
  /** Prints `value` as JSON with --json, else the human rendering. */
  print(value: unknown, human: () => string): void {
    this.out(this.json ? JSON.stringify(value, null, 2) : human());
  }

  /** The development issuer (development mode with BPS_JWT_SIGNING_JWK only). */
  devIssuer(): DevIssuer | undefined {
    return devIssuerFromConfig(this.config);
  }

  async token(): Promise<string> {
    const explicit = this.flag('token') ?? this.config.BPS_TOKEN;
    const persona = this.flag('as');
    if (explicit && persona) throw new UsageError('give either --token or --as, not both');
    if (explicit) return explicit;
    if (persona) return mintForPersona(this, persona);
    throw new CliError(exitCodes.unauthenticated, 'no token: pass --token <jwt>, set BPS_TOKEN, or (locally) --as <persona>');
  }

  async call<K extends ServiceName, Req, Res>(service: K, pick: (client: Clients[K]) => UnaryMethod<Req, Res>, request: Req): Promise<Res> {
    let client = this.clients.get(service);
    if (!client) {
      const [Ctor, key] = constructors[service];
      client = serviceClient(
        Ctor as unknown as new (a: string, c: grpc.ChannelCredentials, o: grpc.ChannelOptions) => grpc.Client,
        this.config[key],
        // mTLS with BPS_GRPC_TLS_* (production requires it: asked for here, as only calls need it); plaintext in development.
        (this.credentials ??= grpcClientCredentials(grpcTlsFromConfig(this.config))),
      );
      this.clients.set(service, client);
    }
    return unary(pick(client as Clients[K]), request, await this.token(), this.config.BPS_CLI_TIMEOUT_MS);
  }

  /**
   * The idempotency key of this run's changes: --idempotency-key, or a fresh one. A command that makes several
   * changes names the second and later ones `<key>.2`, `<key>.3`… (a key is scoped to the method and the caller).
   */
  idempotencyKey(): string {
    if (this.runKey === undefined) {
      const given = this.flag('idempotency-key');
      if (given !== undefined && !idempotencyKeyPattern.test(given)) throw new UsageError('--idempotency-key must be 1–128 of A–Z a–z 0–9 . _ : -');
      this.runKey = given ?? `bps-cli.${randomUUID()}`;
    }
    return this.runKey;
  }

  /**
   * A call that changes something (issue #19): it carries the run's idempotency key, and after a failure a retry may
   * fix (the server unreachable, or no answer in time: the change may have happened) it is tried again with the same
   * key, so it happens once and the retry gets its result. When the tries run out, the error says which key to retry
   * with.
   */
  async change<K extends ServiceName, Req, Res>(service: K, pick: (client: Clients[K]) => UnaryMethod<Req, Res>, request: Req): Promise<Res> {
    this.changes += 1;
    const key = nthChangeKey(this.idempotencyKey(), this.changes);
    for (let attempt = 0; ; attempt++) {
      try {
        return await withCallContext({ idempotencyKey: key }, () => this.call(service, pick, request));
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        if (typeof code !== 'number' || !retriable.has(code)) throw error;
        const status = grpc.status[code] ?? String(code);
        if (attempt >= this.config.BPS_CLI_RETRIES) {
          throw Object.assign(error as object, {
            retryHint: `the change may have been made: run the command again with --idempotency-key ${this.idempotencyKey()} to get its result without making it twice`,
          });
        }
        const waitMs = 250 * 2 ** attempt;
        this.err(`${status}: trying again in ${waitMs} ms with the same idempotency key (${key})`);
        await new Promise((resolve) => setTimeout(resolve, waitMs));
      }
    }
  }

  close(): void {
    for (const c of this.clients.values()) c.close();
  }
}

export async function mintForPersona(ctx: CliContext, persona: string, ttlSeconds?: number): Promise<string> {
  if (ctx.config.BPS_ENV === 'production')
    throw new CliError(
      exitCodes.permissionDenied,
      'persona tokens exist only in development (BPS_ENV=development); in production pass a token from the identity provider (--token or BPS_TOKEN)',
    );
  if (!(persona in personas)) throw new UsageError(`unknown persona "${persona}"; one of: ${Object.keys(personas).join(', ')}`);
  const issuer = ctx.devIssuer();
  if (!issuer)
    throw new CliError(
      exitCodes.permissionDenied,
      'no development signing key: set BPS_JWT_SIGNING_JWK and BPS_JWT_ISSUER, or use `npm run token -- <persona>` with the local stack',
    );
  return issuer.mint(personas[persona as PersonaName], ttlSeconds);
}

function flagLines(flags: Readonly<Record<string, FlagSpec>>): string[] {
  return Object.entries(flags).map(([name, f]) => {
    const left = `${f.short ? `-${f.short}, ` : '    '}--${name}${f.type === 'string' ? ` <${f.placeholder ?? 'value'}>` : ''}${f.repeatable ? ' …' : ''}`;
    return `  ${left.padEnd(30)} ${f.description}`;
  });
}

export function commandHelp(cmd: Command): string {
  return [
    `Usage: bps ${cmd.path.join(' ')}${cmd.args ? ` ${cmd.args}` : ''} [options]`,
    '',
    cmd.summary,
    '',
    'Options:',
    ...flagLines({ ...(cmd.flags ?? {}), ...globalFlags }),
    ...(cmd.examples && cmd.examples.length > 0 ? ['', 'Examples:', ...cmd.examples.map((e) => `  ${e}`)] : []),
    '',
    exitCodeHelp,
  ].join('\n');
}

export function groupHelp(commands: readonly Command[], prefix: readonly string[]): string {
  const matching = commands.filter((c) => prefix.every((p, i) => c.path[i] === p));
  const width = Math.max(...matching.map((c) => c.path.join(' ').length));
  return [
    `Usage: bps ${prefix.length > 0 ? `${prefix.join(' ')} ` : ''}<command> [options]`,
    '',
    prefix.length === 0
      ? 'Command-line tool of the national basic public service standards platform (国家基本公共服务标准平台).'
      : `Commands under "${prefix.join(' ')}":`,
    '',
    'Commands:',
    ...matching.map((c) => `  ${c.path.join(' ').padEnd(width)}  ${c.summary}`),
    '',
    'Global options:',
    ...flagLines(globalFlags),
    '',
    'Services are reached at REGISTRY_GRPC_ADDRESS, PROPOSALS_GRPC_ADDRESS, APPROVALS_GRPC_ADDRESS,',
    'NOTIFICATIONS_GRPC_ADDRESS, AUDIT_GRPC_ADDRESS and PROGRAMME_GRPC_ADDRESS (defaults 127.0.0.1:50051…50056);',
    'several instances of one: their IP:port separated by commas.',
    'Run "bps <command> --help" for a command\'s options.',
    '',
    exitCodeHelp,
  ].join('\n');
}

/** Runs the CLI; returns the exit code (never calls process.exit, so tests can call it in-process too). */
export async function runCli(
  argv: readonly string[],
  commands: readonly Command[],
  env: NodeJS.ProcessEnv,
  write: { out(text: string): void; err(text: string): void },
): Promise<number> {
  // Command words come first (`bps standards get X --json`); the longest declared path that matches wins.
  const firstFlag = argv.findIndex((a) => a.startsWith('-'));
  const words = firstFlag === -1 ? [...argv] : argv.slice(0, firstFlag);
  const cmd = [...commands].sort((a, b) => b.path.length - a.path.length).find((c) => c.path.every((p, i) => words[i] === p));
  const wantsHelp = argv.includes('--help') || argv.includes('-h');
  if (!cmd) {
    const known = commands.filter((c) => words.slice(0, c.path.length - 1).length > 0 && c.path.slice(0, -1).every((p, i) => words[i] === p));
    const prefix = known.length > 0 ? (known[0]?.path.slice(0, -1) ?? []) : [];
    if (wantsHelp || words.length === prefix.length) {
      (wantsHelp ? write.out : write.err)(groupHelp(commands, prefix));
      return wantsHelp ? exitCodes.ok : exitCodes.usage;
    }
    write.err(`bps: unknown command "${words.join(' ')}"\n\n${groupHelp(commands, prefix)}`);
    return exitCodes.usage;
  }
  if (wantsHelp) {
    write.out(commandHelp(cmd));
    return exitCodes.ok;
  }
  let ctx: CliContext | undefined;
  try {
    const rest = argv.slice(cmd.path.length);
    const parsed = parseArgs(rest, { ...(cmd.flags ?? {}), ...globalFlags });
    const n = parsed.positionals.length;
    if (n < (cmd.minArgs ?? 0) || n > (cmd.maxArgs ?? cmd.minArgs ?? 0)) throw new UsageError(`expected ${cmd.args ?? 'no arguments'}`);
    ctx = new CliContext(parsed, loadConfig(cliConfigSchema, env), write);
    await cmd.run(ctx);
    return exitCodes.ok;
  } catch (error) {
    const json = argv.includes('--json');
    if (error instanceof UsageError) {
      write.err(`bps ${cmd.path.join(' ')}: ${error.message}\nRun "bps ${cmd.path.join(' ')} --help" for usage.`);
      return exitCodes.usage;
    }
    if (error instanceof CliError) {
      write.err(
        json
          ? JSON.stringify({ error: { message: error.message, details: error.details } })
          : [`error: ${error.message}`, ...error.details.map((d) => `  - ${d}`)].join('\n'),
      );
      return error.exitCode;
    }
    if (isServiceError(error)) {
      const s = decodeStatus(error);
      const code = exitCodeForGrpc(s.code);
      const unavailable = code === exitCodes.unavailable;
      const message = unavailable ? `service unavailable (${grpc.status[s.code]})` : s.message;
      const retryHint = (error as { retryHint?: string }).retryHint;
      if (json) {
        write.err(
          JSON.stringify({
            error: {
              code: grpc.status[s.code],
              message,
              reason: s.reason,
              fieldViolations: s.fieldViolations.map((v) => ({ field: v.field, description: v.description })),
              violations: s.preconditionViolations,
              currentRevision: s.metadata['currentRevision'] ? Number(s.metadata['currentRevision']) : undefined,
              idempotencyKey: retryHint ? ctx?.idempotencyKey() : undefined,
              retryHint,
            },
          }),
        );
      } else {
        const lines = [`error: ${message}${s.reason && !unavailable ? ` [${s.reason}]` : ''}`];
        for (const v of s.fieldViolations) lines.push(`  - ${v.field}: ${v.description}`);
        for (const v of s.preconditionViolations) lines.push(`  - ${v.subject ? `${v.subject}: ` : ''}${v.description}`);
        if (s.metadata['currentRevision']) lines.push(`  current revision: ${s.metadata['currentRevision']}`);
        if (retryHint) lines.push(`  ${retryHint}`);
        write.err(lines.join('\n'));
      }
      return code;
    }
    if (error instanceof Error && error.name === 'ConfigError') {
      write.err(`bps: ${error.message}`);
      return exitCodes.usage;
    }
    write.err(`bps: unexpected failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return exitCodes.failure;
  } finally {
    ctx?.close();
  }
}

function isServiceError(error: unknown): error is grpc.ServiceError {
  return (
    error instanceof Error &&
    typeof (error as Partial<grpc.ServiceError>).code === 'number' &&
    (error as Partial<grpc.ServiceError>).metadata instanceof grpc.Metadata
  );
}
