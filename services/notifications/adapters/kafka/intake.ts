// The Kafka side of the intake: the shared EventConsumer hands each event of the consumed topics to the use case
// (application/intake.ts); it remembers the event only after that resolves, so a crash part-way is redelivered.
import type { EventHandler } from '../../../shared/kafka/kafka';
import { intakeEvent, type IntakePorts } from '../../application/intake';

export function intakeHandler(deps: IntakePorts): EventHandler {
  return (event) => intakeEvent(deps, event);
}
