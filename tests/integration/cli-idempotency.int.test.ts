// A change made with the bps CLI happens once, even when its answer is lost (issue #19): the CLI sends every change
// with an idempotency key and, after a failure a retry may fix, tries again with the same key, so the retry gets the
// first result. The answer is lost for real: a TCP proxy between the CLI and the proposals service lets the request
// through and drops what comes back, then cuts the connection once the draft exists.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProposalContent } from '../../proto/gen/bps/proposals/v1/proposal';
import { ListProposalsRequest, ProposalsClient } from '../../proto/gen/bps/proposals/v1/proposals';
import { unary } from '../../services/shared/grpc/client';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';
import { waitFor } from '../support/wait';
import { healthProposal } from '../unit/proposals-fixtures';
import { runBps } from './gateway-cli-run';
import { startTestPlatform, type TestPlatform } from './gateway-platform';

describe('bps CLI: a change whose answer was lost happens once', { timeout: 240_000 }, () => {
  let p: TestPlatform;
  let proxy: TcpProxy;
  let proposals: ProposalsClient;
  const dir = mkdtempSync(join(tmpdir(), 'bps-cli-idem-'));

  beforeAll(async () => {
    p = await startTestPlatform('cli-idem', {}, { full: true });
    proxy = await startTcpProxy(p.addresses.PROPOSALS_GRPC_ADDRESS!);
    proposals = new ProposalsClient(p.addresses.PROPOSALS_GRPC_ADDRESS!, grpc.credentials.createInsecure());
  });
  afterAll(async () => {
    proposals?.close();
    await proxy?.close();
    await p?.stop();
  });

  /** A proposal file whose title carries `marker` (the proxy recognises the request by it). */
  const proposalFile = (marker: string): string => {
    const file = join(dir, `${marker}.json`);
    writeFileSync(
      file,
      JSON.stringify({ content: ProposalContent.toJSON(healthProposal({ itemCode: 'HEA-03', title: `提高基本公共卫生服务经费补助标准 ${marker}` })) }),
    );
    return file;
  };
  const draftsTitled = async (marker: string): Promise<string[]> => {
    const res = await unary(proposals.listProposals.bind(proposals), ListProposalsRequest.fromPartial({ pageSize: 200 }), await p.token('nhc-staff'));
    return res.proposals.filter((x) => x.content?.title.includes(marker)).map((x) => x.proposalId);
  };

  it('retries with the same key when the connection drops after the server made the draft: one draft, and the CLI prints it', async () => {
    const marker = `idem-${randomUUID()}`;
    proxy.loseAnswersAfter(marker);
    const run = runBps(['proposals', 'create', '--file', proposalFile(marker), '--as', 'nhc-staff', '--json'], {
      ...p.addresses,
      PROPOSALS_GRPC_ADDRESS: proxy.address,
    });
    // The draft exists and the CLI has not heard so: the answer is being dropped. Now the connection fails.
    const [made] = await waitFor(async () => ((await draftsTitled(marker)).length > 0 ? draftsTitled(marker) : undefined), 'the draft made');
    expect(proxy.losing).toBe(true);
    proxy.cut();
    const result = await run;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/UNAVAILABLE: trying again in \d+ ms with the same idempotency key \(bps-cli\./);
    expect(JSON.parse(result.stdout).proposal.proposalId).toBe(made);
    expect(await draftsTitled(marker)).toEqual([made]);
  });

  it('the same --idempotency-key run again returns the first result; other content under that key is refused', async () => {
    const marker = `idem-${randomUUID()}`;
    const key = `script-${randomUUID()}`;
    const file = proposalFile(marker);
    const first = await runBps(['proposals', 'create', '--file', file, '--as', 'nhc-staff', '--json', '--idempotency-key', key], p.addresses);
    expect(first.code, first.stderr).toBe(0);
    const again = await runBps(['proposals', 'create', '--file', file, '--as', 'nhc-staff', '--json', '--idempotency-key', key], p.addresses);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).proposal.proposalId).toBe(JSON.parse(first.stdout).proposal.proposalId);
    expect(await draftsTitled(marker)).toHaveLength(1);

    const other = await runBps(
      ['proposals', 'create', '--file', proposalFile(`${marker}-other`), '--as', 'nhc-staff', '--json', '--idempotency-key', key],
      p.addresses,
    );
    expect(other.code).not.toBe(0);
    expect(JSON.parse(other.stderr).error.reason).toBe('REQUEST_ID_REUSED');
    expect(await draftsTitled(`${marker}-other`)).toEqual([]);

    const bad = await runBps(['proposals', 'create', '--file', file, '--as', 'nhc-staff', '--idempotency-key', 'no spaces'], p.addresses);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--idempotency-key must be');
  });

  it('when the tries run out, says the change may have been made and which key gets its result', async () => {
    const down = await runBps(['proposals', 'create', '--file', proposalFile(`idem-${randomUUID()}`), '--as', 'nhc-staff', '--json'], {
      ...p.addresses,
      PROPOSALS_GRPC_ADDRESS: '127.0.0.1:9',
      BPS_CLI_RETRIES: '1',
      BPS_CLI_TIMEOUT_MS: '2000',
    });
    expect(down.code).toBe(9);
    const lines = down.stderr.trim().split('\n');
    expect(lines[0]).toMatch(/^(UNAVAILABLE|DEADLINE_EXCEEDED): trying again in 250 ms with the same idempotency key \(bps-cli\.[0-9a-f-]+\)$/);
    const error = JSON.parse(lines.at(-1)!).error;
    expect(error.idempotencyKey).toMatch(/^bps-cli\./);
    expect(error.retryHint).toContain(`--idempotency-key ${error.idempotencyKey}`);
  });
});
