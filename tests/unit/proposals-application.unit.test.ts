// The proposals application layer (services/proposals/application/) over in-memory ports: commands go through the
// one command handler, the domain's refusals come back as values (nothing is appended, nothing is retried) and become
// the platform errors the service always answered with only here, at the edge.
import { describe, expect, it } from 'vitest';
import { executeExisting, refusalError } from '../../services/proposals/application/commands';
import type { ProposalEventLog, ProposalRepository } from '../../services/proposals/application/ports';
import { Proposals } from '../../services/proposals/application/proposals';
import { computeFiscalEstimate } from '../../services/proposals/domain/fiscal';
import { decide, evolve, type Command, type ProposalEvent, type ProposalState } from '../../services/proposals/domain/proposal';
import { handleCommand } from '../../services/shared/domain/command-handler';
import { ConcurrencyError, FailedPreconditionError, NotFoundError, PermissionDeniedError, ValidationError } from '../../services/shared/errors/errors';
import type { Identity } from '../../services/shared/auth/identity';
import { createLogger } from '../../services/shared/log/logger';
import { healthProposal } from './proposals-fixtures';

const id = 'P-2026-NHC-0001';
const staff = { subject: 'nhc.staff.li', organisation: 'NHC', roles: ['ministry-staff'] };
const li: Identity = { ...staff, name: 'Li', roles: ['ministry-staff'] };
const at = new Date('2026-12-01T02:00:00Z');

/** One proposal's log in memory; after `loseNext(n)` the next n appends lose to another writer (who appends nothing). */
function memoryLog() {
  let state: ProposalState | undefined;
  let conflicts = 0;
  const log: ProposalEventLog & { appends: number; state: () => ProposalState | undefined; loseNext: (n: number) => void } = {
    appends: 0,
    state: () => state,
    loseNext: (n) => {
      conflicts = n;
    },
    async load() {
      return { state, revision: state?.sequence ?? 0 };
    },
    async append(_id, expected, events, next) {
      log.appends++;
      if (conflicts-- > 0) throw new ConcurrencyError('another writer appended first', expected);
      if (expected !== (state?.sequence ?? 0)) throw new ConcurrencyError('stale', state?.sequence ?? 0);
      state = next;
      return expected + events.length;
    },
  };
  return log;
}

function seed(log: ReturnType<typeof memoryLog>, ...commands: Command[]): Promise<unknown> {
  return commands.reduce<Promise<unknown>>((previous, command) => previous.then(() => handleCommand(log, decider, id, command)), Promise.resolve());
}
const decider = {
  initialState: undefined as ProposalState | undefined,
  decide,
  evolve: (state: ProposalState | undefined, event: ProposalEvent) => evolve(state, { sequence: (state?.sequence ?? 0) + 1, at, event }),
};

const draft = { content: healthProposal({ level: '89' }), itemCodes: ['HEA-01'], fieldCodes: ['F17-HEA'] };
const create: Command = { kind: 'create', proposalId: id, leadMinistry: 'NHC', coProposers: [], draft, actor: staff };
const submit: Command = {
  kind: 'submit',
  revision: 1,
  fiscalEstimate: computeFiscalEstimate(draft.content, new Map()),
  conflictsWith: [],
  workflowId: id,
  actor: staff,
};
const approve: Command = {
  kind: 'recordDecision',
  decision: 'APPROVED',
  revision: 1,
  round: 1,
  workflowId: id,
  comment: '同意',
  decidedAt: undefined,
  sourceEventId: 'e1',
  actor: staff,
};

function proposalsOver(log: ReturnType<typeof memoryLog>): Proposals {
  const store = {
    load: async () => log.state(),
    openTouching: async () => [],
  } as Partial<ProposalRepository> as ProposalRepository;
  const never = (): never => {
    throw new Error('not expected in this test');
  };
  return new Proposals({
    store,
    log,
    registry: { view: never, packages: never },
    workflows: { start: never, assertCycleAccepts: never, resubmitted: never, withdraw: never },
    logger: createLogger('proposals-application-test', 'silent'),
    idNamespace: '',
    now: () => at,
  });
}

describe('proposals application: refusals are values until the edge', () => {
  it('a refused command is returned by the handler, not thrown: nothing appended, no retry', async () => {
    const log = memoryLog();
    await seed(log, create, submit, approve);
    const appends = log.appends;
    // If decide threw its refusal, handleCommand would reject here instead of answering.
    const handled = await handleCommand(log, decider, id, { kind: 'withdraw', reason: '并入统一修订', actor: staff });
    expect(handled).toMatchObject({ ok: false, refusal: { code: 'FAILED_PRECONDITION', reason: 'PROPOSAL_CLOSED' } });
    expect(log.appends).toBe(appends);
  });

  it('turns the refusal into the same error as before: FAILED_PRECONDITION, reason, message and violations', async () => {
    const log = memoryLog();
    await seed(log, create, submit, approve);
    const error = await proposalsOver(log)
      .withdraw(li, id, '并入统一修订')
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(FailedPreconditionError);
    expect(error).toMatchObject({
      code: 'PROPOSAL_CLOSED',
      message: `proposal ${id} is APPROVED and can no longer be withdrawn`,
      violations: [{ type: 'PROPOSAL_STATE', subject: id, description: 'state is APPROVED' }],
    });
  });

  it('keeps permission and validation refusals as they were (message without prefix, field violations)', () => {
    const denied = refusalError({ code: 'PERMISSION_DENIED', reason: 'NOT_LEAD_UNIT', message: `only staff of NHC may edit proposal ${id}` }, id);
    expect(denied).toBeInstanceOf(PermissionDeniedError);
    expect(denied).toMatchObject({ reason: 'NOT_LEAD_UNIT', message: `only staff of NHC may edit proposal ${id}` });
    const invalid = refusalError(
      {
        code: 'INVALID_ARGUMENT',
        reason: 'VALIDATION_FAILED',
        message: 'x',
        violations: [{ field: 'reason', description: 'is required when rejecting a comment' }],
      },
      id,
    );
    expect(invalid).toEqual(new ValidationError([{ field: 'reason', description: 'is required when rejecting a comment' }]));
    expect(invalid.message).toBe('invalid request: reason: is required when rejecting a comment');
  });

  it('decides again after a concurrent append', async () => {
    const log = memoryLog();
    await seed(log, create);
    log.loseNext(2);
    const appends = log.appends;
    const state = await executeExisting(log, at, id, () => ({ kind: 'withdraw', reason: '撤回', actor: staff }));
    expect(state.status).toBe('WITHDRAWN');
    expect(log.appends - appends).toBe(3);
    // Eight lost appends in a row: the call fails ABORTED.
    const other = memoryLog();
    await seed(other, create);
    other.loseNext(8);
    await expect(executeExisting(other, at, id, () => ({ kind: 'withdraw', reason: '撤回', actor: staff }))).rejects.toBeInstanceOf(ConcurrencyError);
  });

  it('answers NOT_FOUND for an unknown comment and PERMISSION_DENIED for a non-lead, before deciding', async () => {
    const log = memoryLog();
    await seed(log, create, { kind: 'openConsultation', opensOn: '2026-12-01', closesOn: '2026-12-31', summary: '摘要', today: '2026-12-01', actor: staff });
    const proposals = proposalsOver(log);
    await expect(proposals.moderateComment(li, id, 'C-9', true, '')).rejects.toBeInstanceOf(NotFoundError);
    const moe: Identity = { subject: 'moe.staff.wang', name: 'Wang', organisation: 'MOE', roles: ['ministry-staff'] };
    await expect(proposals.moderateComment(moe, id, 'C-9', true, '')).rejects.toMatchObject({
      reason: 'NOT_LEAD_UNIT',
      message: `only staff of NHC may moderate comments on proposal ${id}`,
    });
  });
});
