// A stand-in for the approvals worker's adHocRevision workflow, just enough to answer the proposals service:
// it accepts resubmission signals and the withdrawProposal update (refused when the title says final approval
// has passed, so the refusal path can be tested). The real workflow is the approvals service's.
import { condition, defineSignal, defineUpdate, setHandler } from '@temporalio/workflow';
import {
  proposalResubmittedSignal,
  withdrawProposalUpdate,
  type ProposalApprovalInput,
  type ProposalResubmitted,
  type WithdrawProposal,
} from '../../workflows/contracts';

export const pastFinalApprovalMarker = '（已终审）';

export async function adHocRevision(input: ProposalApprovalInput): Promise<string> {
  let withdrawal: WithdrawProposal | undefined;
  setHandler(defineSignal<[ProposalResubmitted]>(proposalResubmittedSignal), () => undefined);
  setHandler(
    defineUpdate<string, [WithdrawProposal]>(withdrawProposalUpdate),
    (request) => {
      withdrawal = request;
      return 'withdrawn';
    },
    {
      validator: (request) => {
        if (!request.reason) throw new Error('a withdrawal needs a reason');
        if (input.title.includes(pastFinalApprovalMarker)) throw new Error('final approval has been given; too late to withdraw');
      },
    },
  );
  await condition(() => withdrawal !== undefined);
  return `withdrawn by ${withdrawal?.actor.subject ?? ''}: ${withdrawal?.reason ?? ''}`;
}
