// Reads kept in the registry process between requests (issue #16), for as long as one cheap read says they still
// hold: a family of reads (the catalogue: item heads and taxonomies; a province's filing heads) has a stamp, a small
// document that every write of the family gives a new random value just before it writes and again once it has
// written (adapters/mongo/store.ts). What was read under a value is reused while the stamp keeps that value — in
// every instance, whichever instance wrote — and only once the stamp is older than STAMP_SETTLE_MS: a younger one
// may belong to a write under way, or to a writer that died between its write and its second stamp, so what is
// read then is used for that request only.
import type { ReadStamps } from './ports';

/** A stamp written this recently may belong to a write under way: nothing read under it is kept. */
export const STAMP_SETTLE_MS = 5_000;

/** What one request reads of a family: each part loaded at most once per stamp value (or per request when unsettled). */
export class Parts {
  constructor(
    private readonly memo: Map<string, Promise<unknown>>,
    private readonly loaded: Map<string, unknown>,
  ) {}

  get<T>(name: string, load: () => Promise<T>): Promise<T> {
    let p = this.memo.get(name) as Promise<T> | undefined;
    if (!p) {
      const loading = load();
      p = loading;
      this.memo.set(name, loading);
      loading.then(
        (value) => {
          if (this.memo.get(name) === loading) this.loaded.set(name, value);
        },
        () => {
          if (this.memo.get(name) === loading) this.memo.delete(name); // a failed read is tried again next time
        },
      );
    }
    return p;
  }

  /** A part already loaded (under this stamp value), if any: lets a request use a bigger part another has read. */
  peek<T>(name: string): T | undefined {
    return this.loaded.get(name) as T | undefined;
  }
}

export class StampedReads {
  private held: { value: string; parts: Map<string, Promise<unknown>>; loaded: Map<string, unknown> } | undefined;

  constructor(
    private readonly stamps: ReadStamps,
    readonly family: string,
    private readonly settleMs = STAMP_SETTLE_MS,
  ) {}

  /** The family's parts as they are now: one read (the stamp). */
  async current(): Promise<Parts> {
    const stamp = await this.stamps.stamp(this.family);
    // The writers' clock (Date, not the registry's `now` setting, which tests may move).
    if (Date.now() - stamp.at.getTime() < this.settleMs) return new Parts(new Map(), new Map());
    if (this.held?.value !== stamp.value) this.held = { value: stamp.value, parts: new Map(), loaded: new Map() };
    return new Parts(this.held.parts, this.held.loaded);
  }

  /** After a write in this process: read again even before the stamp is read (it would say so anyway). */
  forget(): void {
    this.held = undefined;
  }
}
