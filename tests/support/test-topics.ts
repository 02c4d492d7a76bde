// Topics left by earlier test runs. Every test names its topics with uniqueName (`….t-<label>-<ms in base 36>-<hex>`)
// and none deletes them, so on a kept local stack they pile up run after run: at ~20,000 partitions the broker ran
// out of file descriptors (one open segment each; the machine's limit is 20,000) and died mid-run. The test setup
// deletes those older than BPS_TEST_TOPIC_TTL_MINUTES (default 60) — never a topic of a run still going on.
import type { Kafka } from 'kafkajs';

const testTopic = /\.t-[a-z0-9-]+?-([0-9a-z]{8,9})-[0-9a-f]{6}$/;

/** When a test topic was named (from its uniqueName), or undefined for a topic that is not a test's. */
export function testTopicCreatedAt(topic: string): number | undefined {
  const match = testTopic.exec(topic);
  if (!match) return undefined;
  const ms = parseInt(match[1]!, 36);
  return Number.isFinite(ms) ? ms : undefined;
}

/** The test topics among `topics` named before `before` (epoch ms). */
export function staleTestTopics(topics: readonly string[], before: number): string[] {
  return topics.filter((t) => {
    const at = testTopicCreatedAt(t);
    return at !== undefined && at < before;
  });
}

/** Deletes the stale test topics of the stack; returns how many. */
export async function pruneTestTopics(admin: Kafka, olderThanMs: number, now = Date.now()): Promise<number> {
  const client = admin.admin();
  await client.connect();
  try {
    const stale = staleTestTopics(await client.listTopics(), now - olderThanMs);
    for (let i = 0; i < stale.length; i += 200) await client.deleteTopics({ topics: stale.slice(i, i + 200), timeout: 60_000 });
    return stale.length;
  } finally {
    await client.disconnect();
  }
}
