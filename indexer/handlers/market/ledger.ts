// A deal's ledger: its numbered steps and payments, and the withdrawable balances payments credit.
import type { Store } from "../../db/store.ts";
import type { DealAction, PaymentKind } from "../../db/tables.ts";
import type { DecodedEvent } from "../../sync/decode.ts";
import { type Amount, add, at, isZero } from "../util.ts";

// Steps and payments are numbered per deal; the counters live on the deal row, so the numbering
// continues correctly across blocks and rolls back with the deal.
async function nextSeq(store: Store, dealId: string, counter: "step_count" | "payment_count"): Promise<number> {
  const deal = await store.update("deals", [dealId], (d) => ({ [counter]: Number(d[counter]) + 1 }));
  return Number(deal[counter]) - 1;
}

export async function dealStep(
  store: Store,
  e: DecodedEvent,
  dealId: string,
  action: DealAction,
  actor: string | null,
): Promise<void> {
  store.insert("deal_steps", {
    deal_id: dealId,
    seq: await nextSeq(store, dealId, "step_count"),
    action,
    actor,
    ...at(e),
  });
}

export async function payment(
  store: Store,
  e: DecodedEvent,
  dealId: string,
  kind: PaymentKind,
  account: string | null,
  amount: Amount,
): Promise<void> {
  if (isZero(amount)) return;
  store.insert("deal_payments", {
    deal_id: dealId,
    seq: await nextSeq(store, dealId, "payment_count"),
    kind,
    account,
    amount: String(amount),
    ...at(e),
  });
}

/** Adds to an account's withdrawable balance in the market (pull payments). */
export async function credit(store: Store, e: DecodedEvent, account: string | null, amount: string): Promise<void> {
  if (!account || isZero(amount)) return;
  await store.upsert(
    "market_balances",
    [account],
    () => ({ account, credited: amount, withdrawn: "0", updated_block: e.blockNumber }),
    (b) => ({ credited: add(b.credited, amount), updated_block: e.blockNumber }),
  );
}
