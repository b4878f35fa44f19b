// The demo market's history: from the chain's genesis (days before wall-clock time) up to now, chain
// time is moved forward event by event — the next trading round, the next certificate issue, the
// next deal step, the next tidy-up — and each event happens as real transactions at that time. Each
// round, suppliers keep their day-ahead capacity posted, buyers bid, and the backend's own matcher
// settles in-process (scheduling in hours, Nash pricing, simulation, submission) with the matcher's
// dev key; the matcher process itself starts once the seed is done. The transactions of a step that
// do not depend on each other are pooled and mined as one block at the step's time (DemoChain's
// `mine`; docs/operations.md, "Start-up"): the history takes one block per step, not per transaction.
import path from "node:path";
import type { Logger } from "pino";
import { parseEther } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { Matcher } from "../../backend/matcher/matcher.ts";
import { clearAndPrice } from "../../backend/matcher/price-batch.ts";
import { SubmissionStore } from "../../backend/matcher/submission-store.ts";
import { InMemoryProposalStore } from "../../backend/proposals/proposal-store.ts";
import { ACCOUNT_PLAN, devAccount, simulatorAccount } from "../../protocol/accounts.ts";
import type { Deployment } from "../../protocol/deployment.ts";
import { ceilHour, floorHour } from "../../protocol/hours.ts";
import type { DemoChain } from "./chain.ts";
import { bandwidthOffer, computeOffer, type DemoMarket, SEED_ACTIVITY } from "./market.ts";
import {
  ARBITER,
  BUYER_FUNDS,
  BUYERS,
  COMPUTE_SUPPLIERS,
  ENERGY_SUPPLIERS,
  MENU_BUYER_FUNDS,
  NETWORK_SUPPLIERS,
  PENDING_DEVICE,
  REGISTRAR,
  SEED_PACE,
  SIMULATOR_ACCOUNTS,
} from "./scenario.ts";

const DAY = 24 * 3_600;
/** The seed stops this far before wall-clock time; the live simulator carries on from there. */
const SEED_STOPS_BEFORE_NOW = 120;
/** The demo menu's accounts stop trading this long before the seed ends, so none of their deals is left open. */
const MENU_QUIET_BEFORE_END = 12 * 3_600;
const MIN_GAS_MONEY = parseEther("10");

export type SeedState = "none" | "partial" | "complete";

/** Whether the seed already ran on this chain: its last transaction registers the pending device. */
export async function seedState(chain: DemoChain): Promise<SeedState> {
  const registrarRole = await chain.read("certificates", "REGISTRAR_ROLE");
  const started: boolean = await chain.read("certificates", "hasRole", [
    registrarRole,
    simulatorAccount(REGISTRAR.account).address,
  ]);
  if (!started) return "none";
  const count = Number(await chain.read("certificates", "deviceCount"));
  // The marker is the last device registered, so look from the end.
  for (let id = count; id >= 1; id--) {
    const device = await chain.read("certificates", "deviceOf", [BigInt(id)]);
    if (device.metadataURI === PENDING_DEVICE.metadataURI) return "complete";
  }
  return "partial";
}

export type SeedParameters = {
  chain: DemoChain;
  market: DemoMarket;
  deployment: Deployment;
  dataDir: string;
  logger: Logger;
  progress: (message: string) => void;
  /** Aborting stops the seed between two events (it is then "partial"; a restart simulates on it). */
  signal?: AbortSignal;
  /** Wall-clock time, unix s (injectable for tests). */
  wallClock?: () => number;
};

export async function seed(p: SeedParameters): Promise<void> {
  const { chain, market, progress } = p;
  const wallClock = p.wallClock ?? (() => Math.floor(Date.now() / 1000));
  const start = await chain.now();
  progress(
    `seeding ${((wallClock() - start) / DAY).toFixed(1)} days of history from ${new Date(start * 1000).toISOString()}`,
  );

  await setUpParticipants(p, start);
  progress("participants funded, roles granted, devices registered and approved");

  const { matcher, store } = await seedMatcher(p);
  try {
    await chain.startPooling();
    await history(p, matcher, start, wallClock);
  } finally {
    await matcher.stop();
    await store.close();
    // Also when aborted: what the step in flight sent is mined, and the node automines again.
    await chain.stopPooling();
  }
  if (p.signal?.aborted === true) return;

  // The last events may lie hours back (trading rounds are hours apart): close the gap to now.
  const end = wallClock() - SEED_STOPS_BEFORE_NOW;
  await chain.moveTo(end);
  market.menuActs = true;
  await startingPositions(p);
  // Last: the marker a restart looks for.
  const owner = simulatorAccount(PENDING_DEVICE.owner);
  await chain.write(owner, "certificates", "registerDevice", [
    PENDING_DEVICE.source,
    PENDING_DEVICE.region,
    PENDING_DEVICE.capacityW,
    (await chain.now()) - 30 * DAY,
    PENDING_DEVICE.metadataURI,
  ]);
  market.menuActs = false;
}

/**
 * The days of history, event by event: each step's transactions are pooled and mined at the step's
 * time, in as many blocks as their dependencies need (offers and bids before the matcher reads the
 * book, certificates before the reports that retire them).
 */
async function history(p: SeedParameters, matcher: Matcher, start: number, wallClock: () => number): Promise<void> {
  const { chain, market, logger, progress } = p;
  // Certificates start a day before the chain's genesis, so that the first deals find them issued.
  const firstIssueHour = floorHour(start) - DAY;
  let nextRound = start + 60;
  let nextIssue = start;
  let nextHousekeeping = start + SEED_PACE.housekeepingEvery;
  let lastDay = -1;
  const end = () => wallClock() - SEED_STOPS_BEFORE_NOW;
  while (p.signal?.aborted !== true) {
    const dealAt = await market.nextDealTime();
    const at = Math.min(nextRound, nextIssue, nextHousekeeping, dealAt ?? Infinity);
    // The dev node gives every block at least the previous one's time + 1 s, so a burst of
    // transactions runs chain time ahead of the event times: the chain's own clock decides too.
    // One read of the chain's time per event: moving the next block's time mines nothing, so it is
    // still the latest block's time afterwards.
    const chainNow = await chain.now();
    if (at > end() || chainNow > end()) break;
    await chain.moveTo(at, chainNow);
    const now = Math.max(at, chainNow);
    market.menuActs = now < end() - MENU_QUIET_BEFORE_END;
    const day = Math.floor((now - start) / DAY) + 1;
    if (day !== lastDay) {
      lastDay = day;
      progress(`day ${day}: ${new Date(now * 1000).toISOString().slice(0, 16)}Z, ${chain.sent} transactions so far`);
    }
    if (now >= nextIssue) {
      await market.issueCertificates(now, firstIssueHour);
      nextIssue = now + SEED_PACE.issueEvery;
    }
    if (now >= nextRound) {
      await market.supply(now, SEED_PACE);
      await market.bids(now, SEED_PACE, SEED_ACTIVITY);
      // The matcher reads the book from the chain and waits for its settlement's receipt.
      await chain.mine();
      const round = await chain.automining(() => matcher.runRound());
      if (round.status === "failed") logger.warn({ err: round.error.message }, "seed settlement failed");
      nextRound = now + SEED_PACE.roundEvery;
    }
    if (now >= nextHousekeeping) {
      await market.housekeeping(now, Infinity);
      nextHousekeeping = now + SEED_PACE.housekeepingEvery;
    }
    await market.dealSteps(now);
    await chain.mine();
  }
}

/** Gas money, roles, factors, funds, approvals and devices: everything the first trading round needs. */
async function setUpParticipants(p: SeedParameters, now: number): Promise<void> {
  const { chain, market, deployment } = p;
  const admin = devAccount(ACCOUNT_PLAN.admin);
  if (admin.address.toLowerCase() !== deployment.roles.admin.toLowerCase()) {
    throw new Error(
      `the demo needs dev account ${ACCOUNT_PLAN.admin} as the market's admin; the deployment's admin is ${deployment.roles.admin}`,
    );
  }
  for (let n = 0; n < SIMULATOR_ACCOUNTS; n++) {
    const { address } = simulatorAccount(n);
    if ((await chain.publicClient.getBalance({ address })) < MIN_GAS_MONEY)
      await chain.transfer(admin, address, parseEther("100"));
  }
  // The rest goes in one block (and the devices' approvals in a second): no call depends on another's effect.
  await chain.startPooling();
  const failures: Error[] = [];
  const failed = (err: Error) => failures.push(err);
  const registrar = simulatorAccount(REGISTRAR.account);
  await chain.submit(
    admin,
    "certificates",
    "grantRole",
    [await chain.read("certificates", "REGISTRAR_ROLE"), registrar.address],
    failed,
  );
  await chain.submit(
    admin,
    "market",
    "grantRole",
    [await chain.read("market", "ARBITER_ROLE"), simulatorAccount(ARBITER.account).address],
    failed,
  );
  // Emission factors come with the deployment (ignition/modules/CCEX.ts SOURCE_FACTORS, the grid's
  // default for every region); a later change goes through the market's delayed schedule.
  const maxAllowance = 2n ** 256n - 1n;
  for (const buyer of BUYERS) {
    const from = market.accountOf(buyer.actor)!;
    const funds = "menu" in buyer.actor ? MENU_BUYER_FUNDS : BUYER_FUNDS;
    // The menu buyer's tokens come from someone else's faucet call: its own nonce stays for its approval.
    await chain.submit("menu" in buyer.actor ? registrar : from, "token", "faucet", [from.address, funds], failed);
    await chain.submit(from, "token", "approve", [chain.addresses.market, maxAllowance], failed);
  }
  for (const supplier of ENERGY_SUPPLIERS) {
    await chain.submit(
      market.accountOf(supplier.actor)!,
      "certificates",
      "setApprovalForAll",
      [chain.addresses.market, true],
      failed,
    );
  }
  await market.registerDevices(now, failed);
  await chain.stopPooling();
  if (failures.length > 0) throw failures[0];
}

/** The backend's matcher, in this process, with the matcher's dev key and its own submission file. */
async function seedMatcher(p: SeedParameters): Promise<{ matcher: Matcher; store: SubmissionStore }> {
  const { chain, market, logger, dataDir } = p;
  const account = privateKeyToAccount(devAccount(ACCOUNT_PLAN.matcher).privateKey);
  const role = await chain.read("market", "MATCHER_ROLE");
  if (!(await chain.read("market", "hasRole", [role, account.address]))) {
    throw new Error(
      `the demo settles its history with dev account ${ACCOUNT_PLAN.matcher}, which lacks MATCHER_ROLE on this market`,
    );
  }
  const store = await SubmissionStore.open({
    file: path.join(dataDir, `seed-submissions-${chain.addresses.market.toLowerCase()}.json`),
  });
  const matcher = new Matcher({
    publicClient: chain.publicClient,
    account,
    market: chain.addresses.market,
    book: market.book,
    price: clearAndPrice,
    store,
    proposals: new InMemoryProposalStore(),
    logger: logger.child({ part: "seed matcher" }),
    simulation: "call",
    receiptTimeoutMs: 30_000,
  });
  return { matcher, store };
}

/**
 * The demo menu's suppliers each leave an offer on the book, for windows that open two hours from now
 * (later than the live bids reach for a while), so a newcomer finds their own orders under "My account".
 */
async function startingPositions(p: SeedParameters): Promise<void> {
  const { chain, market } = p;
  const now = await chain.now();
  const windowStart = ceilHour(now + 2 * 3_600);
  const windowEnd = windowStart + 6 * 3_600;
  for (const supplier of COMPUTE_SUPPLIERS) {
    if (!("menu" in supplier.actor)) continue;
    const site = supplier.sites[0];
    await chain.write(market.accountOf(supplier.actor)!, "market", "postComputeOffer", [
      computeOffer(supplier, site, windowStart, windowEnd, site.reservePerVcuHour, windowEnd - 3_600),
    ]);
  }
  for (const supplier of NETWORK_SUPPLIERS) {
    if (!("menu" in supplier.actor)) continue;
    const link = supplier.links[0];
    await chain.write(market.accountOf(supplier.actor)!, "market", "postBandwidthOffer", [
      bandwidthOffer(link, windowStart, windowEnd, link.reservePerMbpsHour, windowEnd - 3_600),
    ]);
  }
}
