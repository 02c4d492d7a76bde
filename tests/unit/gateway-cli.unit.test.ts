// CLI plumbing without services: argument parsing, tables with Chinese text, help and usage exit codes.
import { describe, expect, it } from 'vitest';
import { status } from '@grpc/grpc-js';
import { parseArgs, UsageError } from '../../services/cli/args';
import { runCli, type Command } from '../../services/cli/cli';
import { exitCodeForGrpc, exitCodes } from '../../services/cli/exit-codes';
import { displayWidth, renderTable } from '../../services/cli/table';

describe('bps argument parsing', () => {
  const specs = {
    json: { type: 'boolean', description: '' },
    date: { type: 'string', description: '' },
    evidence: { type: 'string', description: '', repeatable: true },
    help: { type: 'boolean', short: 'h', description: '' },
  } as const;
  it('reads flags in both forms, booleans, repeats and positionals', () => {
    expect(parseArgs(['INS-05', '--date', '2018-01-01', '--json', '--evidence=a', '--evidence', 'b', '-h', '--', '--x'], specs)).toEqual({
      flags: { date: '2018-01-01', json: true, evidence: ['a', 'b'], help: true },
      positionals: ['INS-05', '--x'],
    });
  });
  it('refuses unknown flags and missing values', () => {
    expect(() => parseArgs(['--colour', 'red'], specs)).toThrow(UsageError);
    expect(() => parseArgs(['--date'], specs)).toThrow('--date needs a value');
    expect(() => parseArgs(['--json=yes'], specs)).toThrow(UsageError);
  });
});

describe('tables', () => {
  it('counts full-width characters as two columns so columns line up', () => {
    expect(displayWidth('城乡')).toBe(4);
    expect(displayWidth('INS-05')).toBe(6);
    const out = renderTable(
      ['CODE', 'NAME'],
      [
        ['INS-05', '城乡居民基本医疗保险'],
        ['X', 'ab'],
      ],
    ).split('\n');
    expect(out[0]).toBe('CODE    NAME');
    expect(out[2]).toBe('INS-05  城乡居民基本医疗保险');
    expect(out[3]).toBe('X       ab');
  });
  it('truncates long cells with an ellipsis', () => {
    const out = renderTable(['A'], [['x'.repeat(100)]], 10).split('\n');
    expect(out[2]).toBe(`${'x'.repeat(9)}…`);
  });
});

describe('exit codes and help', () => {
  it('maps gRPC statuses to distinct codes', () => {
    expect(exitCodeForGrpc(status.NOT_FOUND)).toBe(3);
    expect(exitCodeForGrpc(status.PERMISSION_DENIED)).toBe(4);
    expect(exitCodeForGrpc(status.UNAUTHENTICATED)).toBe(5);
    expect(exitCodeForGrpc(status.INVALID_ARGUMENT)).toBe(6);
    expect(exitCodeForGrpc(status.FAILED_PRECONDITION)).toBe(7);
    expect(exitCodeForGrpc(status.ABORTED)).toBe(8);
    expect(exitCodeForGrpc(status.UNAVAILABLE)).toBe(9);
    expect(exitCodeForGrpc(status.INTERNAL)).toBe(1);
  });

  const ran: string[] = [];
  const commands: Command[] = [
    {
      path: ['standards', 'get'],
      args: '<item-code>',
      minArgs: 1,
      maxArgs: 1,
      summary: 'get one',
      async run(ctx) {
        ran.push(ctx.arg(0));
        ctx.out('done');
      },
    },
    {
      path: ['token', 'mint'],
      args: '<persona>',
      minArgs: 1,
      maxArgs: 1,
      summary: 'mint',
      async run() {
        throw new UsageError('bad persona');
      },
    },
  ];
  const run = async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(argv, commands, {}, { out: (t) => out.push(t), err: (t) => err.push(t) });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };

  it('--help on every level exits 0 and prints to stdout', async () => {
    expect(await run('--help')).toMatchObject({ code: 0, out: expect.stringContaining('standards get') });
    expect(await run('standards', '--help')).toMatchObject({ code: 0, out: expect.stringContaining('Commands under "standards"') });
    const cmd = await run('standards', 'get', '--help');
    expect(cmd.code).toBe(0);
    expect(cmd.out).toContain('Usage: bps standards get <item-code> [options]');
    expect(cmd.out).toContain('Exit codes:');
  });

  it('usage errors exit 2 on stderr; a valid command runs', async () => {
    expect((await run()).code).toBe(exitCodes.usage);
    expect((await run('standards')).code).toBe(exitCodes.usage);
    expect((await run('nope')).err).toContain('unknown command "nope"');
    expect((await run('standards', 'get')).code).toBe(exitCodes.usage);
    expect((await run('standards', 'get', 'a', 'b')).code).toBe(exitCodes.usage);
    expect((await run('token', 'mint', 'x')).err).toContain('bad persona');
    expect(await run('standards', 'get', 'INS-05')).toMatchObject({ code: 0, out: 'done' });
    expect(ran).toEqual(['INS-05']);
  });
});
