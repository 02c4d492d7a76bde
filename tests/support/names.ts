// Every integration test gets its own topic, group, database and task-queue names.
import { randomBytes } from 'node:crypto';

export function uniqueName(prefix: string): string {
  return `t-${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}
