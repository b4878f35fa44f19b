// The market's settings as last set (fee, treasury, deal periods, emission factors, pause), the
// fee totals kept beside them, and the changes scheduled to take effect later (docs/market-rules.md).
import type { Store } from "../../db/store.ts";
import type { DecodedEvent } from "../../sync/decode.ts";
import type { ContractHandlers } from "../types.ts";
import { add, at } from "../util.ts";

/** IMarket.Parameter, in the contract's order. */
export const PARAMETERS = [
  "Fee",
  "ChallengePeriod",
  "ReportGracePeriod",
  "ArbitrationPeriod",
  "GridFactor",
  "SourceFactor",
] as const;
const parameter = (name: (typeof PARAMETERS)[number]) => PARAMETERS.indexOf(name);

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

/**
 * Forgets the scheduled change an applied setting came from. applyParameterChange deletes it on
 * chain and emits only the setting's own event, whose parameter and key identify it.
 */
async function applied(store: Store, name: (typeof PARAMETERS)[number], key: number | string): Promise<void> {
  const k = [parameter(name), String(key)] as const;
  if (await store.get("scheduled_changes", k)) await store.delete("scheduled_changes", k);
}

export const paramHandlers: ContractHandlers<"Market"> = {
  ParameterChangeScheduled: {
    prefetch: (e) => [["scheduled_changes", [e.args.parameter, e.args.key]]],
    handle: async (e, { store }) => {
      const change = { value: e.args.value, effective_at: Number(e.args.effectiveAt), ...at(e) };
      // Scheduling again replaces the pending change and restarts its delay.
      await store.upsert(
        "scheduled_changes",
        [e.args.parameter, e.args.key],
        () => ({ parameter: e.args.parameter, key: e.args.key, ...change }),
        () => change,
      );
    },
  },
  ParameterChangeCancelled: {
    handle: (e, { store }) => store.delete("scheduled_changes", [e.args.parameter, e.args.key]),
  },
  FeeSet: {
    handle: async (e, { store }) => {
      await setParam(store, e, "feeBps", String(e.args.feeBps));
      await applied(store, "Fee", 0);
    },
  },
  TreasurySet: { handle: (e, { store }) => setParam(store, e, "treasury", e.args.treasury) },
  // One event for two parameters: the one whose value moved was applied. A change to the value
  // already in force moves neither; then the due change of that value is the one applied.
  DealPeriodsSet: {
    handle: async (e, { store }) => {
      const challenge = String(e.args.challengePeriod);
      const grace = String(e.args.reportGracePeriod);
      const before = {
        challenge: (await store.get("market_params", ["challengePeriod"]))?.value,
        grace: (await store.get("market_params", ["reportGracePeriod"]))?.value,
      };
      await setParam(store, e, "challengePeriod", challenge);
      await setParam(store, e, "reportGracePeriod", grace);
      const pending = async (name: "ChallengePeriod" | "ReportGracePeriod", value: string) => {
        const row = await store.get("scheduled_changes", [parameter(name), "0"]);
        return row !== undefined && row.value === value && row.effective_at <= e.blockTime;
      };
      if (before.challenge !== undefined && before.challenge !== challenge) await applied(store, "ChallengePeriod", 0);
      else if (before.grace !== undefined && before.grace !== grace) await applied(store, "ReportGracePeriod", 0);
      else if (await pending("ChallengePeriod", challenge)) await applied(store, "ChallengePeriod", 0);
      else if (await pending("ReportGracePeriod", grace)) await applied(store, "ReportGracePeriod", 0);
    },
  },
  ArbitrationPeriodSet: {
    handle: async (e, { store }) => {
      await setParam(store, e, "arbitrationPeriod", String(e.args.arbitrationPeriod));
      await applied(store, "ArbitrationPeriod", 0);
    },
  },
  GridFactorSet: {
    handle: async (e, { store }) => {
      await setParam(store, e, `gridFactor:${e.args.region}`, String(e.args.gCO2ePerKwh));
      await applied(store, "GridFactor", e.args.region);
    },
  },
  SourceFactorSet: {
    handle: async (e, { store }) => {
      await setParam(store, e, `sourceFactor:${e.args.source}`, String(e.args.gCO2ePerKwh));
      await applied(store, "SourceFactor", e.args.source);
    },
  },
  Paused: { handle: (e, { store }) => setParam(store, e, "paused", "true") },
  Unpaused: { handle: (e, { store }) => setParam(store, e, "paused", "false") },
};
