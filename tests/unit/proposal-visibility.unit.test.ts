// Object-level reads (issue #14): who may read a proposal that is not published — its content, approval steps and
// comments — decided by one pure rule (services/shared/auth/proposal-visibility.ts) for every persona.
import { describe, expect, it } from 'vitest';
import { personas, type PersonaName } from '../../services/shared/auth/personas';
import { mayReadProposal, proposalReadScope } from '../../services/shared/auth/proposal-visibility';

const nhcProposal = { leadMinistry: 'NHC', coProposers: ['NDRC', 'MOF'] };
const defaultRoute = [
  { role: 'approver', organisation: 'NHC' },
  { role: 'approver', organisation: 'NDRC' },
  { role: 'approver', organisation: 'MOF' },
  { role: 'final-approver', organisation: 'SCO' },
];

describe('proposal visibility', () => {
  const expected: Record<PersonaName, boolean> = {
    'nhc-staff': true,
    'nhc-approver': true,
    'ndrc-approver': true,
    'mof-approver': true,
    'final-approver': true,
    auditor: true,
    operator: true,
    'moe-staff': false,
    'beijing-officer': false,
    'guangdong-officer': false,
    'statistics-subscriber': false,
    'samr-officer': false,
    'beijing-programme-officer': false,
    'tianjin-programme-officer': false,
    'hebei-programme-officer': false,
    'tongzhou-officer': false,
    'wuqing-officer': false,
    'langfang-officer': false,
  };
  it.each(Object.entries(expected))('%s reads an NHC proposal: %s', (persona, readable) => {
    expect(mayReadProposal(personas[persona as PersonaName], nhcProposal)).toBe(readable);
    expect(mayReadProposal(personas[persona as PersonaName], { leadMinistry: 'NHC', coProposers: [], route: defaultRoute })).toBe(readable);
  });

  it("lets the route's parties read only when they hold the step's role in its organisation", () => {
    const route = [{ role: 'approver', organisation: 'MOHRSS' }];
    expect(mayReadProposal({ organisation: 'MOHRSS', roles: ['approver'] }, { leadMinistry: 'NHC', coProposers: [], route })).toBe(true);
    expect(mayReadProposal({ organisation: 'MOHRSS', roles: ['ministry-staff'] }, { leadMinistry: 'NHC', coProposers: [], route })).toBe(false);
    expect(mayReadProposal({ organisation: 'MOE', roles: ['approver'] }, { leadMinistry: 'NHC', coProposers: [], route })).toBe(false);
    // An organisation is not a party because a province or subscriber shares its code with nothing on the route.
    expect(mayReadProposal({ organisation: 'NHC', roles: ['subscriber-admin'] }, nhcProposal)).toBe(false);
    expect(mayReadProposal({ organisation: '', roles: ['ministry-staff'] }, { leadMinistry: '', coProposers: [] })).toBe(false);
  });

  it("gives listings a scope: everything, one organisation's, or nothing", () => {
    expect(proposalReadScope(personas.auditor)).toEqual({ kind: 'all' });
    expect(proposalReadScope(personas.operator)).toEqual({ kind: 'all' });
    expect(proposalReadScope(personas['final-approver'])).toEqual({ kind: 'all' });
    expect(proposalReadScope(personas['moe-staff'])).toEqual({ kind: 'organisation', organisation: 'MOE' });
    expect(proposalReadScope(personas['ndrc-approver'])).toEqual({ kind: 'organisation', organisation: 'NDRC' });
    expect(proposalReadScope(personas['beijing-officer'])).toEqual({ kind: 'none' });
    expect(proposalReadScope(personas['statistics-subscriber'])).toEqual({ kind: 'none' });
    expect(proposalReadScope({ organisation: 'X', roles: [] })).toEqual({ kind: 'none' });
  });
});
