// Which handlers follow which deployed contract, and the key of every table they write.
import { certificates } from "./certificates.ts";
import { credits } from "./credits.ts";
import { market } from "./market.ts";
import type { HandlerSet } from "./types.ts";

export const handlers: HandlerSet = {
  tables: {
    orders: ["kind", "id"],
    deals: ["id"],
    deal_lots: ["deal_id", "idx"],
    deal_parties: ["account", "deal_id", "role"],
    deal_steps: ["deal_id", "seq"],
    deal_payments: ["deal_id", "seq"],
    usage_reports: ["deal_id"],
    trades: ["id"],
    skipped_matches: ["id"],
    market_balances: ["account"],
    market_params: ["name"],
    devices: ["id"],
    certificate_batches: ["id"],
    certificate_balances: ["batch_id", "holder"],
    retirements: ["id"],
    credit_mints: ["id"],
    credit_retirements: ["id"],
    credit_holders: ["account"],
    credit_allocations: ["retirement_id", "deal_id"],
  },
  contracts: {
    Market: market,
    GreenCertificates: certificates,
    CarbonCredits: credits,
  },
};
