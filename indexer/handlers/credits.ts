// Events of the carbon credit token (ERC-20, 1 base unit = 1 gCO2e). Credits are fungible, so each
// holder's balance is also kept as first-in-first-out lots per deal: a retirement claims the oldest
// credits its holder has, which is what links it back to the deals whose emissions it avoided.
import type { Store } from "../db/store.ts";
import type { CreditHolderRow, CreditLot } from "../db/tables.ts";
import type { DecodedEvent } from "../sync/decode.ts";
import type { ContractHandlers, RowRef } from "./types.ts";
import { add, at, eventId, isZero, sub, ZERO_ADDRESS } from "./util.ts";

function holder(account: string, e: DecodedEvent): CreditHolderRow {
  return { account, balance: "0", lots: [], updated_block: e.blockNumber };
}

/** Adds credits from `lots` to the holder's newest end. */
async function receive(store: Store, e: DecodedEvent, account: string, lots: readonly CreditLot[]) {
  let row = await store.get("credit_holders", [account]);
  if (!row) {
    row = holder(account, e);
    store.insert("credit_holders", row);
  }
  const mine = [...row.lots];
  for (const lot of lots) {
    const last = mine[mine.length - 1];
    if (last && last.dealId === lot.dealId)
      mine[mine.length - 1] = { dealId: lot.dealId, amount: add(last.amount, lot.amount) };
    else mine.push(lot);
  }
  await store.update("credit_holders", [account], { lots: mine, updated_block: e.blockNumber });
}

/** Takes `amount` off the holder's oldest lots and returns what was taken, per deal. */
async function take(store: Store, e: DecodedEvent, account: string, amount: string): Promise<CreditLot[]> {
  const row = await store.require("credit_holders", [account]);
  const mine = [...row.lots];
  let left = BigInt(amount);
  const taken: CreditLot[] = [];
  while (left > 0n && mine.length > 0) {
    const lot = mine[0];
    const n = BigInt(lot.amount) < left ? BigInt(lot.amount) : left;
    taken.push({ dealId: lot.dealId, amount: n.toString() });
    left -= n;
    if (n === BigInt(lot.amount)) mine.shift();
    else mine[0] = { dealId: lot.dealId, amount: (BigInt(lot.amount) - n).toString() };
  }
  if (left > 0n) throw new Error(`credit lots of ${account} short by ${left}`);
  await store.update("credit_holders", [account], { lots: mine, updated_block: e.blockNumber });
  return taken;
}

const holders = (...accounts: string[]): RowRef[] =>
  accounts.filter((a) => a !== ZERO_ADDRESS).map((a): RowRef => ["credit_holders", [a]]);

export const credits: ContractHandlers<"CarbonCredits"> = {
  CreditsMinted: {
    prefetch: (e) => holders(e.args.to),
    handle: async (e, { store }) => {
      store.insert("credit_mints", {
        id: eventId(e),
        deal_id: e.args.dealId,
        account: e.args.to,
        amount: e.args.amount,
        ...at(e),
      });
      await receive(store, e, e.args.to, [{ dealId: e.args.dealId, amount: e.args.amount }]);
    },
  },
  CreditsRetired: {
    prefetch: (e) => holders(e.args.holder),
    handle: async (e, { store }) => {
      const id = eventId(e);
      store.insert("credit_retirements", {
        id,
        holder: e.args.holder,
        beneficiary: e.args.beneficiary,
        amount: e.args.amount,
        reason: e.args.reason,
        ...at(e),
      });
      const claimed = new Map<string, bigint>();
      for (const lot of await take(store, e, e.args.holder, e.args.amount)) {
        claimed.set(lot.dealId, (claimed.get(lot.dealId) ?? 0n) + BigInt(lot.amount));
      }
      for (const [dealId, amount] of claimed) {
        store.insert("credit_allocations", { retirement_id: id, deal_id: dealId, amount: amount.toString() });
      }
    },
  },
  // Balances follow Transfer; lots follow the mint and retirement events, and Transfer only between
  // two holders (mints and burns are the events above).
  Transfer: {
    prefetch: (e) => holders(e.args.from, e.args.to),
    handle: async (e, { store }) => {
      const { from, to, value } = e.args;
      if (isZero(value)) return;
      if (from !== ZERO_ADDRESS) {
        await store.update("credit_holders", [from], (h) => {
          const balance = sub(h.balance, value);
          if (balance.startsWith("-")) throw new Error(`credit balance of ${from} below zero`);
          return { balance, updated_block: e.blockNumber };
        });
      }
      if (to !== ZERO_ADDRESS) {
        await store.upsert(
          "credit_holders",
          [to],
          () => ({ ...holder(to, e), balance: value }),
          (h) => ({ balance: add(h.balance, value), updated_block: e.blockNumber }),
        );
      }
      if (from !== ZERO_ADDRESS && to !== ZERO_ADDRESS) await receive(store, e, to, await take(store, e, from, value));
    },
  },
};
