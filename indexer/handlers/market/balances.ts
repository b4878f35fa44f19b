// Withdrawals from the market: a party's withdrawable balance, and the treasury's fees.
import type { ContractHandlers } from "../types.ts";
import { add } from "../util.ts";
import { addParam } from "./params.ts";

export const balanceHandlers: ContractHandlers<"Market"> = {
  Withdrawn: {
    handle: async (e, { store }) => {
      const { account, amount } = e.args;
      await store.upsert(
        "market_balances",
        [account],
        () => ({ account, credited: "0", withdrawn: amount, updated_block: e.blockNumber }),
        (b) => ({ withdrawn: add(b.withdrawn, amount), updated_block: e.blockNumber }),
      );
    },
  },
  FeesWithdrawn: {
    handle: async (e, { store }) => {
      await addParam(store, e, "accruedFees", `-${e.args.amount}`);
      await addParam(store, e, "feesWithdrawn", e.args.amount);
    },
  },
};
