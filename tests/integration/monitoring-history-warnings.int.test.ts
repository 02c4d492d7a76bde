// Issue #17, national monitoring over time and its early warnings, on the real stack: the registry (with a clock the
// test moves), notifications and the gateway. A national raise puts two provinces below the floor — the history of two
// dates differs accordingly, and each province gets one bps.standard.compliance.warning; when the re-filing deadline
// passes (the clock moved, the monitor's tick called) each gets one more (REFILING_OVERDUE); passes repeated and a
// state that recurs emit nothing again. A webhook subscriber of Beijing's receives Beijing's warnings only, signed.
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceItem } from '../../proto/gen/bps/common/v1/common';
import { StandardRegistryClient, type FileLocalStandardRequest } from '../../proto/gen/bps/registry/v1/registry';
import { ReleaseKind } from '../../proto/gen/bps/standards/v1/changes';
import { toDateMessage } from '../../services/registry/domain/dates';
import { unary } from '../../services/shared/grpc/client';
import { addDays, todayInChina } from '../../services/shared/standards/china-date';
import { refused } from '../support/grpc';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhooks';
import { apiAs, type TestPlatform } from './gateway-platform';
import { startTestRegistry, standardEvents, type TestRegistry } from './registry-helpers';

const METRIC = 'government_subsidy_per_capita';
const WARNING = 'bps.standard.compliance.warning';
const REFILE_DAYS = 30;

describe('national monitoring: history and early warnings (issue #17)', { timeout: 240_000 }, () => {
  let r: TestRegistry<'notifications' | 'gateway'>;
  let p: TestPlatform;
  let client: StandardRegistryClient;
  let receiver: WebhookReceiver;
  let offsetMs = 0;
  const clock = (): Date => new Date(Date.now() + offsetMs);
  const today = todayInChina(new Date());
  const filing = (provinceCode: string, value: string, effectiveFrom = '2018-01-01'): FileLocalStandardRequest => ({
    provinceCode,
    itemCode: 'INS-05',
    effectiveFrom: toDateMessage(effectiveFrom),
    metrics: [{ metric: METRIC, value, unit: 'CNY', basis: 'per_person_per_year' }],
    localFunding: value !== '380' ? { currency: 'CNY', fen: '400000000' } : undefined,
    localFundingSource: value !== '380' ? '省级财政' : '',
    note: '',
  });
  const file = async (persona: 'beijing-officer' | 'guangdong-officer' | 'operator', req: FileLocalStandardRequest) =>
    unary(client.fileLocalStandard.bind(client), req, await r.token(persona));
  const warnings = () => r.events.filter((e) => e.type === WARNING);
  const warningsOf = () => r.eventsOf(standardEvents.complianceWarning);
  const history = async (query: string) => {
    const res = await fetch(`${p.gateway.url}/api/v1/standards/monitoring/history?${query}`);
    expect(res.status).toBe(200);
    return (await res.json()) as {
      points: { date: string; totals: Record<string, number>; byProvince: { provinceCode: string; counts: Record<string, number> }[] }[];
    };
  };

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    r = await startTestRegistry('mon-warn', { now: clock, refileDays: REFILE_DAYS }, { with: ['notifications', 'gateway'] });
    p = r.platform as unknown as TestPlatform;
    client = new StandardRegistryClient(p.address('registry'), grpc.credentials.createInsecure());
    // Beijing's officer subscribes to early warnings: its subscriptions are scoped to its province.
    const sub = await apiAs(p, 'beijing-officer', 'POST', '/api/v1/subscriptions', {
      endpointUrl: receiver.url,
      description: '北京预警',
      filter: { eventTypes: [WARNING] },
    });
    expect(sub.status).toBe(201);
    expect(sub.json.subscription.filter.provinceCodes).toEqual(['110000']);
    receiver.secrets.push(sub.json.secret);
    await file('beijing-officer', filing('110000', '380'));
    await file('guangdong-officer', filing('440000', '420'));
  });
  afterAll(async () => {
    client?.close();
    await r?.stop();
    await receiver?.stop();
  });

  it('puts a national raise into the history: below the floor from its date on, not before', async () => {
    // A quiet state (at or above the floor) warns nothing.
    expect(await r.running.registry.monitor()).toBe(0);
    const ins = (await unary(client.getItem.bind(client), { itemCode: 'INS-05', asOf: undefined, provinceCode: '' }, await r.token('operator'))).national!
      .item!;
    const raised: ServiceItem = {
      ...ins,
      qualityStandard: { ...ins.qualityStandard!, metrics: ins.qualityStandard!.metrics.map((m) => ({ ...m, value: '450' })) },
    };
    await r.approve({
      changeSetId: 'cs-monitor-raise',
      kind: ReleaseKind.RELEASE_KIND_AMENDMENT,
      title: '提高补助标准',
      effectiveFrom: toDateMessage(today),
      fieldCodes: ['F17-INS'],
      changes: [
        {
          changeId: 'c1',
          change: {
            $case: 'modifyItem',
            modifyItem: { base: { itemCode: 'INS-05', version: 1 }, item: raised, lowersFloor: false, loweringJustification: '' },
          },
        },
      ],
    });
    await r.platform.collector!.waitFor((e) => e.type === standardEvents.floorBreached.type, 'the floor breach');

    const h = await history(`from=${addDays(today, -1)}&to=${today}`);
    const [before, after] = [h.points[0]!, h.points.at(-1)!];
    expect(before.date).toBe(addDays(today, -1));
    expect(after.date).toBe(today);
    expect(before.totals).toMatchObject({ BELOW_FLOOR: 0, REFILING_OVERDUE: 0, AT_FLOOR: 1, ABOVE_FLOOR: 1 });
    expect(after.totals).toMatchObject({ BELOW_FLOOR: 2, REFILING_OVERDUE: 0, AT_FLOOR: 0, ABOVE_FLOOR: 0 });
    const beijing = (pt: (typeof h.points)[number]) => pt.byProvince.find((x) => x.provinceCode === '110000')!.counts;
    expect(beijing(before).AT_FLOOR).toBe(1);
    expect(beijing(after).BELOW_FLOOR).toBe(1);
    // The same through the registry, and its validation.
    const operator = await r.token('operator');
    const direct = await unary(
      client.getComplianceHistory.bind(client),
      { from: toDateMessage('2018-01-01'), to: toDateMessage(today), interval: 'year', marginPercent: undefined, fieldCode: '', knownAt: undefined },
      operator,
    );
    expect(direct.points[0]!.totals).toMatchObject({ belowFloor: 0, atFloor: 1, aboveFloor: 1 });
    expect(direct.points.at(-1)!.totals).toMatchObject({ belowFloor: 2 });
    const bad = await refused(
      unary(
        client.getComplianceHistory.bind(client),
        { from: undefined, to: undefined, interval: 'week', marginPercent: -1, fieldCode: '', knownAt: undefined },
        operator,
      ),
    );
    expect(bad.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect((await fetch(`${p.gateway.url}/api/v1/standards/monitoring/history?from=2020-13-01`)).status).toBe(400);
    const csv = await (await fetch(`${p.gateway.url}/api/v1/standards/monitoring/history.csv?from=${addDays(today, -1)}&to=${today}`)).text();
    expect(csv).toContain(`${today},province,110000,`);
  });

  it('warns once per province when the raise puts it below the floor, and again only when its re-filing is overdue', async () => {
    // The release asked for a pass; the tick called here joins or follows it.
    await r.running.registry.monitor();
    await r.platform.collector!.waitFor((e) => e.type === WARNING && e.key === '440000:INS-05', "Guangdong's warning");
    await r.platform.collector!.waitFor((e) => e.type === WARNING && e.key === '110000:INS-05', "Beijing's warning");
    expect(
      warningsOf()
        .map((w) => [w.provinceCode, w.state, w.previousState, w.nationalVersion])
        .sort(),
    ).toEqual([
      ['110000', 'BELOW_FLOOR', 'AT_FLOOR', 2],
      ['440000', 'BELOW_FLOOR', 'ABOVE_FLOOR', 2],
    ]);
    expect(warningsOf()[0]!.refileDeadline).toEqual(toDateMessage(addDays(today, REFILE_DAYS)));
    // Repeated passes on the same day find nothing new.
    expect(await r.running.registry.monitor()).toBe(0);

    // The deadline's own day is still in time; the day after it the re-filing is overdue.
    offsetMs = REFILE_DAYS * 86_400_000;
    expect(await r.running.registry.monitor()).toBe(0);
    offsetMs = (REFILE_DAYS + 1) * 86_400_000;
    expect(await r.running.registry.monitor()).toBe(2);
    expect(await r.running.registry.monitor()).toBe(0);
    await r.platform.collector!.waitFor((e) => e.type === WARNING && e.id.includes(':REFILING_OVERDUE:') && e.key === '110000:INS-05', "Beijing's overdue");
    await r.platform.collector!.waitFor((e) => e.type === WARNING && e.id.includes(':REFILING_OVERDUE:') && e.key === '440000:INS-05', "Guangdong's overdue");
    const h = await history(`from=${today}&to=${addDays(today, REFILE_DAYS + 1)}`);
    expect(h.points.at(-1)!.totals).toMatchObject({ BELOW_FLOOR: 0, REFILING_OVERDUE: 2 });
    // The province's compliance report says by when it had to re-file, and that it is late.
    const report = await unary(client.getComplianceReport.bind(client), { provinceCode: '110000', asOf: undefined }, await r.token('beijing-officer'));
    expect(report.lines.find((l) => l.itemCode === 'INS-05')).toMatchObject({
      breach: true,
      refilingOverdue: true,
      refileDeadline: toDateMessage(addDays(today, REFILE_DAYS)),
    });
    const page = await (await fetch(`${p.gateway.url}/standards/compliance?province=110000&date=${addDays(today, REFILE_DAYS + 1)}`)).text();
    expect(page).toContain(`<span class="muted" data-testid="refile-deadline">重新备案已逾期（期限 ${addDays(today, REFILE_DAYS)}）</span>`);

    // Beijing's subscriber gets Beijing's two warnings, signed, and none of Guangdong's.
    await receiver.waitFor((w) => w.event.id === 'warning:110000:INS-05:REFILING_OVERDUE:v2:110000:INS-05:1', 'the overdue warning');
    const got = receiver.received.filter((w) => w.type === WARNING);
    expect(got.map((w) => w.event.id).sort()).toEqual([
      'warning:110000:INS-05:BELOW_FLOOR:v2:110000:INS-05:1',
      'warning:110000:INS-05:REFILING_OVERDUE:v2:110000:INS-05:1',
    ]);
    expect(got.every((w) => w.verifiedWith.includes(0))).toBe(true);
    expect(got.find((w) => w.event.id.includes('OVERDUE'))!.event.data).toMatchObject({
      provinceCode: '110000',
      state: 'REFILING_OVERDUE',
      previousState: 'BELOW_FLOOR',
    });
  });

  it('emits nothing twice: a blindly high province that stays so, and passes repeated, add no warning', async () => {
    // Zhejiang files far above the floor (1000 vs 450: more than the 50 % margin): one warning.
    const zhejiang = { subject: 'zj.officer.mon', name: '浙江省（监测）', organisation: '330000', roles: ['province-officer'] } as const;
    const fileAs = async (value: string, from: string) => unary(client.fileLocalStandard.bind(client), filing('330000', value, from), await r.token(zhejiang));
    await fileAs('1000', today);
    await r.running.registry.monitor();
    await r.platform.collector!.waitFor((e) => e.type === WARNING && e.key === '330000:INS-05', "Zhejiang's warning");
    // It re-files, still blindly high: the state recurs, nothing is announced again.
    await fileAs('1100', addDays(today, REFILE_DAYS + 1));
    expect(await r.running.registry.monitor()).toBe(0);
    expect(await r.running.registry.monitor()).toBe(0);
    // A barrier: Beijing re-files at the floor and Tianjin files blindly high — its warning is the last event awaited.
    await file('beijing-officer', filing('110000', '450', addDays(today, REFILE_DAYS + 1)));
    const tianjin = { subject: 'tj.officer.mon', name: '天津市（监测）', organisation: '120000', roles: ['province-officer'] } as const;
    await unary(client.fileLocalStandard.bind(client), filing('120000', '999', today), await r.token(tianjin));
    await r.running.registry.monitor();
    await r.platform.collector!.waitFor((e) => e.type === WARNING && e.key === '120000:INS-05', "Tianjin's warning");

    const ids = warnings().map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(
      warningsOf()
        .map((w) => `${w.provinceCode}:${w.state}`)
        .sort(),
    ).toEqual(['110000:BELOW_FLOOR', '110000:REFILING_OVERDUE', '120000:BLINDLY_HIGH', '330000:BLINDLY_HIGH', '440000:BELOW_FLOOR', '440000:REFILING_OVERDUE']);
    expect(await r.running.store.warnings.countDocuments({})).toBe(6);
    // Beijing's subscriber still has exactly its two (no other province's).
    expect(receiver.received.filter((w) => w.type === WARNING).map((w) => w.event.data.provinceCode)).toEqual(['110000', '110000']);
  });
});
