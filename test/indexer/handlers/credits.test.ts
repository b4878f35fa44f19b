// The carbon credit handlers without a chain: events built by hand (typed from the ABI as the
// decoder hands them over) run through the store on a real PGlite database. Credits are kept as
// first-in-first-out lots per deal, so a retirement claims the oldest credits its holder has.
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import type { EventNameOf } from "../../../indexer/contracts.ts";
import { type Database, openDatabase } from "../../../indexer/db/driver.ts";
import { migrate } from "../../../indexer/db/migrate.ts";
import { readColumns, type TableColumns } from "../../../indexer/db/recordset.ts";
import { Store } from "../../../indexer/db/store.ts";
import { TABLE_NAMES } from "../../../indexer/db/tables.ts";
import { handlers } from "../../../indexer/handlers/index.ts";
import { handlerOf } from "../../../indexer/handlers/types.ts";
import { ZERO_ADDRESS } from "../../../indexer/handlers/util.ts";
import type { ContractEvent, DecodedEvent } from "../../../indexer/sync/decode.ts";

const A = "0x00000000000000000000000000000000000000a1";
const B = "0x00000000000000000000000000000000000000b2";

let block = 100;

function event<N extends EventNameOf<"CarbonCredits">>(
  name: N,
  args: ContractEvent<"CarbonCredits", N>["args"],
): ContractEvent<"CarbonCredits", N> {
  block += 1;
  return {
    contract: "CarbonCredits",
    address: "0x00000000000000000000000000000000000000cc",
    name,
    args,
    accounts: [],
    blockNumber: block,
    blockHash: `0x${block.toString(16).padStart(64, "0")}`,
    blockTime: 1_700_000_000 + block,
    txHash: `0x${(block * 7).toString(16).padStart(64, "0")}`,
    txIndex: 0,
    logIndex: 0,
  };
}

/** A mint as the token emits it: Transfer from zero, then CreditsMinted naming the deal. */
const mint = (to: `0x${string}`, dealId: string, amount: string) => [
  event("Transfer", { from: ZERO_ADDRESS, to, value: amount }),
  event("CreditsMinted", { dealId, to, amount }),
];

/** A retirement: the burn, then CreditsRetired. */
const retire = (holder: `0x${string}`, amount: string, reason: string) => [
  event("Transfer", { from: holder, to: ZERO_ADDRESS, value: amount }),
  event("CreditsRetired", { holder, beneficiary: holder, amount, reason }),
];

describe("carbon credit handlers", () => {
  let db: Database;
  let columns: TableColumns;

  /** Runs the events as one sync step would: one transaction, one store, one flush. */
  const apply = (events: DecodedEvent[]) =>
    db.transaction(async (tx) => {
      const store = new Store(tx, columns);
      for (const e of events) await handlerOf(handlers, e)!.handle(e, { store, addresses: {} });
      await store.flush();
    });

  before(async () => {
    db = await openDatabase({ kind: "pglite" });
    await migrate(db);
    columns = await readColumns(db, TABLE_NAMES);
  });
  beforeEach(async () => {
    await db.query(`TRUNCATE ${TABLE_NAMES.join(", ")}`);
  });
  after(async () => {
    await db.close();
  });

  it("moves the oldest lots on a transfer and lets a retirement claim them per deal", async () => {
    await apply([...mint(A, "1", "300"), ...mint(A, "2", "500")]);
    // 400 to B: all 300 of deal 1, then 100 of deal 2.
    await apply([event("Transfer", { from: A, to: B, value: "400" })]);
    const holders = await db.query<{ account: string; balance: string; lots: unknown }>(
      "SELECT account, balance, lots FROM credit_holders ORDER BY account",
    );
    assert.deepEqual(holders, [
      { account: A, balance: "400", lots: [{ dealId: "2", amount: "400" }] },
      {
        account: B,
        balance: "400",
        lots: [
          { dealId: "1", amount: "300" },
          { dealId: "2", amount: "100" },
        ],
      },
    ]);

    await apply(retire(B, "350", "scope 2"));
    const claims = await db.query<{ deal_id: string; amount: string }>(
      "SELECT deal_id, amount FROM credit_allocations ORDER BY deal_id",
    );
    assert.deepEqual(claims, [
      { deal_id: "1", amount: "300" },
      { deal_id: "2", amount: "50" },
    ]);
    const [b] = await db.query<{ balance: string; lots: unknown }>(
      "SELECT balance, lots FROM credit_holders WHERE account = $1",
      [B],
    );
    assert.deepEqual(b, { balance: "50", lots: [{ dealId: "2", amount: "50" }] });
  });

  it("merges consecutive credits of one deal into one lot", async () => {
    await apply([...mint(A, "3", "10"), ...mint(A, "3", "15")]);
    const [a] = await db.query<{ lots: unknown }>("SELECT lots FROM credit_holders WHERE account = $1", [A]);
    assert.deepEqual(a.lots, [{ dealId: "3", amount: "25" }]);
  });

  it("fails the whole step, writing nothing, when a transfer exceeds the balance", async () => {
    await apply(mint(A, "1", "100"));
    await assert.rejects(apply([event("Transfer", { from: A, to: B, value: "101" })]), /below zero/);
    const rows = await db.query<{ account: string; balance: string }>(
      "SELECT account, balance FROM credit_holders ORDER BY account",
    );
    assert.deepEqual(rows, [{ account: A, balance: "100" }]);
  });
});
