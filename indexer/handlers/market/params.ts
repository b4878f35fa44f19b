// The market's settings as last set (fee, treasury, deal periods, emission factors, pause), and the
// fee totals kept beside them.
import type { Store } from "../../db/store.ts";
import type { DecodedEvent } from "../../sync/decode.ts";
import type { ContractHandlers } from "../types.ts";
import { add } from "../util.ts";

export async function setParam(store: Store, e: DecodedEvent, name: string, value: string): Promise<void> {
  await store.upsert(
    "market_params",
    [name],
    () => ({ name, value, updated_block: e.blockNumber }),
    () => ({ value, updated_block: e.blockNumber }),
  );
}

/** Adds `amount` (negative to take off) to a running total kept as a setting. */
export async function addParam(store: Store, e: DecodedEvent, name: string, amount: string): Promise<void> {
  const current = (await store.get("market_params", [name]))?.value ?? "0";
  await setParam(store, e, name, add(current, amount));
}

/** The treasury as last set, or null before any TreasurySet. */
export async function treasury(store: Store): Promise<string | null> {
  return (await store.get("market_params", ["treasury"]))?.value ?? null;
}

export const paramHandlers: ContractHandlers<"Market"> = {
  FeeSet: { handle: (e, { store }) => setParam(store, e, "feeBps", String(e.args.feeBps)) },
  TreasurySet: { handle: (e, { store }) => setParam(store, e, "treasury", e.args.treasury) },
  DealPeriodsSet: {
    handle: async (e, { store }) => {
      await setParam(store, e, "challengePeriod", String(e.args.challengePeriod));
      await setParam(store, e, "reportGracePeriod", String(e.args.reportGracePeriod));
    },
  },
  ArbitrationPeriodSet: {
    handle: (e, { store }) => setParam(store, e, "arbitrationPeriod", String(e.args.arbitrationPeriod)),
  },
  GridFactorSet: {
    handle: (e, { store }) => setParam(store, e, `gridFactor:${e.args.region}`, String(e.args.gCO2ePerKwh)),
  },
  SourceFactorSet: {
    handle: (e, { store }) => setParam(store, e, `sourceFactor:${e.args.source}`, String(e.args.gCO2ePerKwh)),
  },
  Paused: { handle: (e, { store }) => setParam(store, e, "paused", "true") },
  Unpaused: { handle: (e, { store }) => setParam(store, e, "paused", "false") },
};
