// Signed checkpoints: stored, and published on bps.audit.v1 through the outbox (the checkpoint document carries
// its own outbox fields, so storing and "will publish" are one write). Taken at an interval for every log appended
// to since its last checkpoint, and on demand for exports.
import type { Collection, Db } from 'mongodb';
import { CheckpointSigned } from '../../../../proto/gen/bps/audit/v1/events';
import { errorMessage } from '../../../shared/errors/errors';
import { auditEvents } from '../../../shared/events/audit';
import { newEvent } from '../../../shared/kafka/kafka';
import { inRootSpan } from '../../../shared/telemetry/otel';
import type { Logger } from '../../../shared/log/logger';
import { ensureIndexes, insertOne, isDuplicateKey } from '../../../shared/mongo/mongo';
import { ensureOutboxIndexes, markPending, toOutboxFields, type OutboxFields } from '../../../shared/mongo/outbox';
import type { HashAlgorithm } from '../../domain/hashing';
import { signCheckpoint, type SignedCheckpoint, type SigningKey } from '../../domain/signing';
import type { CheckpointHeads } from '../../application/trace';
import type { CheckpointReader } from '../../application/verify-log';
import type { LogStore } from './log-store';

export type CheckpointDoc = OutboxFields & { _id: string; checkpoint: SignedCheckpoint; createdAt: Date };

export function checkpointToProto(checkpoint: SignedCheckpoint) {
  return { ...checkpoint, size: String(checkpoint.size), time: new Date(checkpoint.time) };
}

export class CheckpointStore implements CheckpointHeads, CheckpointReader {
  readonly collection: Collection<CheckpointDoc>;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;

  constructor(
    db: Db,
    private readonly logs: LogStore,
    private readonly key: SigningKey,
    private readonly options: { hashAlgorithm: HashAlgorithm; topicNamespace: string; logger: Logger },
  ) {
    this.collection = db.collection<CheckpointDoc>('checkpoints');
  }

  async init(): Promise<void> {
    await ensureIndexes(this.collection, [{ key: { 'checkpoint.log': 1, 'checkpoint.size': 1 }, name: 'log_size' }]);
    await ensureOutboxIndexes(this.collection);
  }

  /** A checkpoint of `log` at its current head (the stored one when that head was already checkpointed). */
  async checkpointHead(log: string): Promise<SignedCheckpoint> {
    const head = await this.logs.head(log);
    const size = head.size;
    const id = `${log}#${size}`;
    const existing = await this.collection.findOne({ _id: id });
    if (existing) {
      await this.logs.markCheckpointed(log, size);
      return existing.checkpoint;
    }
    const checkpoint = signCheckpoint(this.key, {
      log,
      size,
      headHash: head.hash,
      hashAlgorithm: head.hashAlgorithm ?? this.options.hashAlgorithm,
      time: new Date().toISOString(),
    });
    const event = newEvent(
      auditEvents.checkpointSigned,
      CheckpointSigned.fromPartial({
        checkpoint: checkpointToProto(checkpoint),
        key: { keyId: this.key.keyId, algorithm: this.key.algorithm, publicKey: this.key.publicKey },
      }),
      { source: '/bps/audit', key: log, subject: `logs/${log}`, topicNamespace: this.options.topicNamespace },
    );
    try {
      const doc = { _id: id, checkpoint, createdAt: new Date(), ...toOutboxFields(event) };
      await insertOne(this.collection, doc, 'checkpoint');
      await markPending(this.collection, [doc]);
      await this.logs.markCheckpointed(log, size);
      return checkpoint;
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      const raced = await this.collection.findOne({ _id: id });
      if (!raced) throw error;
      return raced.checkpoint;
    }
  }

  /** The newest stored checkpoint of `log`, read by _id (a query only for logs checkpointed before that was kept). */
  async latest(log: string): Promise<SignedCheckpoint | undefined> {
    const size = await this.logs.checkpointSize(log);
    if (size === undefined) return (await this.forLog(log, 1))[0];
    return (await this.collection.findOne({ _id: `${log}#${size}` }))?.checkpoint;
  }

  /** The most recent stored checkpoints of `log`; older ones (e.g. copies from bps.audit.v1) can be passed to Verify. */
  async forLog(log: string, limit = 20): Promise<SignedCheckpoint[]> {
    const latest = await this.collection.find({ 'checkpoint.log': log }).sort({ 'checkpoint.size': -1 }).limit(limit).toArray();
    return latest.map((d) => d.checkpoint).reverse();
  }

  /** One pass: checkpoints every log appended to since its last checkpoint. Returns how many were signed. */
  async checkpointDirtyLogs(limit = 500): Promise<number> {
    let count = 0;
    for (const log of await this.logs.dirtyLogs(limit)) {
      // A timer's pass, no request: each checkpoint (and the event announcing it) gets a trace of its own.
      await inRootSpan('audit checkpoint', { 'bps.audit.log': log._id }, () => this.checkpointHead(log._id));
      await this.logs.markClean(log._id, log.version);
      count += 1;
    }
    return count;
  }

  startInterval(intervalMs: number): void {
    this.stopped = false;
    const tick = (): void => {
      if (this.stopped) return;
      this.running = this.checkpointDirtyLogs()
        .then(() => undefined)
        .catch((error: unknown) => this.options.logger.warn({ err: errorMessage(error) }, 'checkpoint pass failed; will retry'))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, intervalMs);
        });
    };
    this.timer = setTimeout(tick, intervalMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}
