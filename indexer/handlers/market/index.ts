// The market contract's events, one module per family (v3-subgraph style): orders, settlement into
// deals, the deal lifecycle, withdrawals and settings.
import type { ContractHandlers } from "../types.ts";
import { balanceHandlers } from "./balances.ts";
import { dealHandlers } from "./deals.ts";
import { orderHandlers } from "./orders.ts";
import { paramHandlers } from "./params.ts";
import { settlementHandlers } from "./settlement.ts";

export const market: ContractHandlers<"Market"> = {
  ...orderHandlers,
  ...settlementHandlers,
  ...dealHandlers,
  ...balanceHandlers,
  ...paramHandlers,
};
