// The workflows of the platform (one bundle): the approvals worker runs the approval and cycle workflows on its task
// queue, the programme worker the pilots on its own.
export { adHocRevision } from './ad-hoc-revision';
export { unifiedRevisionCycle } from './unified-revision-cycle';
export { standardisationPilot } from './standardisation-pilot';
