// Two registry instances on one database (issue #19, "two of everything"), both running their schedulers, and both
// asked at once to do the same timed work: the compliance warnings of a national raise are announced once per
// province, and a release's version.effective once, however many passes of either instance run side by side.
// (Their events are stored under ids derived from what they announce — the warning's transition, the release — so
// a second instance's copy is refused by the database; the outbox relays share the rest: outbox-instances.int.)
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceItem } from '../../proto/gen/bps/common/v1/common';
import { StandardRegistryClient, type FileLocalStandardRequest } from '../../proto/gen/bps/registry/v1/registry';
import { ReleaseKind } from '../../proto/gen/bps/standards/v1/changes';
import { startRegistry, type RunningRegistry } from '../../services/registry/app';
import { toDateMessage } from '../../services/registry/domain/dates';
import { unary } from '../../services/shared/grpc/client';
import { addDays, todayInChina } from '../../services/shared/standards/china-date';
import { startTestRegistry, standardEvents, type TestRegistry } from './registry-helpers';

const METRIC = 'government_subsidy_per_capita';

describe('registry: two instances share the timed work and announce each thing once', { timeout: 240_000 }, () => {
  let r: TestRegistry;
  let other: RunningRegistry;
  let client: StandardRegistryClient;
  let offsetMs = 0;
  const clock = (): Date => new Date(Date.now() + offsetMs);
  const today = todayInChina(new Date());
  const filing = (provinceCode: string, value: string): FileLocalStandardRequest => ({
    provinceCode,
    itemCode: 'INS-05',
    effectiveFrom: toDateMessage('2018-01-01'),
    metrics: [{ metric: METRIC, value, unit: 'CNY', basis: 'per_person_per_year' }],
    localFunding: value !== '380' ? { currency: 'CNY', fen: '400000000' } : undefined,
    localFundingSource: value !== '380' ? '省级财政' : '',
    note: '',
  });
  const raise = async (changeSetId: string, base: number, value: string, effectiveFrom: string) => {
    const ins = (await unary(client.getItem.bind(client), { itemCode: 'INS-05', asOf: undefined, provinceCode: '' }, await r.token('operator'))).national!
      .item!;
    const raised: ServiceItem = {
      ...ins,
      qualityStandard: { ...ins.qualityStandard!, metrics: ins.qualityStandard!.metrics.map((m) => ({ ...m, value })) },
    };
    await r.approve({
      changeSetId,
      kind: ReleaseKind.RELEASE_KIND_AMENDMENT,
      title: '提高补助标准',
      effectiveFrom: toDateMessage(effectiveFrom),
      fieldCodes: ['F17-INS'],
      changes: [
        {
          changeId: 'c1',
          change: {
            $case: 'modifyItem',
            modifyItem: { base: { itemCode: 'INS-05', version: base }, item: raised, lowersFloor: false, loweringJustification: '' },
          },
        },
      ],
    });
  };

  beforeAll(async () => {
    r = await startTestRegistry('reg-inst', { now: clock });
    // The second instance: same database, topics and clock, its own schedulers (polling every 200 ms) and relay.
    other = await startRegistry({ ...r.platform.deps('registry'), grpcPort: 0 });
    client = new StandardRegistryClient(r.platform.address('registry'), grpc.credentials.createInsecure());
    await unary(client.fileLocalStandard.bind(client), filing('110000', '380'), await r.token('beijing-officer'));
    await unary(client.fileLocalStandard.bind(client), filing('440000', '420'), await r.token('guangdong-officer'));
  });
  afterAll(async () => {
    client?.close();
    await other?.stop();
    await r?.stop();
  });

  const both = () => [r.running.registry, other.registry];

  it('announces each compliance warning once when both instances monitor at once', async () => {
    await raise('cs-inst-raise', 1, '450', today);
    await r.platform.collector!.waitFor((e) => e.type === standardEvents.floorBreached.type, 'the floor breach');
    // A pass of each instance side by side, three rounds (an instance's own passes run one at a time).
    const written: number[] = [];
    for (let round = 0; round < 3; round++) written.push(...(await Promise.all(both().map((registry) => registry.monitor()))));
    // At most the two warnings were written by these passes (the release's own pass may have written them first).
    expect(written.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(2);
    expect(await r.running.store.warnings.countDocuments({})).toBe(2);
    for (const key of ['110000:INS-05', '440000:INS-05']) {
      await r.platform.collector!.waitFor((e) => e.type === standardEvents.complianceWarning.type && e.key === key, `the warning ${key}`);
      await r.platform.settle('standards', key); // nothing more behind it
    }
    const warnings = r.events.filter((e) => e.type === standardEvents.complianceWarning.type);
    expect(warnings.map((e) => e.key).sort()).toEqual(['110000:INS-05', '440000:INS-05']);
  });

  it("fires a release's version.effective once when both instances' schedulers find it due", async () => {
    const effectiveFrom = addDays(today, 2);
    await raise('cs-inst-later', 2, '460', effectiveFrom);
    const releaseId = 'release-cs-inst-later';
    await r.platform.collector!.waitFor((e) => e.type === standardEvents.versionPublished.type && e.key === releaseId, 'the later release');
    expect(r.events.filter((e) => e.type === standardEvents.versionEffective.type && e.key === releaseId)).toEqual([]);
    // Its day arrives for both instances at once: their pollers run, and both are also asked directly, side by side.
    offsetMs = 2 * 86_400_000;
    await Promise.all(both().flatMap((registry, i) => [registry.fireDue(`test-${i}-a`), registry.fireDue(`test-${i}-b`)]));
    await r.platform.collector!.waitFor((e) => e.type === standardEvents.versionEffective.type && e.key === releaseId, 'version.effective');
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // the instances' own pollers (every 200 ms) run too
    await r.platform.settle('standards', releaseId);
    expect(r.events.filter((e) => e.type === standardEvents.versionEffective.type && e.key === releaseId)).toHaveLength(1);
  });
});
