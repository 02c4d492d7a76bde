// Errata of a published item version (issue #14): wording only — a floor, metric, payment category or a number in
// the wording is refused with field violations ("a level changes only by proposal"); proposed by one person, in
// effect only when a second, different person with the right role approves it; both people are stored, the
// registry emits bps.standard.erratum.* through its outbox, and the audit service files the approval in both
// people's logs. Real Kafka and Mongo: the registry and the audit service in-process on one topic namespace.
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceItem } from '../../proto/gen/bps/common/v1/common';
import { type RunningAudit } from '../../services/audit/app';
import { eventData } from '../../services/audit/domain/entry';
import { standardEvents } from '../../services/shared/events/standards';
import { unary } from '../../services/shared/grpc/client';
import type { PersonaName } from '../../services/shared/auth/personas';
import { refusal } from '../support/grpc';
import { startTestRegistry, type TestRegistry } from './registry-helpers';

let r: TestRegistry<'audit'>;
let audit: RunningAudit;
beforeAll(async () => {
  r = await startTestRegistry('errata', {}, { with: ['audit'] });
  audit = r.platform.audit;
}, 120_000);
afterAll(async () => {
  await r?.stop();
});

const propose = async (item: ServiceItem, who: PersonaName, reason = '名称用字勘误') =>
  unary(r.client.correctItemVersion.bind(r.client), { itemCode: 'HEA-01', version: 1, item, reason }, await r.token(who));
const approve = async (erratumId: string, who: PersonaName) =>
  unary(r.client.approveErratum.bind(r.client), { itemCode: 'HEA-01', version: 1, erratumId }, await r.token(who));
const current = async () =>
  (await unary(r.client.getItem.bind(r.client), { itemCode: 'HEA-01', asOf: undefined, provinceCode: '' }, await r.token('auditor'))).national!;
const audited = async (log: string) => (await audit.store.entriesOf(log)).map((e) => ({ type: e.event.type, data: eventData(e.event) as any }));

describe('errata of a published item version', () => {
  it('refuses anything but wording, with field violations; nothing changes and the refusal is on record', async () => {
    const itemOf = async (itemCode: string) =>
      (await unary(r.client.getItem.bind(r.client), { itemCode, asOf: undefined, provinceCode: '' }, await r.token('auditor'))).national!;
    const correct = async (itemCode: string, item: ServiceItem, who: PersonaName) =>
      unary(r.client.correctItemVersion.bind(r.client), { itemCode, version: 1, item, reason: '更正' }, await r.token(who));

    // The case: ministry staff adds a floor of 500 to EDU-05 under the same version number. Refused.
    const edu = (await itemOf('EDU-05')).item!;
    const withFloor: ServiceItem = {
      ...edu,
      qualityStandard: {
        stated: true,
        text: edu.qualityStandard?.text ?? '',
        metrics: [{ metric: 'grant_per_student', label: '资助标准', comparator: 2, value: '500', unit: 'CNY', basis: 'per_student_per_year' }],
      },
    };
    const floorAdded = await refusal(correct('EDU-05', withFloor, 'moe-staff'));
    expect(floorAdded.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(floorAdded.fieldViolations).toContainEqual(
      expect.objectContaining({
        field: 'item.quality_standard.metrics',
        reason: 'NOT_WORDING',
        description: expect.stringContaining('a level changes only by proposal'),
      }),
    );
    // A floor lowered (INS-05: 380 → 1 yuan) by an operator: refused, naming the metric's value.
    const ins = (await itemOf('INS-05')).item!;
    expect(ins.qualityStandard?.metrics[0]?.value).toBe('380');
    const lowered = { ...ins, qualityStandard: { ...ins.qualityStandard!, metrics: [{ ...ins.qualityStandard!.metrics[0]!, value: '1' }] } };
    expect((await refusal(correct('INS-05', lowered, 'operator'))).fieldViolations).toEqual([
      expect.objectContaining({
        field: 'item.quality_standard.metrics[0].value',
        reason: 'NOT_WORDING',
        description: expect.stringContaining('a level changes only by proposal'),
      }),
    ]);
    // A payment category, the level's text, a number in the wording: each field named.
    const item = (await current()).item!;
    expect(item.leadUnit?.code).toBe('NHC');
    const many = { ...item, qualityStandard: { ...item.qualityStandard!, text: '每人每年1元' }, paymentCategory: 5, name: `${item.name}2` };
    expect((await refusal(propose(many, 'nhc-staff'))).fieldViolations.map((v) => [v.field, v.reason])).toEqual([
      ['item.name', 'NUMBER_CHANGED'],
      ['item.payment_category', 'NOT_WORDING'],
      ['item.quality_standard.text', 'NOT_WORDING'],
    ]);
    // Not the lead unit's: refused before anything else.
    expect(await refusal(propose({ ...item, name: `${item.name}（勘误）` }, 'moe-staff'))).toMatchObject({
      code: grpc.status.PERMISSION_DENIED,
      reason: 'NOT_LEAD_UNIT',
    });

    expect(await itemOf('EDU-05')).toMatchObject({ version: 1, correctionOf: '', errata: [], item: { qualityStandard: { metrics: [] } } });
    expect((await itemOf('INS-05')).item?.qualityStandard?.metrics[0]?.value).toBe('380');
    expect((await unary(r.client.listErrata.bind(r.client), { itemCode: 'HEA-01' }, await r.token('auditor'))).errata).toEqual([]);
    // Each item's events are in order (one partition per key); across items they arrive as the partitions are read.
    const byItem = () =>
      r
        .eventsOf(standardEvents.erratumRefused)
        .map((e) => [e.itemCode, e.action, e.reason, e.actor?.subject])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    await expect.poll(byItem, { timeout: 20_000 }).toEqual([
      ['EDU-05', 'propose', 'NOT_WORDING', 'moe.staff.wang'],
      ['HEA-01', 'propose', 'NUMBER_CHANGED', 'nhc.staff.li'],
      ['HEA-01', 'propose', 'NOT_LEAD_UNIT', 'moe.staff.wang'],
      ['INS-05', 'propose', 'NOT_WORDING', 'ops.platform'],
    ]);
    expect(r.eventsOf(standardEvents.erratumRefused).find((e) => e.itemCode === 'INS-05')!.fields).toEqual(['item.quality_standard.metrics[0].value']);
  });

  it('takes effect only when a second person with the right role approves it; both are stored, emitted and audited', async () => {
    const v1 = await current();
    const name = `${v1.item!.name}（勘误）`;
    const { erratum, corrected } = await propose({ ...v1.item!, name }, 'nhc-approver');
    expect(corrected).toBeUndefined();
    expect(erratum).toMatchObject({
      itemCode: 'HEA-01',
      version: 1,
      status: 'proposed',
      changes: [{ field: 'name', before: v1.item!.name, after: name }],
      proposedBy: { subject: 'nhc.approver.zhao' },
      baseRecordId: 'HEA-01:v1:r0',
    });
    expect((await current()).item?.name).toBe(v1.item!.name); // nothing changes yet

    // The proposer may not approve their own erratum; staff and operators may not approve at all.
    expect(await refusal(approve(erratum!.erratumId, 'nhc-approver'))).toMatchObject({ code: grpc.status.PERMISSION_DENIED, reason: 'SELF_APPROVAL' });
    expect(await refusal(approve(erratum!.erratumId, 'nhc-staff'))).toMatchObject({ code: grpc.status.PERMISSION_DENIED, reason: 'NOT_ERRATUM_APPROVER' });
    expect(await refusal(approve(erratum!.erratumId, 'operator'))).toMatchObject({ code: grpc.status.PERMISSION_DENIED, reason: 'NOT_ERRATUM_APPROVER' });
    expect((await current()).item?.name).toBe(v1.item!.name);

    // A second person, the final approver: in effect under the same version number, with both people on the version.
    const approved = await approve(erratum!.erratumId, 'final-approver');
    const both = {
      status: 'approved',
      proposedBy: expect.objectContaining({ subject: 'nhc.approver.zhao' }),
      approvedBy: expect.objectContaining({ subject: 'sco.final.zhou' }),
      changes: [{ field: 'name', before: v1.item!.name, after: name }],
      reason: '名称用字勘误',
      recordId: 'HEA-01:v1:r1',
    };
    expect(approved.erratum).toMatchObject(both);
    const now = await current();
    expect(now).toMatchObject({ version: 1, correctionOf: 'HEA-01:v1:r0', correctionReason: '名称用字勘误', item: { name }, errata: [both] });
    expect(now.errata[0]!.approvedAt!.getTime()).toBeGreaterThanOrEqual(now.errata[0]!.proposedAt!.getTime());
    expect(await refusal(approve(erratum!.erratumId, 'final-approver'))).toMatchObject({
      code: grpc.status.FAILED_PRECONDITION,
      preconditionViolations: [expect.objectContaining({ type: 'ALREADY_APPROVED' })],
    });
    expect((await unary(r.client.listErrata.bind(r.client), { itemCode: 'HEA-01' }, await r.token('auditor'))).errata).toEqual([
      expect.objectContaining({ erratumId: erratum!.erratumId, ...both }),
    ]);

    // On the topic (through the registry's outbox): proposed, then approved naming both people.
    await expect
      .poll(() => r.eventsOf(standardEvents.erratumApproved).map((e) => [e.erratum?.erratumId, e.actor?.subject, e.proposedBy?.subject, e.fieldCode]), {
        timeout: 20_000,
      })
      .toEqual([[erratum!.erratumId, 'sco.final.zhou', 'nhc.approver.zhao', v1.item!.fieldCode]]);
    expect(r.eventsOf(standardEvents.erratumProposed).map((e) => [e.erratum?.erratumId, e.actor?.subject])).toEqual([
      [erratum!.erratumId, 'nhc.approver.zhao'],
    ]);
    await expect
      .poll(
        () =>
          r
            .eventsOf(standardEvents.erratumRefused)
            .filter((e) => e.action === 'approve')
            .map((e) => [e.reason, e.actor?.subject]),
        { timeout: 20_000 },
      )
      .toEqual([
        ['SELF_APPROVAL', 'nhc.approver.zhao'],
        ['NOT_ERRATUM_APPROVER', 'nhc.staff.li'],
        ['NOT_ERRATUM_APPROVER', 'ops.platform'],
        ['ALREADY_APPROVED', 'sco.final.zhou'],
      ]);

    // Audited with both people: the approval is in the approver's log, the proposer's log and the item's log.
    const approvedIn = async (log: string) =>
      (await audited(log))
        .filter((e) => e.type === 'bps.standard.erratum.approved')
        .map((e) => [e.data.erratum.erratumId, e.data.actor.subject, e.data.proposedBy.subject]);
    const expected = [[erratum!.erratumId, 'sco.final.zhou', 'nhc.approver.zhao']];
    await expect.poll(() => approvedIn('actor:sco.final.zhou'), { timeout: 30_000 }).toEqual(expected);
    expect(await approvedIn('actor:nhc.approver.zhao')).toEqual(expected);
    expect(await approvedIn('item:HEA-01')).toEqual(expected);
    expect((await audited('actor:nhc.approver.zhao')).filter((e) => e.type === 'bps.standard.erratum.refused').map((e) => e.data.reason)).toEqual([
      'SELF_APPROVAL',
    ]);
  });
});
