// For an API-only process (no sync loop in it): notices new checkpoints by polling sync_state and
// reports each as a block range whose exact changes are unknown here (`touched: null`).
import type { Queryable } from "../db/driver.ts";
import type { SyncEvent } from "../sync/engine.ts";
import type { Feed } from "./context.ts";

export function pollingFeed(db: Queryable, intervalMs: number): Feed & { stop(): Promise<void> } {
  const listeners = new Set<(e: SyncEvent) => void>();
  let last: { block: number; hash: string } | null = null;
  const timer = setInterval(async () => {
    try {
      const [s] = await db.query<{ block_number: number; block_hash: string }>(
        "SELECT block_number, block_hash FROM sync_state",
      );
      if (!s) return;
      if (last && (s.block_number !== last.block || s.block_hash !== last.hash)) {
        const e: SyncEvent =
          s.block_number < last.block
            ? { type: "reorg", ancestor: s.block_number, orphaned: last.block - s.block_number, reset: false }
            : { type: "block", fromBlock: last.block + 1, toBlock: s.block_number, events: 0, touched: null };
        for (const l of listeners) l(e);
      }
      last = { block: s.block_number, hash: s.block_hash };
    } catch {
      // The database is momentarily unreachable; the next tick tries again.
    }
  }, intervalMs);
  return {
    on(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async stop() {
      clearInterval(timer);
    },
  };
}
