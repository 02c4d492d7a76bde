// The default approval route (stored as version 1 of route "default" when none exists): countersign (会签) by the
// lead ministry, NDRC and Finance in parallel — Finance must concur (004 §五) — then final approval.
import type { RouteStage } from '../../../workflows/contracts';

export type StepDurations = { readonly dueSeconds: number; readonly reminderBeforeSeconds: number };

export function defaultRouteStages(durations: StepDurations): RouteStage[] {
  return [
    {
      stageId: 'countersign',
      name: '会签',
      kind: 'countersign',
      parties: [
        { partyId: 'lead', label: '牵头部门', role: 'approver', organisation: '$leadMinistry', mustConcur: false },
        { partyId: 'ndrc', label: '国家发展改革委', role: 'approver', organisation: 'NDRC', mustConcur: false },
        { partyId: 'mof', label: '财政部', role: 'approver', organisation: 'MOF', mustConcur: true },
      ],
      ...durations,
      escalationRole: 'final-approver',
      escalationOrganisation: 'SCO',
    },
    {
      stageId: 'final',
      name: '审批',
      kind: 'single',
      parties: [{ partyId: 'sco', label: '国务院办公厅', role: 'final-approver', organisation: 'SCO', mustConcur: true }],
      ...durations,
      escalationRole: 'final-approver',
      escalationOrganisation: 'SCO',
    },
  ];
}
