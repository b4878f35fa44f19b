// One party's side of a bundle's Nash bargain as the API shows it (GET /api/proposals, POST /api/quote).
import { z } from "zod";

import { amountOut } from "./common.ts";

export const PartyTermsOut = z.object({
  role: z.enum(["buyer", "compute", "energy", "bandwidth"]),
  orderId: amountOut,
  reserve: amountOut,
  disagreement: amountOut,
  weight: z.number().positive(),
  payment: amountOut,
  surplusShareBps: z.int().min(0).max(10_000),
  explanation: z.string(),
});
