// The mappers against the two things they sit between: every field a mapper produces is a field of
// its GraphQL type and every field of the type is produced (so renaming either side fails here),
// and every column a mapper reads exists in the schema the migrations build.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { buildSchema, GraphQLObjectType } from "graphql";
import { type Database, openDatabase } from "../../../indexer/db/driver.ts";
import { migrate } from "../../../indexer/db/migrate.ts";
import * as h from "../../../indexer/graphql/hours.ts";
import * as m from "../../../indexer/graphql/mappers.ts";

const schema = buildSchema(
  readFileSync(path.join(import.meta.dirname, "../../../indexer/graphql/schema.graphql"), "utf8"),
);

/** Each mapper, the GraphQL type it produces, and the table whose rows it reads. */
const MAPPERS: [name: string, map: (row: never) => object | null, type: string, table: string][] = [
  ["mapOrder", m.mapOrder, "Order", "orders"],
  ["mapDeal", m.mapDeal, "Deal", "deals"],
  ["mapLot", m.mapLot, "DealLot", "deal_lots"],
  ["mapDealHour", h.mapDealHour, "DealHour", "deal_hours"],
  ["mapCertificateHour", h.mapCertificateHour, "CertificateHour", "certificate_hours"],
  ["mapPayment", m.mapPayment, "Payment", "deal_payments"],
  ["mapStep", m.mapStep, "DealStep", "deal_steps"],
  ["mapReport", m.mapReport, "UsageReport", "usage_reports"],
  ["mapTrade", m.mapTrade, "Trade", "trades"],
  ["mapSkipped", m.mapSkipped, "SkippedMatch", "skipped_matches"],
  ["mapActivity", m.mapActivity, "Event", "events"],
  ["mapDevice", m.mapDevice, "Device", "devices"],
  ["mapBatch", m.mapBatch, "CertificateBatch", "certificate_batches"],
  ["mapHolding", m.mapHolding, "CertificateHolding", "certificate_balances"],
  ["mapRetirement", m.mapRetirement, "Retirement", "retirements"],
  ["mapCreditMint", m.mapCreditMint, "CreditMint", "credit_mints"],
  ["mapCreditRetirement", m.mapCreditRetirement, "CreditRetirement", "credit_retirements"],
  ["mapMarketParam", m.mapMarketParam, "MarketParam", "market_params"],
  ["mapScheduledChange", m.mapScheduledChange, "ScheduledChange", "scheduled_changes"],
];

/** A row that answers "1" for every column and remembers which columns were read. */
function recordingRow(): { row: never; read: Set<string> } {
  const read = new Set<string>();
  const row = new Proxy(
    {},
    {
      get: (_t, column) => {
        if (typeof column === "string") read.add(column);
        return "1";
      },
    },
  );
  return { row: row as never, read };
}

describe("GraphQL mappers", () => {
  let db: Database;
  before(async () => {
    db = await openDatabase({ kind: "pglite" });
    await migrate(db);
  });
  after(async () => {
    await db.close();
  });

  for (const [name, map, typeName, table] of MAPPERS) {
    it(`${name} gives exactly the fields of ${typeName} and reads only columns of ${table}`, async () => {
      const type = schema.getType(typeName);
      assert.ok(type instanceof GraphQLObjectType, `${typeName} is an object type of the schema`);
      const { row, read } = recordingRow();
      const mapped = map(row);
      assert.ok(mapped, `${name} maps a row`);
      assert.deepEqual(Object.keys(mapped).sort(), Object.keys(type.getFields()).sort());

      const columns = await db.query<{ column_name: string }>(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1",
        [table],
      );
      const known = new Set(columns.map((c) => c.column_name));
      assert.ok(known.size > 0, `table ${table} exists`);
      assert.deepEqual(
        [...read].filter((c) => !known.has(c)),
        [],
        `${name} reads columns ${table} does not have`,
      );
    });
  }
});
