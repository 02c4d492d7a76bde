// The workflows the approvals worker registers (its workflowsPath).
export { adHocRevision } from './ad-hoc-revision';
export { unifiedRevisionCycle } from './unified-revision-cycle';
