// Which handlers follow which deployed contract (contracts.ts names them; db/tables.ts holds the
// tables they write).
import { certificates } from "./certificates.ts";
import { credits } from "./credits.ts";
import { market } from "./market/index.ts";
import type { HandlerSet } from "./types.ts";

export const handlers: HandlerSet = {
  Market: market,
  GreenCertificates: certificates,
  CarbonCredits: credits,
};
