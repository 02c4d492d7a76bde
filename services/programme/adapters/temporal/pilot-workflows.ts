// The pilot workflows as the programme's use cases see them (port PilotWorkflows): start one for a first
// application, send a human step as its update, read its state. A validator's refusal comes back as the platform
// error it stands for (with its stable reason); anything else is worth retrying.
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import {
  pilotActionUpdate,
  pilotStateQuery,
  standardisationPilotWorkflowType,
  type PilotAction,
  type PilotWorkflowInput,
} from '../../../../workflows/pilot/contracts';
import type { PilotState } from '../../../../workflows/pilot/domain';
import { AlreadyExistsError, NotFoundError, ruleRefusalError, TransientError, type PlatformError } from '../../../shared/errors/errors';
import type { PilotWorkflows } from '../../application/programme';
import { updateOptions } from '../../../shared/temporal/temporal';

const refusalCodes = ['PERMISSION_DENIED', 'FAILED_PRECONDITION', 'INVALID_ARGUMENT'] as const;

/** A validator's (or handler's) refusal, as the platform error it stands for with its stable reason. */
function refusal(error: unknown, pilotId: string): PlatformError | undefined {
  const cause = error instanceof WorkflowUpdateFailedError ? error.cause : error;
  if (!(cause instanceof ApplicationFailure)) return undefined;
  const code = refusalCodes.find((c) => c === cause.type);
  if (!code) return undefined;
  const reason = typeof cause.details?.[0] === 'string' ? (cause.details[0] as string) : code;
  return ruleRefusalError({ code, reason, message: cause.message }, pilotId, 'action');
}

export class TemporalPilotWorkflows implements PilotWorkflows {
  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
    /** The deployment's (or test's) topic namespace: workflow ids are unique per Temporal namespace, pilot ids per platform. */
    private readonly idNamespace = '',
  ) {}

  private workflowId(pilotId: string): string {
    return this.idNamespace ? `${this.idNamespace}/${pilotId}` : pilotId;
  }

  async start(input: PilotWorkflowInput): Promise<void> {
    try {
      await this.client.workflow.start(standardisationPilotWorkflowType, {
        workflowId: this.workflowId(input.pilotId),
        taskQueue: this.taskQueue,
        args: [input],
      });
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError)
        throw new AlreadyExistsError(`pilot ${input.pilotId} already exists`, { pilotId: input.pilotId });
      throw new TransientError(`cannot start pilot ${input.pilotId}`, error);
    }
  }

  async act(pilotId: string, action: PilotAction): Promise<PilotState> {
    try {
      return await this.client.workflow
        .getHandle(this.workflowId(pilotId))
        .executeUpdate<PilotState, [PilotAction]>(pilotActionUpdate, updateOptions<[PilotAction]>([action]));
    } catch (error) {
      const refused = refusal(error, pilotId);
      if (refused) throw refused;
      if (error instanceof WorkflowNotFoundError) throw new NotFoundError('pilot', pilotId);
      throw new TransientError(`${action.type} on pilot ${pilotId} failed`, error);
    }
  }

  async state(pilotId: string): Promise<PilotState | undefined> {
    try {
      return await this.client.workflow.getHandle(this.workflowId(pilotId)).query<PilotState>(pilotStateQuery);
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return undefined;
      throw new TransientError(`pilot ${pilotId} cannot be read now: ${(error as Error).message}`, error);
    }
  }
}
