// The strict wire reading every gRPC edge runs before decoding (issue #15): fields of the wrong wire type, values
// out of their type's range, invalid UTF-8 and unreadable bytes are refused by field; unknown fields pass.
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { OpenCycleRequest } from '../../proto/gen/bps/approvals/v1/cycles';
import { protoFiles, protoRoot } from '../../services/shared/grpc/server';
import { checkWire, requestTypes } from '../../services/shared/grpc/wire';

const typeOf = requestTypes(protoRoot, protoFiles());
const openCycle = typeOf('/bps.approvals.v1.RevisionCycles/OpenCycle')!;

const valid = OpenCycleRequest.encode({
  cycleId: 'C-2026',
  planPeriod: '2026-2030',
  title: '国家基本公共服务标准（2026年版）',
  effectiveFrom: { year: 2027, month: 7, day: 1 },
  fields: [{ fieldCode: 'F21-01', leadMinistry: 'NHC', proposalWindowSeconds: '3600' }],
  fiscalCeiling: { centralFen: '1', localFen: '2' },
  evaluationSeconds: '3600',
  proposalWindowSeconds: '-1',
  refilingSeconds: '0',
}).finish();

const writer = () => protobuf.Writer.create();
const violations = (bytes: Uint8Array) => {
  const r = checkWire(openCycle, bytes);
  return r.ok ? [] : r.violations.map((v) => `${v.field}:${v.reason}`);
};

describe('strict wire reading (issue #15)', () => {
  it('finds every method of every service in proto/', () => {
    expect(openCycle.name).toBe('OpenCycleRequest');
    expect(typeOf('/bps.registry.v1.Registry/NoSuchMethod')).toBeUndefined();
    expect(typeOf('not a path')).toBeUndefined();
  });

  it('accepts what the generated encoder writes, negative int64 included, and unknown fields', () => {
    expect(checkWire(openCycle, valid)).toEqual({ ok: true });
    const withUnknown = Buffer.concat([
      valid,
      writer()
        .uint32((99 << 3) | 0)
        .uint64(7)
        .uint32((100 << 3) | 2)
        .string('x')
        .finish(),
    ]);
    expect(checkWire(openCycle, withUnknown)).toEqual({ ok: true });
    expect(checkWire(openCycle, new Uint8Array())).toEqual({ ok: true });
  });

  it('refuses a known field sent with the wrong wire type, naming it (the generated decoder skips it silently)', () => {
    expect(
      violations(
        writer()
          .uint32((1 << 3) | 0)
          .uint32(123)
          .finish(),
      ),
    ).toEqual(['cycle_id:WRONG_WIRE_TYPE']);
    expect(
      violations(
        writer()
          .uint32((7 << 3) | 2)
          .string('3600')
          .finish(),
      ),
    ).toEqual(['evaluation_seconds:WRONG_WIRE_TYPE']);
    expect(
      violations(
        writer()
          .uint32((4 << 3) | 0)
          .uint32(20270701)
          .finish(),
      ),
    ).toEqual(['effective_from:WRONG_WIRE_TYPE']);
    const date = writer()
      .uint32((1 << 3) | 2)
      .string('2027')
      .finish();
    expect(
      violations(
        writer()
          .uint32((4 << 3) | 2)
          .bytes(date)
          .finish(),
      ),
    ).toEqual(['effective_from.year:WRONG_WIRE_TYPE']);
  });

  it('refuses int32 values the decoder would truncate, but takes negative int32s sign-extended', () => {
    const date = (year: protobuf.Long | number) =>
      writer()
        .uint32((4 << 3) | 2)
        .bytes(
          writer()
            .uint32((1 << 3) | 0)
            .int64(year)
            .finish(),
        )
        .finish();
    expect(violations(date(2 ** 40))).toEqual(['effective_from.year:OUT_OF_RANGE']);
    expect(violations(date(2 ** 31))).toEqual(['effective_from.year:OUT_OF_RANGE']);
    expect(violations(date(2 ** 31 - 1))).toEqual([]);
    expect(violations(date(-5))).toEqual([]);
  });

  it('refuses enum values the API does not define and booleans other than 0/1', () => {
    const signOff = typeOf('/bps.approvals.v1.ApprovalInbox/SignOff')!;
    const position = signOff.fields['position']!;
    expect(
      checkWire(
        signOff,
        writer()
          .uint32((position.id << 3) | 0)
          .uint32(999)
          .finish(),
      ),
    ).toMatchObject({ ok: false, violations: [{ field: 'position', reason: 'OUT_OF_RANGE' }] });
    expect(
      checkWire(
        signOff,
        writer()
          .uint32((position.id << 3) | 0)
          .uint32(1)
          .finish(),
      ),
    ).toEqual({ ok: true });
    const verify = typeOf('/bps.audit.v1.Audit/Verify')!;
    const full = verify.fields['full']!;
    expect(
      checkWire(
        verify,
        writer()
          .uint32((full.id << 3) | 0)
          .uint32(2)
          .finish(),
      ),
    ).toMatchObject({ ok: false, violations: [{ field: 'full', reason: 'OUT_OF_RANGE' }] });
    expect(
      checkWire(
        verify,
        writer()
          .uint32((full.id << 3) | 0)
          .uint32(1)
          .finish(),
      ),
    ).toEqual({ ok: true });
  });

  it('refuses strings that are not UTF-8 (the decoder would replace them silently)', () => {
    const bad = writer()
      .uint32((3 << 3) | 2)
      .bytes(Uint8Array.from([0xe5, 0x9b]))
      .finish();
    expect(violations(bad)).toEqual(['title:INVALID_UTF8']);
    const lone = writer()
      .uint32((3 << 3) | 2)
      .bytes(Uint8Array.from([0xed, 0xa0, 0x80]))
      .finish(); // an encoded lone surrogate
    expect(violations(lone)).toEqual(['title:INVALID_UTF8']);
  });

  it('calls bytes that cannot be read malformed: truncated, overlong varints, groups, field 0', () => {
    for (const bytes of [
      valid.subarray(0, valid.length - 3),
      Uint8Array.from([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]),
      Uint8Array.from([0x0b]),
      Uint8Array.from([0x00, 0x01]),
      Uint8Array.from([0x0f]),
      Uint8Array.from([0x0a, 0x05, 0x61]),
    ]) {
      const r = checkWire(openCycle, bytes);
      expect(r.ok, Buffer.from(bytes).toString('hex')).toBe(false);
      expect(r.ok ? undefined : r.malformed).toBeTruthy();
    }
  });

  it('skips deeply nested unknown content without recursing into it', () => {
    let nested: Uint8Array = writer().finish();
    for (let i = 0; i < 2_000; i++)
      nested = writer()
        .uint32((4 << 3) | 2)
        .bytes(nested)
        .finish();
    // Level 1 is effective_from (a Date); its field 4 is unknown, so the 1,999 levels below are skipped as bytes.
    expect(checkWire(openCycle, nested)).toEqual({ ok: true });
  });
});
