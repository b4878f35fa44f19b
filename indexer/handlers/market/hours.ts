// Hour-by-hour bookkeeping the market's events imply (docs/indexer.md, "Hours"): each offer's use
// per hour, and the green supply and demand of each region per hour.
import type { Store } from "../../db/store.ts";
import type { OfferHourRow, RegionHourRow } from "../../db/tables.ts";
import type { DecodedEvent } from "../../sync/decode.ts";
import { type Amount, add } from "../util.ts";

type RegionAmounts = Partial<Pick<RegionHourRow, "green_offered_wh" | "green_sold_wh" | "demand_wh">>;
type RegionDeltas = { [C in keyof RegionAmounts]: Amount };

/** Adds `deltas` (negative to take away) to one region's hour. */
export async function addRegionHour(
  store: Store,
  e: DecodedEvent,
  region: number,
  hour: number,
  deltas: RegionDeltas,
): Promise<void> {
  const d = (c: keyof RegionAmounts) => String(deltas[c] ?? 0);
  await store.upsert(
    "region_hours",
    [region, hour],
    () => ({
      region,
      hour,
      green_offered_wh: d("green_offered_wh"),
      green_sold_wh: d("green_sold_wh"),
      demand_wh: d("demand_wh"),
      updated_block: e.blockNumber,
    }),
    (r) => ({
      green_offered_wh: add(r.green_offered_wh, d("green_offered_wh")),
      green_sold_wh: add(r.green_sold_wh, d("green_sold_wh")),
      demand_wh: add(r.demand_wh, d("demand_wh")),
      updated_block: e.blockNumber,
    }),
  );
}

/**
 * Records `amount` sold in one hour of an offer. Compute and link hours are created on first use
 * with the offer's capacity; an energy hour exists from posting, and selling more than it has left
 * means the index has lost track of the chain.
 */
export async function sellOfferHour(
  store: Store,
  e: DecodedEvent,
  kind: OfferHourRow["kind"],
  offerId: string,
  hour: number,
  capacity: Amount,
  amount: Amount,
): Promise<void> {
  const check = (h: Pick<OfferHourRow, "capacity" | "used">) => {
    const used = add(h.used, amount);
    if (BigInt(used) > BigInt(h.capacity)) {
      throw new Error(`${kind} offer ${offerId} would sell ${used} of ${h.capacity} in hour ${hour}`);
    }
    return { used, updated_block: e.blockNumber };
  };
  if (kind === "energy") {
    await store.update("offer_hours", [kind, offerId, hour], check);
    return;
  }
  await store.upsert(
    "offer_hours",
    [kind, offerId, hour],
    () => ({
      kind,
      offer_id: offerId,
      hour,
      capacity: String(capacity),
      ...check({ capacity: String(capacity), used: "0" }),
    }),
    check,
  );
}
