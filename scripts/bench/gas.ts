// Gas per market operation, measured from transaction receipts on Hardhat's in-process chain, and
// compared with the committed snapshot (snapshots/gas.json).
//
//   npm run bench:gas                  table with deltas against the snapshot
//   npm run bench:gas -- --json        exactly one JSON object: { operations, lifecyclePerTrade }
//   npm run bench:gas -- --update      rewrite the snapshot with this run's figures
//   npm run bench:gas -- --breakdown   also show where the lifecycle's gas goes, per opcode family
//
// The lifecycle is a real bundled trade (compute + one energy lot + bandwidth between two
// regions): its per-trade figure is settle's gas per match in a batch of 20, plus one usage report,
// plus one finalisation, both averaged over the 20 deals of that batch.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";

const root = path.resolve(import.meta.dirname, "../..");
const snapshotPath = path.join(root, "snapshots", "gas.json");

const { values: args } = parseArgs({
  options: {
    json: { type: "boolean", default: false },
    update: { type: "boolean", default: false },
    breakdown: { type: "boolean", default: false },
  },
});

// The build prints to stdout; keep stdout for the figures alone.
const build = spawnSync(
  process.execPath,
  [path.join(root, "node_modules/hardhat/dist/src/cli.js"), "build", "--quiet"],
  {
    cwd: root,
    stdio: ["ignore", process.stderr, process.stderr],
  },
);
if (build.status !== 0) {
  console.error("hardhat build failed");
  process.exit(1);
}

// Imported after the build: the helpers open the in-process network and read the artifacts.
const { ethers, time } = await import("../../test/helpers/connection.ts");
const { deployExchange, USD } = await import("../../test/helpers/deploy.ts");
const book = await import("../../test/helpers/book.ts");
const { fullReport, settle } = await import("../../test/helpers/deals.ts");
const { signPermit } = await import("../../test/helpers/permit.ts");
const { Source } = await import("../../test/helpers/deploy.ts");

type Snapshot = { operations: Record<string, number>; lifecyclePerTrade: number };
type Receipt = { gasUsed: bigint; hash: string };

const BATCH = 20;
const operations: Record<string, number> = {};
/** The lifecycle's transactions, each with its share of one trade. */
const lifecycleTransactions: { hash: string; share: number }[] = [];

async function gasOf(tx: Promise<{ wait: () => Promise<Receipt | null> }>): Promise<Receipt> {
  const receipt = await (await tx).wait();
  if (receipt === null) throw new Error("transaction was dropped");
  return receipt;
}

const d = await deployExchange();
const { market } = d;
const wind = await book.issueBatch(d, d.windSupplier, Source.Wind);

// ─── Posting ────────────────────────────────────────────────────────────────────────────────────
// Capacity for 21 standard bids: 5,000 VCU-hours, 5 MWh of certificates, 2,000 Mbps.
operations.postComputeOffer = Number(
  (await gasOf(market.connect(d.computeSupplier).postComputeOffer(book.computeOffer(d.t0, { vcuHours: 5_000n }))))
    .gasUsed,
);
operations.postEnergyOffer = Number(
  (
    await gasOf(
      market.connect(d.windSupplier).postEnergyOffer(book.energyOffer(d.t0, wind.batchId, { wh: book.BATCH_WH })),
    )
  ).gasUsed,
);
operations.postBandwidthOffer = Number(
  (await gasOf(market.connect(d.networkSupplier).postBandwidthOffer(book.bandwidthOffer(d.t0, { mbps: 2_000n }))))
    .gasUsed,
);
const bidGas: bigint[] = [];
for (let i = 0; i < BATCH + 1; ++i) {
  const buyer = i % 2 === 0 ? d.buyer : d.otherBuyer;
  bidGas.push((await gasOf(market.connect(buyer).postBid(book.bid(d.t0)))).gasUsed);
}
// The first bid of each buyer pays for its cold balance and allowance slots; later ones are typical.
operations.postBid = Number(bidGas[bidGas.length - 1]);

await d.token.faucet(d.stranger.address, 1_000n * USD);
const permit = await signPermit(d.token, d.stranger, await market.getAddress(), 250n * USD, BigInt(d.t0 + 86_400));
operations.postBidWithPermit = Number(
  (
    await gasOf(
      market.connect(d.stranger).postBidWithPermit(book.bid(d.t0), permit.deadline, permit.v, permit.r, permit.s),
    )
  ).gasUsed,
);

// ─── Settlement ─────────────────────────────────────────────────────────────────────────────────
const offers: { computeOfferId: bigint; windOfferId: bigint; bandwidthOfferId: bigint } = {
  computeOfferId: 1n,
  windOfferId: 1n,
  bandwidthOfferId: 1n,
};
/** The lifecycle's bundle: 100 VCU-hours (250 kWh), 200 kWh of it certified wind, over the link to the buyer. */
function tradeFor(bidId: bigint) {
  return {
    bidId,
    computeOfferId: offers.computeOfferId,
    vcuHours: 100n,
    computePayment: 180n * USD,
    energyLots: [{ offerId: offers.windOfferId, wh: 200_000n, payment: 9n * USD }],
    bandwidthOfferId: offers.bandwidthOfferId,
    bandwidthPayment: 3n * USD,
  };
}

const single = await settle(d, [tradeFor(1n)]);
if (single.deals.length !== 1) throw new Error(`the single match was skipped: ${single.skipped[0]?.reason}`);
operations.settleOneMatch = Number(single.receipt.gasUsed);

const batchMatches = Array.from({ length: BATCH }, (_, i) => tradeFor(BigInt(i + 2)));
const batch = await settle(d, batchMatches);
if (batch.deals.length !== BATCH) throw new Error(`batch skipped ${batch.skipped.map((s) => s.reason).join(", ")}`);
operations.settleBatchOf20PerMatch = Math.round(Number(batch.receipt.gasUsed) / BATCH);
lifecycleTransactions.push({ hash: batch.receipt.hash, share: 1 / BATCH });

// ─── Deal lifecycle ─────────────────────────────────────────────────────────────────────────────
await book.advanceTo(batch.deals[0].terms.windowEnd);
const reports = batch.deals.map(({ terms }) => fullReport(terms));
let reportGas = 0n;
for (const [i, { dealId, terms }] of batch.deals.entries()) {
  const receipt = await gasOf(market.connect(d.computeSupplier).reportUsage(dealId, terms, reports[i]));
  reportGas += receipt.gasUsed;
  lifecycleTransactions.push({ hash: receipt.hash, share: 1 / BATCH });
}
operations.reportUsage = Math.round(Number(reportGas) / BATCH);
// The single deal is reported too, and later closed by the buyer's confirmation instead.
const singleReport = fullReport(single.deals[0].terms);
await gasOf(market.connect(d.computeSupplier).reportUsage(single.deals[0].dealId, single.deals[0].terms, singleReport));

await time.increase(Number(batch.deals[0].terms.challengePeriod));
let finalizeGas = 0n;
for (const [i, { dealId, terms }] of batch.deals.entries()) {
  const receipt = await gasOf(market.connect(d.stranger).finalize(dealId, terms, reports[i]));
  finalizeGas += receipt.gasUsed;
  lifecycleTransactions.push({ hash: receipt.hash, share: 1 / BATCH });
}
operations.finalize = Math.round(Number(finalizeGas) / BATCH);

operations.confirmUsage = Number(
  (await gasOf(market.connect(d.buyer).confirmUsage(single.deals[0].dealId, single.deals[0].terms, singleReport)))
    .gasUsed,
);

operations.withdraw = Number((await gasOf(market.connect(d.computeSupplier).withdraw())).gasUsed);
operations.withdrawFees = Number((await gasOf(market.withdrawFees())).gasUsed);
operations.cancelBid = Number((await gasOf(market.connect(d.stranger).cancelBid(BigInt(BATCH + 2)))).gasUsed);
operations.retireCredits = Number(
  (await gasOf(d.credits.connect(d.buyer).retire(1_000n, d.buyer.address, "bench retirement"))).gasUsed,
);

// ─── The same lifecycle with reports and finalisations batched through multicall ────────────────
// A compute supplier reports all its deals of a window in one transaction and a keeper finalises
// them in another, sharing the 21,000 gas of a transaction and warm storage across deals.
{
  const now = await time.latest();
  const second = await book.issueBatch({ ...d, t0: now }, d.windSupplier, Source.Wind);
  await market.connect(d.computeSupplier).postComputeOffer(book.computeOffer(now, { vcuHours: 2_000n }));
  await market.connect(d.windSupplier).postEnergyOffer(book.energyOffer(now, second.batchId, { wh: book.BATCH_WH }));
  await market.connect(d.networkSupplier).postBandwidthOffer(book.bandwidthOffer(now, { mbps: 1_000n }));
  const firstBid = (await market.bidCount()) + 1n;
  for (let i = 0; i < BATCH; ++i) await market.connect(i % 2 === 0 ? d.buyer : d.otherBuyer).postBid(book.bid(now));
  offers.computeOfferId = await market.computeOfferCount();
  offers.windOfferId = await market.energyOfferCount();
  offers.bandwidthOfferId = await market.bandwidthOfferCount();
  const batched = await settle(
    d,
    Array.from({ length: BATCH }, (_, i) => tradeFor(firstBid + BigInt(i))),
  );
  if (batched.deals.length !== BATCH)
    throw new Error(`second batch skipped ${batched.skipped.map((s) => s.reason).join(", ")}`);
  await book.advanceTo(batched.deals[0].terms.windowEnd);
  const batchedReports = batched.deals.map(({ terms }) => fullReport(terms));
  const reportCalls = batched.deals.map(({ dealId, terms }, i) =>
    market.interface.encodeFunctionData("reportUsage", [dealId, terms, batchedReports[i]]),
  );
  const reported = await gasOf(market.connect(d.computeSupplier).multicall(reportCalls));
  operations.reportUsageInMulticallOf20PerDeal = Math.round(Number(reported.gasUsed) / BATCH);
  await time.increase(Number(batched.deals[0].terms.challengePeriod));
  const finalizeCalls = batched.deals.map(({ dealId, terms }, i) =>
    market.interface.encodeFunctionData("finalize", [dealId, terms, batchedReports[i]]),
  );
  const finalized = await gasOf(market.connect(d.stranger).multicall(finalizeCalls));
  operations.finalizeInMulticallOf20PerDeal = Math.round(Number(finalized.gasUsed) / BATCH);
  operations.lifecyclePerTradeWithMulticall =
    Math.round(Number(batched.receipt.gasUsed) / BATCH) +
    operations.reportUsageInMulticallOf20PerDeal +
    operations.finalizeInMulticallOf20PerDeal;
}

const lifecyclePerTrade = operations.settleBatchOf20PerMatch + operations.reportUsage + operations.finalize;
const result: Snapshot = { operations, lifecyclePerTrade };

// ─── Output ─────────────────────────────────────────────────────────────────────────────────────
if (args.json) {
  console.log(JSON.stringify(result));
} else {
  const previous: Snapshot | undefined = existsSync(snapshotPath)
    ? JSON.parse(readFileSync(snapshotPath, "utf8"))
    : undefined;
  const rows: [string, number, number | undefined][] = [
    ...Object.entries(operations).map(([name, gas]): [string, number, number | undefined] => [
      name,
      gas,
      previous?.operations[name],
    ]),
    ["lifecyclePerTrade", lifecyclePerTrade, previous?.lifecyclePerTrade],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  console.log(`${"operation".padEnd(width)}       gas   snapshot      delta`);
  for (const [name, gas, before] of rows) {
    const delta =
      before === undefined
        ? "new"
        : gas === before
          ? "="
          : `${gas > before ? "+" : ""}${gas - before} (${(((gas - before) / before) * 100).toFixed(1)}%)`;
    console.log(`${name.padEnd(width)}  ${String(gas).padStart(8)}  ${String(before ?? "-").padStart(9)}  ${delta}`);
  }
  if (args.breakdown) await printBreakdown();
}

if (args.update) {
  mkdirSync(path.dirname(snapshotPath), { recursive: true });
  writeFileSync(snapshotPath, `${JSON.stringify(result, null, 2)}\n`);
  console.error(`snapshot written to ${path.relative(root, snapshotPath)}`);
}

/**
 * Where the lifecycle's gas goes: each transaction's gas by opcode family, from an opcode trace,
 * scaled by the transaction's share of one trade (1/20 of the batch settlement).
 */
async function printBreakdown(): Promise<void> {
  const families: Record<string, number> = {};
  const counts: Record<string, number> = {};
  let outsideExecution = 0;
  for (const { hash, share } of lifecycleTransactions) {
    const trace = (await ethers.provider.send("debug_traceTransaction", [
      hash,
      { disableStorage: true, disableMemory: true, disableStack: true },
    ])) as { structLogs: Step[] };
    const receipt = await ethers.provider.getTransactionReceipt(hash);
    const logs = trace.structLogs;
    let executed = 0;
    for (const [i, step] of logs.entries()) {
      const entersCallee = i + 1 < logs.length && logs[i + 1].depth > step.depth;
      const cost = entersCallee ? callOverhead(logs, i) : step.gasCost;
      const family = familyOf(step.op, cost);
      families[family] = (families[family] ?? 0) + cost * share;
      counts[family] = (counts[family] ?? 0) + share;
      executed += cost;
    }
    outsideExecution += (Number(receipt!.gasUsed) - executed) * share;
  }
  families["21,000 per transaction, calldata, refunds"] = outsideExecution;
  delete counts["21,000 per transaction, calldata, refunds"];
  const total = Object.values(families).reduce((a, b) => a + b, 0);
  console.log(
    `\nwhere one trade's ${Math.round(total)} gas go (settle in a batch of 20 + report + finalize, averaged):`,
  );
  for (const [family, gas] of Object.entries(families).sort((a, b) => b[1] - a[1])) {
    const n = counts[family] === undefined ? "" : `  ×${counts[family].toFixed(1)}`;
    console.log(
      `  ${family.padEnd(44)} ${Math.round(gas).toString().padStart(7)}  ${((100 * gas) / total).toFixed(1).padStart(5)}%${n}`,
    );
  }
}

type Step = { op: string; gas: number; gasCost: number; depth: number };

/**
 * Gas a call opcode itself costs (address access, value transfer, memory), without what its callee
 * executed: the callee's own steps are counted where they happen.
 */
function callOverhead(logs: Step[], i: number): number {
  let returnedAt = i + 1;
  while (returnedAt < logs.length && logs[returnedAt].depth > logs[i].depth) ++returnedAt;
  if (returnedAt >= logs.length) return logs[i].gasCost;
  const calleeLast = logs[returnedAt - 1];
  const calleeUsed = logs[i + 1].gas - (calleeLast.gas - calleeLast.gasCost);
  return Math.max(0, logs[i].gas - logs[returnedAt].gas - calleeUsed);
}

function familyOf(op: string, cost: number): string {
  // SSTORE's price says what it did: 20,000+ writes a fresh slot, 2,900–5,000 updates one, 100 re-writes one.
  if (op === "SSTORE")
    return cost >= 20_000
      ? "SSTORE fresh slot (0 → x)"
      : cost > 100
        ? "SSTORE update (x → y)"
        : "SSTORE re-write (warm)";
  if (op === "SLOAD") return cost >= 2_100 ? "SLOAD cold" : "SLOAD warm";
  if (op.startsWith("LOG")) return "LOG (events)";
  if (["CALL", "STATICCALL", "DELEGATECALL"].includes(op)) return "CALL overhead (external calls, libraries)";
  if (op === "KECCAK256") return "KECCAK256 (digests, mapping slots)";
  if (op === "TSTORE" || op === "TLOAD") return "TSTORE/TLOAD (reentrancy guard)";
  if (op.includes("COPY") || op === "MLOAD" || op === "MSTORE" || op === "MSTORE8") return "memory and calldata copies";
  return "other computation (stack, jumps, arithmetic)";
}
