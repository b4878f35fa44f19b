// The keeper's last round as a file (KEEPER_STATUS_FILE): the flagged reports it leaves to their
// parties and how many deals are open. The stack's /health reads it (docs/market-rules.md, "The keeper");
// an operator running the keeper alone can read it too. Written whole then renamed, so a reader never
// sees half of it.
import { readFileSync, renameSync, writeFileSync } from "node:fs";

import type { KeeperRound } from "./keeper.ts";

export type KeeperStatus = {
  /** When the round ended (ISO 8601). */
  at: string;
  openDeals: number;
  flaggedReports: { dealId: string; reason: string; challengeEnd: number }[];
};

/** The status of a round that ran (a failed round changes nothing: the last good one stands). */
export function keeperStatus(
  round: Extract<KeeperRound, { status: "done" }>,
  openDeals: number,
  at = new Date(),
): KeeperStatus {
  return {
    at: at.toISOString(),
    openDeals,
    flaggedReports: round.flagged.map((f) => ({
      dealId: String(f.dealId),
      reason: f.reason,
      challengeEnd: f.challengeEnd,
    })),
  };
}

export function writeKeeperStatus(file: string, status: KeeperStatus): void {
  writeFileSync(`${file}.tmp`, `${JSON.stringify(status)}\n`);
  renameSync(`${file}.tmp`, file);
}

/** The last status written to `file`, or undefined when there is none yet (or it is not one). */
export function readKeeperStatus(file: string): KeeperStatus | undefined {
  try {
    const status = JSON.parse(readFileSync(file, "utf8")) as KeeperStatus;
    return Array.isArray(status.flaggedReports) && typeof status.openDeals === "number" ? status : undefined;
  } catch {
    return undefined;
  }
}
