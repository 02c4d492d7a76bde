// Event types a subscription filter may name: what the notifications service takes in (the registry's events and
// the approval outcomes). Shared so the gateway's console offers exactly the types the service accepts.
import { approvalEvents } from './approvals';
import { standardEvents } from './standards';

export const subscribableEventTypes: readonly string[] = [...Object.values(standardEvents), ...Object.values(approvalEvents)].map((d) => d.type);
