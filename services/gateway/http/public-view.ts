// What a visitor of the public portal sees of an answer (seed 000 §二十: standards are published and open to social
// supervision, which is about the standard and the bodies that decided it, not the people). Actors keep their
// organisation; their personal subject and name are dropped, as are internal workflow references.
const internal = new Set(['workflowId', 'workflowRunId']);
const isActor = (v: Record<string, unknown>): boolean => 'subject' in v && 'organisation' in v;

export const PUBLIC_CACHE_CONTROL = 'public, max-age=60, stale-while-revalidate=300';

export function publicView<T>(value: T): T {
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (!node || typeof node !== 'object' || node instanceof Date || Buffer.isBuffer(node)) return node;
    const record = node as Record<string, unknown>;
    const actor = isActor(record);
    return Object.fromEntries(
      Object.entries(record)
        .filter(([k]) => !internal.has(k) && !(actor && (k === 'subject' || k === 'name' || k === 'roles')))
        .map(([k, v]) => [k, walk(v)]),
    );
  };
  return walk(value) as T;
}
