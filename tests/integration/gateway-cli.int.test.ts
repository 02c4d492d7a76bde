// The real `bps` binary (node services/cli/bps.js, through tsx) against in-process services.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBps } from './gateway-cli-run';
import { apiAs, startTestPlatform, type TestPlatform } from './gateway-platform';

describe('bps CLI against the running registry', { timeout: 240_000 }, () => {
  let p: TestPlatform;
  const bps = (...args: string[]) => runBps(args, p.addresses);
  beforeAll(async () => {
    p = await startTestPlatform('cli');
  });
  afterAll(async () => p?.stop());

  it('standards as-of: the seeded catalogue as a table and as JSON', async () => {
    const table = await bps('standards', 'as-of', '2018-01-01', '--as', 'nhc-staff');
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toContain('81 items in force on 2018-01-01');
    expect(table.stdout).toMatch(/CODE\s+NAME\s+FIELD/);
    expect(table.stdout).toContain('城乡居民基本医疗保险');

    const json = await bps('standards', 'as-of', '2018-01-01', '--field', 'F17-HEA', '--json', '--token', await p.token('auditor'));
    expect(json.code, json.stderr).toBe(0);
    const parsed = JSON.parse(json.stdout);
    expect(parsed.items).toHaveLength(20);
    expect(parsed.items.every((v: { item: { fieldCode: string } }) => v.item.fieldCode === 'F17-HEA')).toBe(true);
  });

  it('standards get shows the six attributes; an unknown item exits 3', async () => {
    const got = await bps('standards', 'get', 'INS-05', '--date', '2018-01-01', '--as', 'beijing-officer', '--province', '110000');
    expect(got.code, got.stderr).toBe(0);
    for (const label of ['service target', 'service content', 'quality standard', 'payment category', 'expenditure', 'lead unit'])
      expect(got.stdout).toContain(label);
    expect(got.stdout).toContain('>= 380 CNY (per person per year)');
    expect(got.stdout).toContain('110000: not filed');

    const missing = await bps('standards', 'get', 'NO-SUCH', '--as', 'nhc-staff');
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('item "NO-SUCH" not found');
  });

  it('standards diff and history between dates', async () => {
    const diff = await bps('standards', 'diff', '2018-01-01', '2019-01-01', '--json', '--as', 'nhc-staff');
    expect(diff.code, diff.stderr).toBe(0);
    expect(JSON.parse(diff.stdout)).toMatchObject({ fromDate: { year: 2018, month: 1, day: 1 }, toDate: { year: 2019, month: 1, day: 1 } });
    const history = await bps('standards', 'history', 'INS-05', '--as', 'nhc-staff');
    expect(history.code, history.stderr).toBe(0);
    expect(history.stdout).toMatch(/v1\s+2017-01-23/);
  });

  it('exit codes: 5 without or with a bad token, 2 for usage errors, 9 when the service is down', async () => {
    const none = await bps('standards', 'releases');
    expect(none.code).toBe(5);
    expect(none.stderr).toContain('no token');
    const bad = await bps('standards', 'releases', '--token', 'not.a.jwt');
    expect(bad.code).toBe(5);
    const badDate = await bps('standards', 'as-of', '2018-02-30', '--as', 'nhc-staff');
    expect(badDate.code).toBe(2);
    expect(badDate.stderr).toContain('must be a date YYYY-MM-DD');
    const unknownFlag = await bps('standards', 'get', 'INS-05', '--colour', 'red');
    expect(unknownFlag.code).toBe(2);
    expect((await bps('standards', 'get')).code).toBe(2);
    const down = await runBps(['standards', 'releases', '--as', 'nhc-staff', '--json'], {
      ...p.addresses,
      REGISTRY_GRPC_ADDRESS: '127.0.0.1:9',
      BPS_CLI_TIMEOUT_MS: '5000',
    });
    expect(down.code).toBe(9);
    expect(JSON.parse(down.stderr).error.code).toMatch(/UNAVAILABLE|DEADLINE_EXCEEDED/);
  });

  it('errata through the CLI and the HTTP API: wording only, proposed by one person, in effect when a second approves', async () => {
    // HTTP: a floor under the same version number is a 400 naming the field; nothing changes.
    const edu = (await apiAs(p, 'moe-staff', 'GET', '/api/v1/standards/items/EDU-05')).json.national.item;
    const floor = await apiAs(p, 'moe-staff', 'POST', '/api/v1/standards/items/EDU-05/versions/1/corrections', {
      item: {
        ...edu,
        qualityStandard: {
          stated: true,
          text: '每生每年500元',
          metrics: [{ metric: 'grant_per_student', label: '资助标准', comparator: 'COMPARATOR_GTE', value: '500', unit: 'CNY', basis: 'per_student_per_year' }],
        },
      },
      reason: '补充标准',
    });
    expect(floor.status).toBe(400);
    expect(floor.json.error.fieldViolations).toContainEqual(
      expect.objectContaining({ field: 'item.qualityStandard.metrics', description: expect.stringContaining('a level changes only by proposal') }),
    );

    // CLI: NHC's approver proposes a wording fix of HEA-02; they cannot approve it themselves; the final approver does.
    const name = (await apiAs(p, 'nhc-staff', 'GET', '/api/v1/standards/items/HEA-02')).json.national.item.name as string;
    const proposed = await bps('standards', 'correct', 'HEA-02', '1', '--name', `${name}（勘误）`, '--reason', '名称勘误', '--json', '--as', 'nhc-approver');
    expect(proposed.code, proposed.stderr).toBe(0);
    const erratumId = JSON.parse(proposed.stdout).erratum.erratumId as string;
    expect((await bps('standards', 'get', 'HEA-02', '--as', 'nhc-staff')).stdout).not.toContain('（勘误）');
    const self = await bps('standards', 'approve-erratum', 'HEA-02', '1', erratumId, '--as', 'nhc-approver');
    expect(self.code).not.toBe(0);
    expect(self.stderr).toContain('second person');
    expect((await apiAs(p, 'nhc-approver', 'POST', `/api/v1/standards/items/HEA-02/versions/1/corrections/${erratumId}/approve`)).status).toBe(403);
    const approved = await bps('standards', 'approve-erratum', 'HEA-02', '1', erratumId, '--as', 'final-approver');
    expect(approved.code, approved.stderr).toBe(0);
    expect(approved.stdout).toContain('proposed by nhc.approver.zhao, approved by sco.final.zhou');

    expect((await bps('standards', 'get', 'HEA-02', '--as', 'nhc-staff')).stdout).toContain(`${name}（勘误）`);
    const errata = await bps('standards', 'errata', 'HEA-02', '--as', 'auditor');
    expect(errata.code, errata.stderr).toBe(0);
    expect(errata.stdout).toMatch(/approved\s+name/);
    expect((await bps('standards', 'history', 'HEA-02', '--as', 'auditor')).stdout).toContain('approved by sco.final.zhou');
    const item = (await apiAs(p, 'auditor', 'GET', '/api/v1/standards/items/HEA-02')).json.national;
    expect(item).toMatchObject({
      version: 1,
      correctionOf: 'HEA-02:v1:r0',
      errata: [
        {
          erratumId,
          status: 'approved',
          proposedBy: { subject: 'nhc.approver.zhao' },
          approvedBy: { subject: 'sco.final.zhou' },
          changes: [{ field: 'name', before: name, after: `${name}（勘误）` }],
        },
      ],
    });
    const listed = await apiAs(p, 'auditor', 'GET', '/api/v1/standards/items/HEA-02/errata');
    expect(listed.json.errata.map((e: { erratumId: string; status: string }) => [e.erratumId, e.status])).toEqual([[erratumId, 'approved']]);
  });

  it('token mint prints a token the services accept; refused in production', async () => {
    const minted = await bps('token', 'mint', 'ndrc-approver');
    expect(minted.code, minted.stderr).toBe(0);
    const identity = await p.tokens.verify(minted.stdout.trim());
    expect(identity).toMatchObject({ subject: 'ndrc.approver.chen', organisation: 'NDRC', roles: ['approver'] });
    const prod = await runBps(['token', 'mint', 'operator'], { BPS_ENV: 'production', BPS_JWT_SIGNING_JWK: '' });
    expect(prod.code).toBe(4);
    expect(prod.stderr).toContain('persona tokens exist only in development');
    const devKeyInProduction = await runBps(['token', 'mint', 'operator'], { BPS_ENV: 'production' });
    expect(devKeyInProduction.code).toBe(2);
    expect(devKeyInProduction.stderr).toContain('BPS_JWT_SIGNING_JWK: must not be set in production');
    expect((await bps('token', 'mint', 'nobody')).code).toBe(2);
  });
});
