// Point-in-time reads over a history whose dates only grow: find the last entry satisfying a monotone predicate
// by galloping down from the newest entry, so recent dates cost one or two probes and old ones O(log distance).
/** Largest n in [1, top] with ok(n), for ok true up to some n and false above it (0 when none). */
export async function searchDown(top: number, ok: (n: number) => Promise<boolean>): Promise<number> {
  if (top < 1) return 0;
  if (await ok(top)) return top;
  let hi = top;
  let lo = 0;
  for (let step = 1; ; step *= 2) {
    const n = top - step;
    if (n < 1) break;
    if (await ok(n)) { lo = n; break; }
    hi = n;
  }
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (await ok(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}
