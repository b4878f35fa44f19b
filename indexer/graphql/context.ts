// What every resolver sees: the database, where the index stands, and the feed of committed blocks
// that drives subscriptions. The view of the chain is read once per committed block (not per
// field), so the `final` flags of one response agree, and a subscription's later emissions see the
// head move on.
import type { Queryable } from "../db/driver.ts";
import type { SyncEvent, SyncStatus } from "../sync/engine.ts";

export type ChainView = {
  indexedBlock: number | null;
  headBlock: number | null;
  finalizedBlock: number;
  /** Timestamp of the indexed head block: order expiry is judged by it, as the contract does. */
  chainTime: number;
};

export type Feed = { on(listener: (e: SyncEvent) => void): () => void };

export type ApiOptions = {
  db: Queryable;
  confirmations: number;
  /** Live sync status when the sync loop runs in this process; null for an API-only process. */
  syncStatus: (() => SyncStatus) | null;
  feed: Feed;
};

export type ApiContext = ApiOptions & {
  view(): Promise<ChainView>;
  /** Caches `compute()` under `key` until the next committed block: read models only change then. */
  memo<T>(key: string, compute: () => Promise<T>): Promise<T>;
};

export async function readView(db: Queryable, confirmations: number): Promise<ChainView> {
  const [row] = await db.query<{ block_number: number; head_block: number; timestamp: number | null }>(
    `SELECT s.block_number, s.head_block, b.timestamp FROM sync_state s LEFT JOIN blocks b ON b.number = s.block_number`,
  );
  if (!row) return { indexedBlock: null, headBlock: null, finalizedBlock: -1, chainTime: 0 };
  return {
    indexedBlock: row.block_number,
    headBlock: row.head_block,
    finalizedBlock: Math.min(row.block_number, row.head_block - confirmations),
    chainTime: row.timestamp ?? 0,
  };
}

/** Builds the context factory; the cached view is dropped whenever the feed reports a change. */
export function contextFactory(options: ApiOptions): () => ApiContext {
  let epoch = 0;
  let results = new Map<string, Promise<unknown>>();
  options.feed.on(() => {
    epoch++;
    results = new Map();
  });
  const memo = <T>(key: string, compute: () => Promise<T>): Promise<T> => {
    let hit = results.get(key) as Promise<T> | undefined;
    if (!hit) {
      const cache = results;
      hit = compute();
      cache.set(key, hit);
      // A failure is not worth keeping: the next request tries again.
      hit.catch(() => cache.delete(key));
    }
    return hit;
  };
  return () => {
    let cached: { epoch: number; view: Promise<ChainView> } | null = null;
    const view = () => {
      if (!cached || cached.epoch !== epoch) cached = { epoch, view: readView(options.db, options.confirmations) };
      return cached.view;
    };
    return { ...options, view, memo };
  };
}
