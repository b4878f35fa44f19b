// The hourly bookkeeping of the market handlers without a chain: events built by hand (typed from
// the ABI as the decoder hands them over) run through the store on a real PGlite database. A block
// whose events would sell an offer's hour beyond its capacity is refused whole, writing nothing.
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
import type { ContractEvent, DecodedEvent } from "../../../indexer/sync/decode.ts";

const SUPPLIER = "0x00000000000000000000000000000000000000a1";
const BUYER = "0x00000000000000000000000000000000000000b2";
const COMPUTE = "0x00000000000000000000000000000000000000c3";
const ZERO = "0x0000000000000000000000000000000000000000";
/** The first hour of everything below (on the hour). */
const H = 1_767_225_600;
const GANSU = 7;

let block = 100;

function event<N extends EventNameOf<"Market">>(
  name: N,
  args: ContractEvent<"Market", N>["args"],
): ContractEvent<"Market", N> {
  block += 1;
  return {
    contract: "Market",
    address: "0x00000000000000000000000000000000000000dd",
    name,
    args,
    accounts: [],
    blockNumber: block,
    blockHash: `0x${block.toString(16).padStart(64, "0")}`,
    blockTime: H - 86_400 + block,
    txHash: `0x${(block * 7).toString(16).padStart(64, "0")}`,
    txIndex: 0,
    logIndex: 0,
  };
}

/** Energy offer 1: device 3 in Gansu, 1,000 Wh in hour H and 500 Wh in H + 1 h. */
const energyOffer = () =>
  event("EnergyOfferPosted", {
    offerId: "1",
    supplier: SUPPLIER,
    deviceId: "3",
    source: 1,
    region: GANSU,
    offer: { deviceId: 3, firstHour: H, whPerHour: ["1000", "500"], reservePricePerKwh: "40000", expiry: H },
  });

const computeOffer = () =>
  event("ComputeOfferPosted", {
    offerId: "1",
    supplier: COMPUTE,
    offer: {
      hardwareClass: 2,
      region: GANSU,
      windowStart: H,
      windowEnd: H + 2 * 3600,
      vcu: 10,
      reservePricePerVcuHour: "1",
      whPerVcuHour: 100,
      pueMilli: 1000,
      expiry: H,
    },
  });

const bid = () =>
  event("BidPosted", {
    bidId: "1",
    buyer: BUYER,
    bid: {
      hardwareClass: 2,
      acceptableRegions: 1 << GANSU,
      buyerRegion: GANSU,
      earliestStart: H,
      latestEnd: H + 2 * 3600,
      durationHours: 2,
      vcu: 10,
      limitPricePerVcuHour: "10",
      minGreenBps: 0,
      certificateOrigin: 1,
      bandwidthMbps: 0,
      maxLatencyMs: 0,
      expiry: H,
    },
    escrow: "200",
  });

/** A deal of the whole bid buying `wh` of the energy offer in its second hour. */
const dealOpened = (wh: string) =>
  event("DealOpened", {
    dealId: "1",
    bidId: "1",
    buyer: BUYER,
    terms: {
      bidId: "1",
      buyer: BUYER,
      computeOfferId: "1",
      computeSupplier: COMPUTE,
      computeRegion: GANSU,
      start: H,
      durationHours: 2,
      vcu: "10",
      computePayment: "20",
      needPerHourWh: "1000",
      energyLots: [
        { offerId: "1", supplier: SUPPLIER, deviceId: "3", hour: H + 3600, wh, payment: "1", sourceFactor: 0 },
      ],
      bandwidthOfferId: "0",
      bandwidthSupplier: ZERO,
      bandwidthMbps: "0",
      bandwidthPayment: "0",
      fee: "0",
      escrow: "200",
      gridFactor: 610,
      minGreenBps: 0,
      certificateOrigin: 1,
      reportDeadline: H + 3 * 3600,
      challengePeriod: 3600,
    },
  });

describe("hourly bookkeeping of the market handlers", () => {
  let db: Database;
  let columns: TableColumns;

  /** Runs the events as one sync step would: one transaction, one store, one flush. */
  const apply = (events: DecodedEvent[]) =>
    db.transaction(async (tx) => {
      const store = new Store(tx, columns);
      for (const e of events) await handlerOf(handlers, e)!.handle(e, { store, addresses: {} });
      await store.flush();
    });
  const rows = (sql: string) => db.query<Record<string, unknown>>(sql);

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

  it("reads a deal's hours in one statement when its report comes in a later step", async () => {
    await apply([energyOffer(), computeOffer(), bid(), dealOpened("400")]);
    const reported = event("UsageReported", {
      dealId: "1",
      computeSupplier: COMPUTE,
      report: { vcuPerHour: [10, 10], whPerHour: ["900", "950"], meteringRoot: `0x${"ab".repeat(32)}` },
      challengeEnd: String(H + 4 * 3600),
    });
    const reads: string[] = [];
    await db.transaction(async (tx) => {
      const counted = {
        ...tx,
        query: <T>(sql: string, params?: unknown[]) => {
          if (/^\s*SELECT/i.test(sql)) reads.push(sql);
          return tx.query<T>(sql, params);
        },
      };
      // A store with no rows in memory, as in a step of blocks near the head.
      const store = new Store(counted, columns);
      await handlerOf(handlers, reported)!.handle(reported, { store, addresses: {} });
      await store.flush();
    });
    assert.equal(reads.filter((sql) => /\bdeal_hours\b/.test(sql)).length, 1, "one read of the deal's two hours");
    assert.deepEqual(await rows("SELECT hour, vcu_delivered, metered_wh FROM deal_hours ORDER BY hour"), [
      { hour: H, vcu_delivered: 10, metered_wh: "900" },
      { hour: H + 3600, vcu_delivered: 10, metered_wh: "950" },
    ]);
  });

  it("refuses a whole block that would sell an energy hour beyond what its offer named", async () => {
    await apply([energyOffer(), computeOffer(), bid()]);
    const before = {
      offerHours: await rows("SELECT * FROM offer_hours ORDER BY kind, hour"),
      regionHours: await rows("SELECT * FROM region_hours ORDER BY region, hour"),
      orders: await rows("SELECT kind, id, remaining, status FROM orders ORDER BY kind, id"),
    };
    await assert.rejects(apply([dealOpened("501")]), /energy offer 1 would sell 501 of 500 in hour/);
    assert.deepEqual(await rows("SELECT * FROM deals"), []);
    assert.deepEqual(await rows("SELECT * FROM deal_hours"), []);
    assert.deepEqual(await rows("SELECT * FROM offer_hours ORDER BY kind, hour"), before.offerHours);
    assert.deepEqual(await rows("SELECT * FROM region_hours ORDER BY region, hour"), before.regionHours);
    assert.deepEqual(await rows("SELECT kind, id, remaining, status FROM orders ORDER BY kind, id"), before.orders);

    // The same deal within the hour's Wh is written whole: every job hour of the compute offer, the
    // lot's energy hour, the deal's hours and the region's demand and sales.
    await apply([dealOpened("500")]);
    assert.deepEqual(
      (await rows("SELECT kind, hour, capacity, used FROM offer_hours ORDER BY kind, hour")).map((r) => [
        r.kind,
        Number(r.hour) - H,
        r.capacity,
        r.used,
      ]),
      [
        ["compute", 0, "10", "10"],
        ["compute", 3600, "10", "10"],
        ["energy", 0, "1000", "0"],
        ["energy", 3600, "500", "500"],
      ],
    );
    assert.deepEqual(
      (await rows("SELECT hour, need_wh, green_wh FROM deal_hours ORDER BY hour")).map((r) => [
        Number(r.hour) - H,
        r.need_wh,
        r.green_wh,
      ]),
      [
        [0, "1000", "0"],
        [3600, "1000", "500"],
      ],
    );
    assert.deepEqual(
      (await rows("SELECT hour, green_offered_wh, green_sold_wh, demand_wh FROM region_hours ORDER BY hour")).map(
        (r) => [Number(r.hour) - H, r.green_offered_wh, r.green_sold_wh, r.demand_wh],
      ),
      [
        [0, "1000", "0", "1000"],
        [3600, "500", "500", "1000"],
      ],
    );
  });

  it("frees an energy offer's unsold Wh hour by hour when it is cancelled", async () => {
    await apply([energyOffer(), computeOffer(), bid(), dealOpened("200")]);
    await apply([
      event("EnergyOfferCancelled", {
        offerId: "1",
        supplier: SUPPLIER,
        deviceId: "3",
        unsoldWhPerHour: ["1000", "300"],
      }),
    ]);
    assert.deepEqual(
      (await rows("SELECT hour, capacity, used FROM offer_hours WHERE kind = 'energy' ORDER BY hour")).map((r) => [
        Number(r.hour) - H,
        r.capacity,
        r.used,
      ]),
      [
        [0, "0", "0"],
        [3600, "200", "200"],
      ],
    );
    assert.deepEqual(
      (await rows("SELECT hour, green_offered_wh, green_sold_wh FROM region_hours ORDER BY hour")).map((r) => [
        Number(r.hour) - H,
        r.green_offered_wh,
        r.green_sold_wh,
      ]),
      [
        [0, "0", "0"],
        [3600, "200", "200"],
      ],
    );
    assert.deepEqual(await rows("SELECT remaining, cancelled, status FROM orders WHERE kind = 'energy'"), [
      { remaining: "0", cancelled: "1300", status: "cancelled" },
    ]);
  });
});
