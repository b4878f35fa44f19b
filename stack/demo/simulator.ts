// The live demo market: once the history is seeded, participants keep trading at wall-clock pace. Every
// minute or so buyers bid for jobs from the next whole hours (flexible training anywhere in the next
// day), suppliers keep their day-ahead capacity and forecast energy posted, compute sites meter and
// report each job after its last hour, buyers confirm (or now and then dispute), the arbiter rules,
// energy suppliers certify each hour once it has ended, and stale orders, withdrawals and credit
// retirements come up now and then. The matcher process settles; the keeper process finalises.
import type { Logger } from "pino";

import { floorHour } from "../../protocol/hours.ts";
import type { DemoChain } from "./chain.ts";
import { type DemoMarket, LIVE_ACTIVITY } from "./market.ts";
import { LIVE_PACE } from "./scenario.ts";

const TICK_MS = 2_000;
/** Most housekeeping transactions per tidy-up, to keep the pace calm. */
const HOUSEKEEPING_ACTIONS = 4;

export type SimulatorParameters = {
  chain: DemoChain;
  market: DemoMarket;
  logger: Logger;
  signal: AbortSignal;
  wallClock?: () => number;
};

/** Runs until `signal` aborts; the step in flight (and its transaction) always completes first. */
export async function simulate(p: SimulatorParameters): Promise<void> {
  const { chain, market, logger, signal } = p;
  const wallClock = p.wallClock ?? (() => Math.floor(Date.now() / 1000));
  market.menuActs = false;
  market.actAsKeeper = false;

  // After the stack was down, the chain's clock lags: bring it to now with the next transaction so
  // that new windows, deadlines and the keeper's view all agree with the wall clock.
  const lag = wallClock() - (await chain.now());
  if (lag > 30) {
    logger.info({ lagSeconds: lag }, "chain time lags the wall clock; the next transaction brings it to now");
    await chain.moveTo(wallClock());
  }

  let nextRound = 0;
  let nextIssue = 0;
  let nextHousekeeping = wallClock() + LIVE_PACE.housekeepingEvery;
  // A device that never issued (the seed issues them all) starts with the last full day.
  const firstIssueHour = floorHour(wallClock()) - 24 * 3_600;
  let sentAtMinute = chain.sent;
  let minuteStart = Date.now();
  while (!signal.aborted) {
    // The dev node gives each block at least the previous one's time + 1 s, so bursts of blocks (the
    // matcher's, the keeper's, ours) can run chain time a little ahead of the wall clock; deadlines are
    // checked against chain time, so the later of the two is "now".
    const chainNow = await chain.now().catch(() => 0);
    const now = Math.max(wallClock(), chainNow);
    try {
      // An idle dev node's clock falls behind; deal deadlines are checked against it, so keep it at now.
      if (wallClock() - chainNow > 5) await chain.moveTo(wallClock());
      await market.dealSteps(chainNow);
      if (now >= nextRound && !signal.aborted) {
        await market.supply(now, LIVE_PACE);
        await market.bids(now, LIVE_PACE, LIVE_ACTIVITY);
        nextRound = now + Math.round(LIVE_PACE.roundEvery * market.draw(0x7).between(0.6, 1.4));
      }
      if (now >= nextIssue && !signal.aborted) {
        await market.issueCertificates(now, firstIssueHour);
        nextIssue = now + LIVE_PACE.issueEvery;
      }
      if (now >= nextHousekeeping && !signal.aborted) {
        await market.housekeeping(now, HOUSEKEEPING_ACTIONS);
        nextHousekeeping = now + LIVE_PACE.housekeepingEvery;
      }
    } catch (err) {
      // The node may be restarting with the rest of the stack: wait and carry on.
      logger.warn({ err: (err as Error).message.split("\n")[0] }, "simulation step failed");
    }
    if (Date.now() - minuteStart >= 60_000) {
      logger.info(
        { transactionsPerMinute: chain.sent - sentAtMinute, openDeals: market.ledger.open().length },
        "demo market live",
      );
      sentAtMinute = chain.sent;
      minuteStart = Date.now();
    }
    await pause(TICK_MS, signal);
  }
}

/** Waits `ms`, or less when `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
