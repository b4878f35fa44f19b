// The sync loop's own bookkeeping in the database: the checkpoint (sync_state), the blocks kept for
// re-org detection, and the raw event log with its account links. The engine (sync/engine.ts)
// decides when; this module knows how (docs/indexer.md).
import { IndexerError } from "../errors.ts";
import type { BlockHeader } from "../sync/chain.ts";
import type { DecodedEvent } from "../sync/decode.ts";
import type { Queryable } from "./driver.ts";
import { firstJournaledBlockAbove, pruneJournal, rollbackJournal } from "./journal.ts";
import { columnList, insertRows, jsonParam, type TableColumns } from "./recordset.ts";
import { type AccountEventRow, type BlockRow, type EventRow, type SyncStateRow, TABLE_NAMES } from "./tables.ts";

/** Where the index stands: every effect of blocks up to `number` is written, none beyond. */
export type Checkpoint = { number: number; hash: string; journalFloor: number };

export async function readSyncState(db: Queryable): Promise<SyncStateRow | null> {
  const [state] = await db.query<SyncStateRow>(
    "SELECT chain_id, deployment, block_number, block_hash, journal_floor, head_block FROM sync_state",
  );
  return state ?? null;
}

export async function countEvents(db: Queryable): Promise<number> {
  return (await db.query<{ n: number }>("SELECT count(*)::int8 AS n FROM events"))[0].n;
}

/**
 * Empties every table the index writes (the checkpoint row stays). Tables expected empty (a new
 * database) are cleared with DELETE, which is free on an empty table; TRUNCATE creates new files
 * for each of them, which costs PGlite over a second.
 */
async function clearIndex(tx: Queryable, expectEmpty = false): Promise<void> {
  const tables = [...TABLE_NAMES, "events", "account_events", "blocks", "reorg_journal"];
  if (!expectEmpty) await tx.query(`TRUNCATE ${tables.join(", ")}`);
  else for (const t of tables) await tx.query(`DELETE FROM ${t}`);
}

/**
 * Starts a new index of `deployment` at `start`, dropping whatever the database held. `replacing`
 * says the database held an index (of another deployment); without one, steps never wrote a row.
 */
export async function startNewIndex(
  tx: Queryable,
  chainId: number,
  deployment: string,
  start: Checkpoint,
  replacing = true,
): Promise<void> {
  await clearIndex(tx, !replacing);
  await tx.query("DELETE FROM sync_state");
  await tx.query(
    "INSERT INTO sync_state (chain_id, deployment, block_number, block_hash, journal_floor, head_block) VALUES ($1, $2, $3, $4, $3, $3)",
    [chainId, deployment, start.number, start.hash],
  );
}

/** Rebuilds the same deployment's index from `start` (a re-org deeper than the journal). */
export async function restartIndex(tx: Queryable, start: Checkpoint): Promise<void> {
  await clearIndex(tx);
  await tx.query("UPDATE sync_state SET block_number = $1, block_hash = $2, journal_floor = $1, updated_at = now()", [
    start.number,
    start.hash,
  ]);
}

/**
 * Keeps the headers of `blocks` (those carrying events, and the checkpoint's). Returns the numbers
 * of the blocks that were not kept before.
 *
 * `aboveCheckpoint`: every block is above the checkpoint, where the table holds none (a step writes
 * its blocks with its checkpoint, a rollback deletes the blocks above its target): they are
 * inserted without asking which are new, and should one be stored after all, the INSERT fails the
 * step. It saves waiting for the answer when the step is written behind (Database.writeBehind).
 */
export async function saveBlocks(
  tx: Queryable,
  blocks: readonly BlockHeader[],
  aboveCheckpoint = false,
): Promise<Set<number>> {
  const rows: BlockRow[] = blocks.map((b) => ({
    number: b.number,
    hash: b.hash,
    parent_hash: b.parentHash,
    timestamp: b.timestamp,
  }));
  if (aboveCheckpoint) {
    await tx.query(
      `INSERT INTO blocks (number, hash, parent_hash, timestamp)
       SELECT number, hash, parent_hash, timestamp FROM json_to_recordset($1::json) AS b(number int8, hash text, parent_hash text, timestamp int8)`,
      [jsonParam(rows)],
    );
    return new Set(rows.map((b) => b.number));
  }
  const fresh = await tx.query<{ number: number }>(
    `INSERT INTO blocks (number, hash, parent_hash, timestamp)
     SELECT number, hash, parent_hash, timestamp FROM json_to_recordset($1::json) AS b(number int8, hash text, parent_hash text, timestamp int8)
     ON CONFLICT (number) DO NOTHING RETURNING number`,
    [jsonParam(rows)],
  );
  return new Set(fresh.map((b) => b.number));
}

const EVENT_COLUMNS = columnList(
  ["block_number", "log_index", "block_time", "tx_hash", "contract", "name", "args"],
  ["args"],
);
const ACCOUNT_EVENT_COLUMNS = columnList(["account", "block_number", "log_indexes"], []);

/**
 * Appends events to the log and links them to the accounts they name. Returns the events that
 * were new: only those are handed to the handlers, so replaying a step applies nothing twice.
 *
 * `newBlocks` are the blocks this transaction kept for the first time (`saveBlocks`). A step
 * keeps the block of every event it writes, and events and blocks above a number only ever go
 * together (rollBackTo, a new index): so when every event's block is new, none of the events can
 * be in the log, and they are appended by COPY where the database takes it, with no conflict check.
 */
export async function saveEvents(
  tx: Queryable,
  events: readonly DecodedEvent[],
  newBlocks: ReadonlySet<number> = new Set(),
): Promise<DecodedEvent[]> {
  if (events.length === 0) return [];
  if (tx.copyFrom && events.every((e) => newBlocks.has(e.blockNumber))) {
    await tx.copyFrom("events", EVENT_COLUMNS, eventsCopyText(events));
    const links = accountEvents(events);
    if (links.length > 0) await insertRows(tx, "account_events", ACCOUNT_EVENT_COLUMNS, links);
    return [...events];
  }
  const rows: EventRow[] = events.map(eventRow);
  const [{ n }] = await tx.query<{ n: number }>(
    `WITH fresh AS (
       INSERT INTO events SELECT * FROM json_populate_recordset(null::events, $1::json)
       ON CONFLICT (block_number, log_index) DO NOTHING RETURNING 1)
     SELECT count(*)::int4 AS n FROM fresh`,
    [jsonParam(rows)],
  );
  let fresh = [...events];
  // Only a replayed step can hit rows already there; then find out which events are new.
  if (n !== events.length) {
    const seen = await tx.query<Pick<EventRow, "block_number" | "log_index">>(
      `SELECT e.block_number, e.log_index FROM events e JOIN json_to_recordset($1::json) AS k(block_number int8, log_index int4)
       USING (block_number, log_index) WHERE e.xmin = pg_current_xact_id()::xid`,
      [jsonParam(rows.map((r) => ({ block_number: r.block_number, log_index: r.log_index })))],
    );
    const inserted = new Set(seen.map((r) => `${r.block_number}:${r.log_index}`));
    fresh = events.filter((e) => inserted.has(`${e.blockNumber}:${e.logIndex}`));
  }
  const links = accountEvents(fresh);
  if (links.length > 0) {
    // A block's events are written whole, so a row is never extended; merging keeps it right if one were.
    await tx.query(
      `INSERT INTO account_events SELECT * FROM json_populate_recordset(null::account_events, $1::json)
       ON CONFLICT (account, block_number) DO UPDATE SET log_indexes = ARRAY(
         SELECT DISTINCT i FROM unnest(account_events.log_indexes || excluded.log_indexes) i ORDER BY i)`,
      [jsonParam(links)],
    );
  }
  return fresh;
}

function eventRow(e: DecodedEvent): EventRow {
  return {
    block_number: e.blockNumber,
    log_index: e.logIndex,
    block_time: e.blockTime,
    tx_hash: e.txHash,
    contract: e.contract,
    name: e.name,
    args: e.args,
  };
}

/**
 * The events' rows in COPY's text format, written straight from the decoded events (what
 * `insertRows` would write from `eventRow`s, without an object per row). Hashes are hex and contract
 * and event names identifiers, so only the arguments' JSON can hold a character COPY escapes: a
 * backslash (JSON writes tabs and line breaks as escapes).
 */
function eventsCopyText(events: readonly DecodedEvent[]): string {
  let out = "";
  for (const e of events) {
    const args = JSON.stringify(e.args);
    out += `${e.blockNumber}\t${e.logIndex}\t${e.blockTime}\t${e.txHash}\t${e.contract}\t${e.name}\t${
      args.includes("\\") ? args.replaceAll("\\", "\\\\") : args
    }\n`;
  }
  return out;
}

/** The rows of `account_events` for `events` (in chain order): one per account and block. */
function accountEvents(events: readonly DecodedEvent[]): AccountEventRow[] {
  const rows: AccountEventRow[] = [];
  let block = -1;
  let ofBlock = new Map<string, number[]>();
  for (const e of events) {
    if (e.blockNumber !== block) {
      block = e.blockNumber;
      ofBlock = new Map();
    }
    for (const account of e.accounts) {
      const logIndexes = ofBlock.get(account);
      if (logIndexes) logIndexes.push(e.logIndex);
      else {
        const row: AccountEventRow = { account, block_number: block, log_indexes: [e.logIndex] };
        ofBlock.set(account, row.log_indexes);
        rows.push(row);
      }
    }
  }
  return rows;
}

/**
 * Moves the checkpoint to `to` in the step's transaction. After a journaled step, a journal floor
 * that rose forgets the journal of the blocks it passed.
 */
export async function advanceCheckpoint(
  tx: Queryable,
  previous: Checkpoint,
  to: Checkpoint,
  headBlock: number,
  journaled: boolean,
): Promise<void> {
  if (journaled && to.journalFloor > previous.journalFloor) await pruneJournal(tx, to.journalFloor);
  await tx.query(
    "UPDATE sync_state SET block_number = $1, block_hash = $2, journal_floor = $3, head_block = $4, updated_at = now()",
    [to.number, to.hash, to.journalFloor, headBlock],
  );
}

/** Up to `limit` stored blocks below `below` and at or above `floor`, newest first (ancestor search). */
export async function storedBlocksBelow(
  db: Queryable,
  below: number,
  floor: number,
  limit = 50,
): Promise<Pick<BlockRow, "number" | "hash">[]> {
  return db.query<Pick<BlockRow, "number" | "hash">>(
    "SELECT number, hash FROM blocks WHERE number < $1 AND number >= $2 ORDER BY number DESC LIMIT $3",
    [below, floor, limit],
  );
}

/**
 * Rolls the index back to the newest block at or below `ancestor` that no journaled step straddles
 * (a step is undone whole), and moves the checkpoint there. Returns it and how many events went.
 */
export async function rollBackTo(
  tx: Queryable,
  columns: TableColumns,
  ancestor: number,
): Promise<{ target: { number: number; hash: string }; removedEvents: number }> {
  const first = await firstJournaledBlockAbove(tx, ancestor);
  const number = first === null ? ancestor : Math.min(ancestor, first - 1);
  const [kept] = await tx.query<Pick<BlockRow, "hash">>("SELECT hash FROM blocks WHERE number = $1", [number]);
  if (!kept) throw new IndexerError("ROLLBACK_TARGET_MISSING", `no stored block ${number} to roll back to`);
  await rollbackJournal(tx, columns, ancestor);
  const gone = await tx.query("DELETE FROM events WHERE block_number > $1 RETURNING log_index", [number]);
  await tx.query("DELETE FROM account_events WHERE block_number > $1", [number]);
  await tx.query("DELETE FROM blocks WHERE number > $1", [number]);
  await tx.query("UPDATE sync_state SET block_number = $1, block_hash = $2, updated_at = now()", [number, kept.hash]);
  return { target: { number, hash: kept.hash }, removedEvents: gone.length };
}
