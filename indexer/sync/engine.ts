// The sync loop: backfill final history in block ranges, then follow the head block by block.
//
// Invariants
// - A step (a range of final blocks, or one block near the head) commits its events, the handlers'
//   writes and the checkpoint in ONE transaction: a crash at any point leaves the database at the
//   end of a whole step, and the restart resumes from that checkpoint.
// - Events are keyed by (block hash, log index) and handlers run only for events newly inserted, so
//   even replaying a step could not apply anything twice.
// - Blocks within `reorgDepth` of the head are journaled (each changed row's state before the
//   block); a block whose parent hash does not match the checkpoint triggers a rollback to the
//   common ancestor. A re-org deeper than the journal resets the index and rebuilds it from the
//   deployment's start block, which is slow but exact.
//
// This file decides when; db/checkpoint.ts, db/journal.ts and db/store.ts hold the SQL (docs/indexer.md).
import type { Logger } from "pino";
import {
  advanceCheckpoint,
  type Checkpoint,
  countEvents,
  readSyncState,
  restartIndex,
  rollBackTo,
  saveBlocks,
  saveEvents,
  startNewIndex,
  storedBlocksBelow,
} from "../db/checkpoint.ts";
import {
  countDeferredIndexes,
  deferSecondaryIndexes,
  EVENT_LOG_TABLES,
  restoreDeferredIndexes,
} from "../db/deferred-indexes.ts";
import type { Database, Queryable } from "../db/driver.ts";
import { readColumns, type TableColumns } from "../db/recordset.ts";
import { RowCache, Store } from "../db/store.ts";
import { TABLE_NAMES, type TableName, WRITE_ONCE_TABLES } from "../db/tables.ts";
import { IndexerError, isRetryable } from "../errors.ts";
import { type HandlerSet, handlerOf, type RowRef } from "../handlers/types.ts";
import type { BlockHeader, Chain } from "./chain.ts";
import { type ContractSpec, createDecoder, type DecodedEvent, type Decoder } from "./decode.ts";
import { type FetchedRange, fetchRange } from "./fetch-range.ts";
import { RateMeter } from "./progress.ts";

export type SyncOptions = {
  db: Database;
  chain: Chain;
  contracts: readonly ContractSpec[];
  handlers: HandlerSet;
  /** First block that can hold the contracts' events (the deployment block). */
  startBlock: number;
  /** Blocks below the head before data counts as final. */
  confirmations: number;
  /** How far back a re-org can be rolled back block by block (≥ confirmations). */
  reorgDepth: number;
  /** Largest block range of one backfill request. */
  maxBlockRange: number;
  /** Aim for about this many logs per backfill step. */
  targetLogsPerStep: number;
  /** Ranges fetched ahead of the one being written (default 3; 1 is the old one-at-a-time overlap). */
  rangesAhead?: number;
  /**
   * Keep rows in memory between backfill steps (default true). Off, every step reads the rows its
   * events touch from the database: the straightforward path the cached one is tested against.
   */
  rowCache?: boolean;
  /**
   * A new index's backfill drops the secondary indexes in its first step and builds them in its last
   * (default true; db/deferred-indexes.ts). Off, they are kept up to date row by row throughout.
   */
  deferIndexes?: boolean;
  /**
   * Append new rows by COPY where the database takes it (PGlite; default true). Off, every row is
   * written by INSERT from a JSON recordset: the path the COPY one is tested against.
   */
  copyRows?: boolean;
  /** Turns logs into events (default: the compiled decoder of decode.ts). */
  decoder?: Decoder;
  pollIntervalMs: number;
  /**
   * Once live, at most one step per this many ms (default 0: a step per new head). The blocks that
   * arrive meanwhile are taken as one journaled range: a burst of blocks (the demo's seed mines about
   * a dozen a second) costs one transaction per interval instead of one per block, while a block that
   * comes after a quiet interval is indexed at once.
   */
  followEveryMs?: number;
  log: Logger;
};

export type SyncEvent =
  | {
      type: "block";
      fromBlock: number;
      toBlock: number;
      events: number;
      /** Keys changed per table; null when not known (an API-only process watching the checkpoint). */
      touched: ReadonlyMap<string, ReadonlySet<string>> | null;
    }
  | { type: "reorg"; ancestor: number; orphaned: number; reset: boolean };

export type SyncStatus = {
  phase: "starting" | "backfill" | "live" | "stopped" | "failed";
  chainId: number | null;
  headBlock: number | null;
  indexedBlock: number | null;
  finalizedBlock: number | null;
  blocksBehind: number | null;
  eventsPerSecond: number;
  eventsIndexed: number;
  realtime: "websocket" | "polling" | null;
  reorgs: number;
  lastError: { code: string; message: string; at: string } | null;
};

const ZERO_HASH = `0x${"0".repeat(64)}`;

/**
 * Steps written behind that may still be uncommitted while the next one is built: the database's
 * thread always has a whole step queued, so a step whose JavaScript takes long does not leave it
 * idle (docs/indexer.md "Backfill speed"). Each holds its events and rows in memory until committed.
 */
const STEPS_WRITTEN_BEHIND = 2;

/**
 * Events a step handles between two turns of the event loop. Written behind, a step never waits
 * for the database, so without these turns the answers of the ranges fetched ahead would be read
 * only between steps, one request of each range per step (docs/indexer.md "Backfill speed").
 */
const HANDLE_BETWEEN_IO = 500;

export class SyncEngine {
  readonly #o: SyncOptions;
  readonly #decode: Decoder;
  readonly #addresses: string[];
  readonly #addressByName: Record<string, string>;
  readonly #listeners = new Set<(e: SyncEvent) => void>();
  readonly #rate = new RateMeter(10_000);
  #columns: TableColumns = new Map();
  /** Rows kept between backfill steps (final blocks only: nothing rolls them back behind it). */
  readonly #cache = new RowCache();
  #cp: Checkpoint | null = null;
  /** The tables were emptied for a new index and no step has been written since. */
  #newIndex = false;
  /** The database holds secondary indexes a backfill dropped; the backfill's last step builds them. */
  #indexesDeferred = false;
  /**
   * The commits of the steps written behind (Database.writeBehind), oldest first, until the engine
   * waits for them. Each settles after the one before it; a failure fails every later one.
   */
  #writing: Promise<void>[] = [];
  /** A step written behind failed and the engine has not yet waited for it. */
  #broken = false;
  /** Wall time the backfill spent waiting, ms: for fetched ranges, for steps written behind. */
  readonly #waited = { node: 0, database: 0 };
  /** What the database holds as of the last committed step (the view above may be ahead of it). */
  #committed: { cp: Checkpoint | null; newIndex: boolean; indexesDeferred: boolean } = {
    cp: null,
    newIndex: false,
    indexesDeferred: false,
  };
  #head: number | null = null;
  #chainId: number | null = null;
  #phase: SyncStatus["phase"] = "starting";
  #realtime: SyncStatus["realtime"] = null;
  #eventsIndexed = 0;
  #reorgs = 0;
  #lastError: SyncStatus["lastError"] = null;
  #stopping = false;
  #wake: (() => void) | null = null;
  /** Ends a wait between two live steps early: only a stop does, not a new head. */
  #stopWake: (() => void) | null = null;
  /** When the last step that indexed blocks in the live phase ended. */
  #liveStepAt = 0;
  #headPending = false;
  #unsubscribe: (() => void) | null = null;
  #range: number;
  readonly #rangesAhead: number;
  #lastLog = 0;

  constructor(options: SyncOptions) {
    if (options.reorgDepth < options.confirmations) {
      throw new IndexerError(
        "BAD_CONFIG",
        `reorgDepth (${options.reorgDepth}) must be ≥ confirmations (${options.confirmations})`,
      );
    }
    this.#o = options;
    this.#decode = options.decoder ?? createDecoder(options.contracts);
    this.#rangesAhead = Math.max(1, options.rangesAhead ?? 3);
    this.#addresses = options.contracts.map((c) => c.address.toLowerCase());
    this.#addressByName = Object.fromEntries(options.contracts.map((c) => [c.name, c.address.toLowerCase()]));
    this.#range = Math.min(100, options.maxBlockRange);
  }

  /**
   * Wall time (ms) the backfill has waited between steps: for the node (a fetched range not yet
   * read) and for the database (room among the steps written behind, or their commits at the end).
   * What the loop waits for inside a step (reads) is not counted. For the benchmark's parts.
   */
  waited(): { node: number; database: number } {
    return { ...this.#waited };
  }

  /** Listens to committed blocks and re-orgs (for live GraphQL subscriptions). */
  on(listener: (e: SyncEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  status(): SyncStatus {
    const head = this.#head;
    // What the database holds: a step written behind counts once committed.
    const indexed = this.#committed.cp?.number ?? null;
    return {
      phase: this.#phase,
      chainId: this.#chainId,
      headBlock: head,
      indexedBlock: indexed,
      finalizedBlock: head === null || indexed === null ? null : Math.min(indexed, head - this.#o.confirmations),
      blocksBehind: head === null || indexed === null ? null : Math.max(0, head - indexed),
      eventsPerSecond: Math.round(this.#rate.perSecond()),
      eventsIndexed: this.#eventsIndexed,
      realtime: this.#realtime,
      reorgs: this.#reorgs,
      lastError: this.#lastError,
    };
  }

  /** Loads the checkpoint (creating it on first run) and checks the database follows this deployment. */
  async init(): Promise<void> {
    const { db, chain, startBlock } = this.#o;
    this.#chainId = await chain.chainId();
    this.#columns = await readColumns(db, TABLE_NAMES);
    for (const t of TABLE_NAMES) {
      if (!this.#columns.has(t))
        throw new IndexerError("SCHEMA_MISMATCH", `handlers write table ${t}, which the schema lacks`);
    }
    const fingerprint = deploymentFingerprint(this.#chainId, this.#o.contracts, startBlock);
    const state = await readSyncState(db);
    this.#indexesDeferred = (await countDeferredIndexes(db)) > 0;
    if (state && state.deployment === fingerprint) {
      this.#cp = { number: state.block_number, hash: state.block_hash, journalFloor: state.journal_floor };
      this.#eventsIndexed = await countEvents(db);
      this.#settled();
      this.#o.log.info({ block: state.block_number, events: this.#eventsIndexed }, "resuming from checkpoint");
      return;
    }
    if (state)
      this.#o.log.warn({ was: state.deployment, now: fingerprint }, "database holds another deployment; re-indexing");
    const genesis = await this.#startCheckpoint();
    const chainId = this.#chainId;
    await db.transaction((tx) => startNewIndex(tx, chainId, fingerprint, genesis, state !== null));
    this.#cache.startEmpty(TABLE_NAMES);
    this.#cp = genesis;
    this.#newIndex = true;
    this.#eventsIndexed = 0;
    this.#settled();
    this.#o.log.info({ startBlock }, "new index");
  }

  /** Runs until `stop()`; rejects on an error that retrying cannot fix. */
  async run(): Promise<void> {
    if (!this.#cp) await this.init();
    const unsubscribe = await this.#o.chain.subscribeHeads(
      (n) => {
        this.#head = Math.max(this.#head ?? 0, n);
        this.#headPending = true;
        this.#wake?.();
      },
      (error) => this.#o.log.warn({ err: error.message }, "head subscription failed; polling"),
    );
    this.#unsubscribe = unsubscribe;
    this.#realtime = unsubscribe ? "websocket" : "polling";
    this.#o.log.info({ realtime: this.#realtime }, "following the chain");
    let backoff = 250;
    while (!this.#stopping) {
      try {
        await this.#spaceLiveSteps();
        if (this.#stopping) break;
        const progressed = await this.step();
        backoff = 250;
        if (!progressed) await this.#sleep(this.#o.pollIntervalMs);
      } catch (error) {
        const code = (error as IndexerError).code ?? (error as Error).name ?? "ERROR";
        this.#lastError = { code, message: (error as Error).message, at: new Date().toISOString() };
        if (!isRetryable(error) || this.#stopping) {
          this.#phase = this.#stopping ? "stopped" : "failed";
          if (this.#stopping) return;
          this.#o.log.error({ err: error }, "sync stopped");
          throw error;
        }
        this.#o.log.warn({ code, err: (error as Error).message, retryInMs: backoff }, "sync step failed; retrying");
        await this.#sleep(backoff);
        backoff = Math.min(backoff * 2, 10_000);
      }
    }
    this.#phase = "stopped";
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    this.#unsubscribe?.();
    this.#wake?.();
    this.#stopWake?.();
  }

  /** Advances by one step. Returns false when already at the head. Exposed for tests. */
  async step(): Promise<boolean> {
    const cp = this.#cp!;
    // A head announced from here on must wake the next sleep, even if this step already saw it.
    this.#headPending = false;
    const head = await this.#o.chain.head();
    this.#head = head;
    if (cp.number > head) {
      await this.#reorg();
      return true;
    }
    if (cp.number === head) {
      const latest = await this.#o.chain.header(head);
      if (latest && latest.hash !== cp.hash) {
        await this.#reorg();
        return true;
      }
      this.#phase = "live";
      return false;
    }
    const journalFrom = head - this.#o.reorgDepth;
    if (cp.number < journalFrom) {
      this.#phase = "backfill";
      await this.#ranges(journalFrom, false);
    } else if (head - cp.number > 1) {
      // Catching up on blocks that may still be re-orged: ranges as in backfill, journaled.
      if (this.#phase !== "live") this.#phase = "backfill";
      await this.#ranges(head, true);
      if (this.#cp!.number === head) this.#phase = "live";
    } else {
      this.#phase = "live";
      await this.#follow(head);
    }
    if (this.#phase === "live") this.#liveStepAt = Date.now();
    this.#report();
    return true;
  }

  /** Waits out what is left of `followEveryMs` since the last live step (docs/indexer.md). */
  async #spaceLiveSteps(): Promise<void> {
    const wait = this.#liveStepAt + (this.#o.followEveryMs ?? 0) - Date.now();
    if (this.#phase !== "live" || wait <= 0) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#stopWake = null;
        resolve();
      };
      const timer = setTimeout(done, wait);
      this.#stopWake = done;
    });
  }

  /**
   * Blocks up to `through` in ranges, fetching up to `rangesAhead` ranges while the current one is
   * written; they are still committed one by one, in order, each in its own transaction.
   * Journaled ranges (blocks that may still be re-orged) check that their headers form one chain.
   */
  async #ranges(through: number, journaled: boolean): Promise<void> {
    try {
      await this.#rangesWritten(through, journaled);
    } catch (error) {
      await this.#drain().catch(() => undefined);
      throw error;
    }
    // Every step is committed when the ranges are done (the last may have been written behind).
    const t = performance.now();
    await this.#drain();
    this.#waited.database += performance.now() - t;
  }

  async #rangesWritten(through: number, journaled: boolean): Promise<void> {
    // A prefetch that fails while an earlier range is written must not count as unhandled; it
    // still rejects for whoever awaits it.
    const fetch = (from: number) => {
      const request = { fromBlock: from, limit: through, range: this.#range, everyHeader: journaled };
      const p = fetchRange(this.#o.chain, this.#addresses, this.#decode, request);
      p.catch(() => undefined);
      return { from, to: Math.min(through, from + this.#range - 1), fetched: p };
    };
    const ahead: ReturnType<typeof fetch>[] = [];
    let nextFrom = this.#cp!.number + 1;
    const fill = () => {
      while (ahead.length < this.#rangesAhead && nextFrom <= through) {
        const f = fetch(nextFrom);
        ahead.push(f);
        nextFrom = f.to + 1;
      }
    };
    fill();
    while (ahead.length > 0 && !this.#stopping) {
      const t = performance.now();
      const fetched: FetchedRange = await ahead.shift()!.fetched;
      this.#waited.node += performance.now() - t;
      if (fetched.to.number + 1 !== (ahead[0]?.from ?? nextFrom)) {
        // The node refused the range as too large and a smaller one came back: what was fetched
        // after it does not join on; fetch again from where this one ends.
        ahead.length = 0;
        nextFrom = fetched.to.number + 1;
      }
      if (fetched.from.parentHash !== this.#cp!.hash) {
        await this.#reorg();
        return;
      }
      fill();
      for (const part of splitSteps(fetched, 2 * this.#o.targetLogsPerStep)) {
        await this.#commit(part.events, part.headers, part.to, journaled, part.to.number === through);
        if (this.#stopping) return;
      }
      // Aim the ranges not yet requested at the target log count; the node caps nothing on a local
      // chain, but big responses cost memory and small ones cost round trips. A range the node
      // refused as too large caps it.
      const density = fetched.logs / fetched.range;
      const aimed = Math.floor(this.#o.targetLogsPerStep / Math.max(density, 1e-3));
      this.#range = Math.max(
        1,
        Math.min(this.#o.maxBlockRange, aimed, fetched.range < this.#range ? fetched.range : Infinity),
      );
      fill();
      this.#report();
    }
  }

  /** The new head block, journaled so that it can be rolled back. */
  async #follow(number: number): Promise<void> {
    const header = await this.#o.chain.header(number);
    if (!header) return;
    if (header.parentHash !== this.#cp!.hash) return this.#reorg();
    // By hash, not by number: the logs are those of exactly this block even if the head moves.
    const logs = await this.#o.chain.logs({ addresses: this.#addresses, blockHash: header.hash });
    const events = logs.map((l) => this.#decode(l, header.timestamp)).filter((e): e is DecodedEvent => e !== null);
    await this.#commit(events, [header], header, true, true);
  }

  /** `last`: the step reaches the end of what is fetched in ranges (the backfill's last step). */
  async #commit(events: DecodedEvent[], headers: BlockHeader[], to: BlockHeader, journaled: boolean, last: boolean) {
    // Final blocks are written behind where the database offers it (PGlite on its own thread): the
    // step's statements are posted, and the next step is built while the database writes this one.
    // Blocks that may still be re-orged are written and committed before the step returns.
    const behind = !journaled && this.#o.db.writeBehind !== undefined;
    if (!behind || this.#broken) await this.#drain();
    // At most STEPS_WRITTEN_BEHIND steps wait to be committed while this one is built.
    const t = performance.now();
    while (this.#writing.length >= STEPS_WRITTEN_BEHIND) await this.#writing.shift();
    this.#waited.database += performance.now() - t;
    const previous = this.#cp!;
    // Indexes are dropped only by the first step of a new index's backfill that has more to come,
    // and built again by the backfill's last step, or before any block that may still be re-orged.
    const indexes = this.#indexesDeferred
      ? journaled || last
        ? "restore"
        : null
      : this.#newIndex && !journaled && !last && this.#o.deferIndexes !== false
        ? "defer"
        : null;
    const fromBlock = previous.number + 1;
    const withEvents = new Set(events.map((e) => e.blockNumber));
    // Blocks that may still be re-orged are written without the cache: a rollback would change
    // rows behind it. Once such a block is written, the cache no longer knows every row.
    if (journaled) this.#cache.drop();
    const cache = journaled || this.#o.rowCache === false ? undefined : this.#cache;
    const body = async (opened: Queryable) => {
      const tx = this.#o.copyRows === false ? { query: opened.query, exec: opened.exec } : opened;
      // The primary keys of what is only appended (the event log, the handlers' history tables)
      // where it is appended by COPY: saveEvents's other path needs the event log's.
      if (indexes === "defer")
        await deferSecondaryIndexes(tx, tx.copyFrom !== undefined ? [...EVENT_LOG_TABLES, ...WRITE_ONCE_TABLES] : []);
      // Every block that carries events is kept (times, ancestor search); so is the checkpoint block.
      // Written behind, the blocks are not asked back: all are above the checkpoint, so none is stored.
      const newBlocks = await saveBlocks(
        tx,
        headers.filter((h) => h.number === to.number || withEvents.has(h.number)),
        behind,
      );
      const fresh = await saveEvents(tx, events, newBlocks);
      const store = new Store(tx, this.#columns, cache, { inPlace: !journaled });
      await this.#prefetch(store, fresh);
      const ctx = { store, addresses: this.#addressByName };
      for (let i = 0; i < fresh.length; i++) {
        // Now and then the loop lets I/O in: the ranges fetched ahead take two or three requests each,
        // and each answer is read (and the next request sent) only when the loop is idle.
        if (i % HANDLE_BETWEEN_IO === HANDLE_BETWEEN_IO - 1) await new Promise(setImmediate);
        await handlerOf(this.#o.handlers, fresh[i])?.handle(fresh[i], ctx);
      }
      // A journaled step is labelled with its last block and remembers its first: rolling it back
      // returns to the block before it, whichever of its blocks the re-org began at.
      await store.flush(journaled ? { block: to.number, stepFrom: fromBlock } : undefined);
      const floor = !journaled
        ? to.number
        : Math.max(previous.journalFloor, (this.#head ?? to.number) - this.#o.reorgDepth);
      const next: Checkpoint = { number: to.number, hash: to.hash, journalFloor: floor };
      if (indexes === "restore") await restoreDeferredIndexes(tx);
      await advanceCheckpoint(tx, previous, next, Math.max(this.#head ?? to.number, to.number), journaled);
      // The steps before may still be committing: if one fails, the database rolls this one back
      // too (a write-behind transaction is chained to those not yet committed; driver.ts).
      return { touched: store.touched, checkpoint: next };
    };
    const done = (step: { touched: Store["touched"]; checkpoint: Checkpoint }) => {
      this.#committed = {
        cp: step.checkpoint,
        newIndex: false,
        indexesDeferred: indexes === null ? this.#committed.indexesDeferred : indexes === "defer",
      };
      this.#eventsIndexed += events.length;
      this.#rate.add(events.length);
      this.#emit({
        type: "block",
        fromBlock,
        toBlock: step.checkpoint.number,
        events: events.length,
        touched: step.touched,
      });
    };
    if (!behind) {
      // A step that did not commit leaves the cache holding its uncommitted rows.
      const step = await this.#o.db.transaction(body).catch((error) => {
        this.#cache.drop();
        throw error;
      });
      cache?.trim();
      this.#advanceTo(step.checkpoint, indexes);
      done(step);
      return;
    }
    let written: { value: Awaited<ReturnType<typeof body>>; committed: Promise<void> };
    try {
      written = await this.#o.db.writeBehind!(body);
    } catch (error) {
      // Whatever the steps before come to, the state goes back to the last committed step.
      await this.#drain().catch(() => undefined);
      this.#abandon();
      throw error;
    }
    cache?.trim();
    this.#advanceTo(written.value.checkpoint, indexes);
    const writing = written.committed.then(
      () => done(written.value),
      (error) => {
        this.#broken = true;
        this.#abandon();
        throw error;
      },
    );
    // Heard by a later step or by #drain; until then a failure must not count as unhandled.
    writing.catch(() => undefined);
    this.#writing.push(writing);
  }

  /** The engine's view after a step was written (committed, or posted to be written behind). */
  #advanceTo(checkpoint: Checkpoint, indexes: "defer" | "restore" | null): void {
    this.#newIndex = false;
    if (indexes !== null) this.#indexesDeferred = indexes === "defer";
    this.#cp = checkpoint;
  }

  /** The database holds what the engine's view says (after a rollback, a new index, a resume). */
  #settled(): void {
    this.#committed = { cp: this.#cp, newIndex: this.#newIndex, indexesDeferred: this.#indexesDeferred };
  }

  /** A step written behind failed: back to what the database holds, the last committed step. */
  #abandon(): void {
    this.#cache.drop();
    this.#cp = this.#committed.cp;
    this.#newIndex = this.#committed.newIndex;
    this.#indexesDeferred = this.#committed.indexesDeferred;
  }

  /** Waits until every step written behind has settled; rejects with the first failure. */
  async #drain(): Promise<void> {
    const writing = this.#writing.splice(0);
    const settled = await Promise.allSettled(writing);
    this.#broken = false;
    const failed = settled.find((s) => s.status === "rejected");
    if (failed) throw failed.reason;
  }

  async #prefetch(store: Store, events: DecodedEvent[]): Promise<void> {
    const byTable = new Map<TableName, RowRef[1][]>();
    for (const e of events) {
      const prefetch = handlerOf(this.#o.handlers, e)?.prefetch;
      if (!prefetch) continue;
      for (const [table, key] of prefetch(e)) {
        let list = byTable.get(table);
        if (!list) byTable.set(table, (list = []));
        list.push(key);
      }
    }
    // Each list holds keys of its own table (they were grouped by it above).
    for (const [table, keys] of byTable) await store.prefetch(table, keys as never[]);
  }

  /** Finds the newest block we hold that is still canonical and rolls back everything above it. */
  async #reorg(): Promise<void> {
    const { db, chain, log } = this.#o;
    await this.#drain();
    const cp = this.#cp!;
    let ancestor: { number: number; hash: string } | null = null;
    let below = cp.number + 1;
    while (!ancestor) {
      const stored = await storedBlocksBelow(db, below, cp.journalFloor);
      if (stored.length === 0) break;
      const head = await chain.head();
      const canonical = await chain.headers(stored.map((s) => s.number).filter((n) => n <= head));
      ancestor = stored.find((s) => canonical.get(s.number)?.hash === s.hash) ?? null;
      below = stored[stored.length - 1].number;
    }
    this.#reorgs++;
    if (!ancestor) {
      log.warn(
        { checkpoint: cp.number, journalFloor: cp.journalFloor },
        "re-org deeper than the journal; re-indexing from the start block",
      );
      const genesis = await this.#startCheckpoint();
      await db.transaction((tx) => restartIndex(tx, genesis));
      this.#cache.startEmpty(TABLE_NAMES);
      this.#cp = genesis;
      this.#newIndex = true;
      this.#eventsIndexed = 0;
      this.#settled();
      this.#emit({ type: "reorg", ancestor: this.#cp!.number, orphaned: cp.number - this.#cp!.number, reset: true });
      return;
    }
    // A step that straddles the ancestor is undone whole: back to the block before it.
    const common = ancestor.number;
    this.#cache.drop();
    const { target, removedEvents } = await db.transaction((tx) => rollBackTo(tx, this.#columns, common));
    this.#eventsIndexed -= removedEvents;
    this.#cp = { number: target.number, hash: target.hash, journalFloor: cp.journalFloor };
    this.#settled();
    const orphaned = cp.number - target.number;
    log.warn({ ancestor: target.number, orphaned }, "re-org: rolled back to the common ancestor");
    this.#emit({ type: "reorg", ancestor: target.number, orphaned, reset: false });
  }

  async #startCheckpoint(): Promise<Checkpoint> {
    const before = this.#o.startBlock - 1;
    if (before < 0) return { number: -1, hash: ZERO_HASH, journalFloor: -1 };
    const h = await this.#o.chain.header(before);
    if (!h)
      throw new IndexerError(
        "START_BLOCK_MISSING",
        `the node has no block ${before} (start block ${this.#o.startBlock})`,
        { retryable: true },
      );
    return { number: before, hash: h.hash, journalFloor: before };
  }

  #emit(e: SyncEvent): void {
    for (const l of this.#listeners) {
      try {
        l(e);
      } catch (error) {
        this.#o.log.warn({ err: (error as Error).message }, "sync listener failed");
      }
    }
  }

  #report(): void {
    const now = Date.now();
    if (now - this.#lastLog < 5_000) return;
    this.#lastLog = now;
    const s = this.status();
    this.#o.log.info(
      {
        phase: s.phase,
        indexed: s.indexedBlock,
        head: s.headBlock,
        behind: s.blocksBehind,
        eventsPerSecond: s.eventsPerSecond,
        events: s.eventsIndexed,
      },
      "sync progress",
    );
  }

  #sleep(ms: number): Promise<void> {
    if (this.#headPending) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.#wake = () => {
        this.#wake = null;
        done();
      };
    });
  }
}

/**
 * Cuts a fetched range whose events exceed `most` into steps of about `most / 2` events each, at
 * block boundaries (a block is never split: a step ends with a whole block). Ranges are sized by the
 * density of the range before them, so a dense stretch of the chain can bring many times the
 * target; smaller steps keep the memory of one transaction bounded. Each part ends at a block that
 * carries events, whose header the range holds.
 */
export function splitSteps(
  fetched: Pick<FetchedRange, "events" | "headers" | "to">,
  most: number,
): { events: DecodedEvent[]; headers: BlockHeader[]; to: BlockHeader }[] {
  const { events, headers, to } = fetched;
  if (events.length <= most) return [{ events, headers, to }];
  const byNumber = new Map(headers.map((h) => [h.number, h]));
  const parts: { events: DecodedEvent[]; headers: BlockHeader[]; to: BlockHeader }[] = [];
  let start = 0;
  let after = -1;
  for (let i = 1; i <= events.length; i++) {
    const cut = i === events.length || (i - start >= most / 2 && events[i].blockNumber !== events[i - 1].blockNumber);
    if (!cut) continue;
    const last = i === events.length ? to : byNumber.get(events[i - 1].blockNumber)!;
    parts.push({
      events: events.slice(start, i),
      headers: headers.filter((h) => h.number > after && h.number <= last.number),
      to: last,
    });
    after = last.number;
    start = i;
  }
  return parts;
}

/** Identifies what the database indexes, so that it is never mixed with another deployment. */
export function deploymentFingerprint(chainId: number, contracts: readonly ContractSpec[], startBlock: number): string {
  const parts = contracts.map((c) => `${c.name}=${c.address.toLowerCase()}`).sort();
  return `${chainId}@${startBlock}:${parts.join(",")}`;
}
