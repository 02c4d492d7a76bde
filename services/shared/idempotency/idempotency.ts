// Idempotency keys (issue #19): a caller names a state-changing call with a key (gRPC metadata `idempotency-key`;
// the gateway forwards the HTTP `Idempotency-Key` header) so that a retry — after a timeout, or racing its twin —
// returns the first call's result instead of doing the work again, and reuse of the key for other content is
// refused (FAILED_PRECONDITION, reason REQUEST_ID_REUSED). One mechanism for every service: the gRPC bootstrap
// (services/shared/grpc/server.ts) runs a unary call that carries a key through `IdempotencyStore.once`.
//
// A key is scoped to the method and the caller: the record's `_id` is JSON [method, subject, key] (FerretDB pushes
// down only `_id` equality; JSON rather than a NUL separator, which PostgreSQL refuses). The first call claims the
// key by inserting that `_id` (a unique insert is atomic on FerretDB and MongoDB alike), runs, and stores its
// encoded response; a call that finds the claim compares the request digest, then returns the stored response,
// or waits while the first is still running. A claim whose holder failed is released (a retry runs again: a
// refused or failed call has no effect to repeat); a claim whose holder died (its lease ran out) is taken over.
//
// Keys are kept for a retention period (7 days by default: far longer than any client retries) and then swept,
// hourly, by every process that serves with the store (the gRPC bootstrap starts the sweep). A retry later than that
// runs as a new call. The sweep filters on the claim time: an index on `at` makes it a range read on MongoDB; on
// FerretDB v1 it reads the collection, whose size the retention bounds (not the platform's history).
import { createHash, randomUUID } from 'node:crypto';
import type { Collection, Db } from 'mongodb';
import { FailedPreconditionError, TransientError, ValidationError } from '../errors/errors';
import { isDuplicateKey } from '../mongo/mongo';

/** What a key may be: 1–128 of A–Z a–z 0–9 . _ : - (as proposals' request ids). */
export const idempotencyKeyPattern = /^[A-Za-z0-9._:-]{1,128}$/;

export function checkIdempotencyKey(key: string, field = 'idempotency_key'): void {
  if (!idempotencyKeyPattern.test(key)) throw new ValidationError([{ field, description: 'must be 1–128 of A–Z a–z 0–9 . _ : -' }]);
}

/**
 * The key of the `n`th change (from 1) a request makes under `key`: the first as is, later ones `<key>.2`, `<key>.3`…
 * (a key is scoped to the method and the caller; a request makes its changes in the same order each time it runs).
 */
export function nthChangeKey(key: string, n: number): string {
  return n === 1 ? key : `${key}.${n}`;
}

/** The digest of an encoded request: the same key with other content is refused. */
export function requestDigest(encoded: Uint8Array): string {
  return createHash('sha256').update(encoded).digest('base64');
}

/** Keys are kept 7 days by default. */
export const DEFAULT_IDEMPOTENCY_RETENTION_MS = 7 * 24 * 3_600_000;

export type IdempotencyRecord = {
  /** JSON [method, subject, key]. */
  _id: string;
  digest: string;
  state: 'running' | 'done';
  /** Who holds a running claim (released or taken over only by that id). */
  holder: string;
  /** A running claim may be taken over after this (its holder died). */
  leaseUntil: Date;
  at: Date;
  /** The encoded response (base64), once done. */
  response?: string;
};

export type IdempotencyScope = { readonly method: string; readonly subject: string; readonly key: string };

export class IdempotencyStore {
  readonly collection: Collection<IdempotencyRecord>;

  constructor(
    db: Db,
    name = 'idempotency_keys',
    private readonly options: { leaseMs?: number; pollMs?: number; retentionMs?: number; sweepEveryMs?: number } = {},
  ) {
    this.collection = db.collection<IdempotencyRecord>(name);
  }

  /** How long a key's record is kept. */
  get retentionMs(): number {
    return this.options.retentionMs ?? DEFAULT_IDEMPOTENCY_RETENTION_MS;
  }

  /** Deletes the records claimed before the retention period; returns how many. */
  async sweep(now: number = Date.now()): Promise<number> {
    const result = await this.collection.deleteMany({ at: { $lt: new Date(now - this.retentionMs) } });
    return result.deletedCount;
  }

  /**
   * Sweeps now (after the index on `at` exists) and then every `sweepEveryMs` (an hour by default) until the
   * returned stop is called. A failed sweep is logged and tried at the next tick.
   */
  startSweeping(log: { info(o: object, m: string): void; warn(o: object, m: string): void }): () => void {
    let stopped = false;
    const run = async (): Promise<void> => {
      try {
        const swept = await this.sweep();
        if (swept > 0 && !stopped) log.info({ swept, retentionMs: this.retentionMs }, 'idempotency keys past their retention swept');
      } catch (error) {
        if (!stopped) log.warn({ err: error }, 'idempotency key sweep failed; trying again at the next tick');
      }
    };
    const first = this.collection
      .createIndex({ at: 1 }, { name: 'claimed_at' })
      .catch(() => undefined)
      .then(run);
    const timer = setInterval(() => void run(), this.options.sweepEveryMs ?? 3_600_000);
    timer.unref();
    return () => {
      stopped = true;
      clearInterval(timer);
      void first;
    };
  }

  static recordId(scope: IdempotencyScope): string {
    return JSON.stringify([scope.method, scope.subject, scope.key]);
  }

  /**
   * Runs `work` once per scope: the first call runs it and records its encoded result; a later call with the same
   * digest gets that result (waiting, until `deadline`, while the first still runs); another digest is refused.
   */
  async once(scope: IdempotencyScope, digest: string, work: () => Promise<Uint8Array>, deadline?: number): Promise<Uint8Array> {
    const _id = IdempotencyStore.recordId(scope);
    const holder = randomUUID();
    const leaseMs = Math.max(this.options.leaseMs ?? 60_000, deadline === undefined ? 0 : deadline - Date.now() + 5_000);
    for (;;) {
      const now = new Date();
      try {
        await this.collection.insertOne({ _id, digest, state: 'running', holder, leaseUntil: new Date(now.getTime() + leaseMs), at: now });
        break; // claimed
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
      const existing = await this.collection.findOne({ _id });
      if (!existing) continue; // released meanwhile: claim again
      if (existing.digest !== digest) {
        throw new FailedPreconditionError(`idempotency key ${scope.key} was already used for ${scope.method} with other content`, [], 'REQUEST_ID_REUSED');
      }
      if (existing.state === 'done' && existing.response !== undefined) return Buffer.from(existing.response, 'base64');
      if (existing.leaseUntil.getTime() <= Date.now()) {
        // Its holder died mid-call: release its claim, then race for a new one.
        await this.collection.deleteOne({ _id, holder: existing.holder });
        continue;
      }
      if (deadline !== undefined && Date.now() + (this.options.pollMs ?? 100) >= deadline) {
        throw new TransientError(`a call with idempotency key ${scope.key} is still in progress; retry later`);
      }
      await new Promise((resolve) => setTimeout(resolve, this.options.pollMs ?? 100));
    }
    let response: Uint8Array;
    try {
      response = await work();
    } catch (error) {
      // A refused or failed call changed nothing to repeat: a retry runs again.
      await this.collection.deleteOne({ _id, holder }).catch(() => undefined);
      throw error;
    }
    await this.collection.updateOne({ _id, holder }, { $set: { state: 'done', response: Buffer.from(response).toString('base64') } });
    return response;
  }
}
