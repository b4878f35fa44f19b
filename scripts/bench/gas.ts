// Gas per market operation, measured from transaction receipts on Hardhat's in-process chain, and
// compared with the committed snapshot (snapshots/gas.json).
//
//   npm run bench:gas                  table with deltas against the snapshot
//   npm run bench:gas -- --json        exactly one JSON object: { operations, lifecyclePerTrade }
//   npm run bench:gas -- --update      rewrite the snapshot with this run's figures
//   npm run bench:gas -- --breakdown   also show where the lifecycle's gas goes, per opcode family
//   npm run bench:gas -- --profile     also show each lifecycle transaction's costliest source lines
//
// The lifecycle is a real bundled trade of the hourly market: a 4-hour job (25 VCU, 100 VCU-hours)
// with two energy lots (two devices, two of the job's hours, 62.5 kWh each: the whole need of those
// hours) and a link between two regions. Its per-trade figure is settle's gas per match in a batch of
// 20, plus the compute supplier's report as the supplier's tools send it (the due deals' reports in
// one multicall, backend/metering/send-usage-reports.ts), plus the finalisation as the keeper sends it
// (a multicall of the 20 deals), each per deal. A report sent alone (reportUsage) is printed beside it,
// not counted.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";

const root = path.resolve(import.meta.dirname, "../..");
const snapshotPath = path.join(root, "snapshots", "gas.json");

const { values: args } = parseArgs({
  options: {
    json: { type: "boolean", default: false },
    update: { type: "boolean", default: false },
    breakdown: { type: "boolean", default: false },
    profile: { type: "boolean", default: false },
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
const { deployExchange, Region, USD } = await import("../../test/helpers/deploy.ts");
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
const windDevice = await book.registerDevice(d, d.windSupplier, Source.Wind, Region.Gansu);
const solarDevice = await book.registerDevice(d, d.solarSupplier, Source.Solar, Region.Ningxia);
const [h0, h1] = book.jobHours(d.t0);
const { windowStart } = book.defaultWindow(d.t0);
/** A day of forecast generation (24 hours from the job's first hour), as a supplier posts it. */
const DAY_OF_HOURS = 24;
const dayOf = (wh: bigint) => Array.from({ length: DAY_OF_HOURS }, () => wh);

// ─── Posting ────────────────────────────────────────────────────────────────────────────────────
// Capacity for 23 standard bids: 25 VCU each in every hour, 62.5 kWh per lot, 50 Mbps each.
operations.postComputeOffer = Number(
  (await gasOf(market.connect(d.computeSupplier).postComputeOffer(book.computeOffer(d.t0, { vcu: 1_000n })))).gasUsed,
);
operations.postEnergyOffer24Hours = Number(
  (
    await gasOf(
      market
        .connect(d.windSupplier)
        .postEnergyOffer(book.energyOffer(d.t0, windDevice, { whPerHour: dayOf(2_000_000n) })),
    )
  ).gasUsed,
);
await market
  .connect(d.solarSupplier)
  .postEnergyOffer(book.energyOffer(d.t0, solarDevice, { whPerHour: dayOf(2_000_000n) }));
operations.postBandwidthOffer = Number(
  (await gasOf(market.connect(d.networkSupplier).postBandwidthOffer(book.bandwidthOffer(d.t0, { mbps: 2_000n }))))
    .gasUsed,
);
const bidGas: bigint[] = [];
for (let i = 0; i < BATCH + 3; ++i) {
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
/** The lifecycle's bundle: 25 VCU for 4 hours, wind covering hour 0 and solar hour 1, over the link. */
function tradeFor(bidId: bigint) {
  return {
    bidId,
    computeOfferId: 1n,
    start: windowStart,
    vcu: 25n,
    computePayment: 180n * USD,
    energyLots: [
      { offerId: 1n, hour: h0, wh: 62_500n, payment: 3n * USD },
      { offerId: 2n, hour: h1, wh: 62_500n, payment: 4n * USD },
    ],
    bandwidthOfferId: 1n,
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
const confirmed = await settle(d, [tradeFor(BigInt(BATCH + 2))]);

// ─── Certificates: the devices issue the day once it has passed ─────────────────────────────────
await book.advanceTo(windowStart + DAY_OF_HOURS * book.HOUR);
operations.issueCertificates24Hours = Number(
  (await gasOf(d.certificates.connect(d.windSupplier).issue(windDevice, windowStart, dayOf(2_000_000n)))).gasUsed,
);
await d.certificates.connect(d.solarSupplier).issue(solarDevice, windowStart, dayOf(2_000_000n));

// ─── Deal lifecycle ─────────────────────────────────────────────────────────────────────────────
const reports = batch.deals.map(({ terms }) => fullReport(terms));
// The compute supplier's tools report the due deals together, one multicall (the demo's compute sites
// through sendUsageReports); the 20 batch deals are due at once.
const reportCalls = batch.deals.map(({ dealId, terms }, i) =>
  market.interface.encodeFunctionData("reportUsage", [dealId, terms, reports[i]]),
);
const batchedReports = await gasOf(market.connect(d.computeSupplier).multicall(reportCalls));
operations.reportUsageInMulticallOf20PerDeal = Math.round(Number(batchedReports.gasUsed) / BATCH);
lifecycleTransactions.push({ hash: batchedReports.hash, share: 1 / BATCH });
// A report sent alone, for comparison (a deal due by itself).
const singleReport = fullReport(single.deals[0].terms);
operations.reportUsage = Number(
  (
    await gasOf(
      market.connect(d.computeSupplier).reportUsage(single.deals[0].dealId, single.deals[0].terms, singleReport),
    )
  ).gasUsed,
);
const confirmedReport = fullReport(confirmed.deals[0].terms);
await market
  .connect(d.computeSupplier)
  .reportUsage(confirmed.deals[0].dealId, confirmed.deals[0].terms, confirmedReport);

await time.increase(Number(batch.deals[0].terms.challengePeriod));
operations.finalize = Number(
  (await gasOf(market.connect(d.stranger).finalize(single.deals[0].dealId, single.deals[0].terms, singleReport)))
    .gasUsed,
);
// The keeper finalises the batch's deals in one multicall, sharing the transaction's 21,000 gas and
// warm storage (the registry, the credit token, the suppliers' balances) across deals.
const finalizeCalls = batch.deals.map(({ dealId, terms }, i) =>
  market.interface.encodeFunctionData("finalize", [dealId, terms, reports[i]]),
);
const finalized = await gasOf(market.connect(d.stranger).multicall(finalizeCalls));
operations.finalizeInMulticallOf20PerDeal = Math.round(Number(finalized.gasUsed) / BATCH);
lifecycleTransactions.push({ hash: finalized.hash, share: 1 / BATCH });

operations.confirmUsage = Number(
  (
    await gasOf(
      market.connect(d.otherBuyer).confirmUsage(confirmed.deals[0].dealId, confirmed.deals[0].terms, confirmedReport),
    )
  ).gasUsed,
);

operations.withdraw = Number((await gasOf(market.connect(d.computeSupplier).withdraw())).gasUsed);
operations.withdrawFees = Number((await gasOf(market.withdrawFees())).gasUsed);
operations.cancelBid = Number((await gasOf(market.connect(d.buyer).cancelBid(BigInt(BATCH + 3)))).gasUsed);
operations.retireCredits = Number(
  (await gasOf(d.credits.connect(d.buyer).retire(1_000n, d.buyer.address, "bench retirement"))).gasUsed,
);

const lifecyclePerTrade =
  operations.settleBatchOf20PerMatch +
  operations.reportUsageInMulticallOf20PerDeal +
  operations.finalizeInMulticallOf20PerDeal;
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
  console.log(
    "\nlifecyclePerTrade = settleBatchOf20PerMatch + reportUsageInMulticallOf20PerDeal + finalizeInMulticallOf20PerDeal:" +
      "\n  reports as the compute supplier's tools send them (the due deals in one multicall)," +
      "\n  finalisations as the keeper sends them (one multicall of the 20 deals); reportUsage alone is not counted.",
  );
  if (args.breakdown) await printBreakdown();
  if (args.profile) await printProfile();
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
    `\nwhere one trade's ${Math.round(total)} gas go (settle in a batch of 20 + report and finalise each in a multicall of 20, averaged):`,
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

/**
 * The costliest source lines of each kind of lifecycle transaction (settle, report, finalise), per trade:
 * each traced step is mapped through its contract's source map to a line; compiler-generated code (ABI
 * coding, checks) is charged to the line that ran before it in the same call, which is what invoked it.
 */
async function printProfile(): Promise<void> {
  const codeNames: Record<string, string> = {
    [(await market.getAddress()).toLowerCase()]: "Market",
    [(await d.certificates.getAddress()).toLowerCase()]: "GreenCertificates",
    [(await d.credits.getAddress()).toLowerCase()]: "CarbonCredits",
  };
  const lineOf: Record<string, (pc: number) => string | undefined> = {};
  for (const [name, file] of [
    ["Market", "contracts/Market.sol"],
    ["GreenCertificates", "contracts/GreenCertificates.sol"],
    ["CarbonCredits", "contracts/CarbonCredits.sol"],
    ["BatchSettlement", "contracts/libraries/BatchSettlement.sol"],
    ["DealClosing", "contracts/libraries/DealClosing.sol"],
  ]) {
    lineOf[name] = sourceLines(file, name);
  }
  for (const library of ["BatchSettlement", "DealClosing"]) {
    const address = await libraryAddress(library);
    if (address !== undefined) codeNames[address] = library;
  }
  const kinds = [lifecycleTransactions[0], lifecycleTransactions[1], lifecycleTransactions.at(-1)];
  for (const [k, { hash, share }] of kinds.filter((t) => t !== undefined).entries()) {
    const trace = (await ethers.provider.send("debug_traceTransaction", [
      hash,
      { disableStorage: true, disableMemory: true },
    ])) as { structLogs: (Step & { pc: number; stack: string[] })[] };
    const logs = trace.structLogs;
    const frames = ["Market"];
    const lastLine: Record<number, string> = {};
    const lines: Record<string, number> = {};
    for (const [i, step] of logs.entries()) {
      frames.length = step.depth;
      const code = frames[step.depth - 1];
      const entersCallee = i + 1 < logs.length && logs[i + 1].depth > step.depth;
      const cost = entersCallee ? callOverhead(logs, i) : step.gasCost;
      const line = lineOf[code]?.(step.pc);
      if (line !== undefined) lastLine[step.depth] = line;
      const key = `${code.padEnd(17)} ${line ?? `(generated, after) ${lastLine[step.depth] ?? ""}`}`;
      lines[key] = (lines[key] ?? 0) + cost * share;
      if (entersCallee) {
        const target = `0x${step.stack[step.stack.length - 2].replace(/^0x/, "").slice(-40).padStart(40, "0")}`;
        frames.push(codeNames[target] ?? target.slice(0, 10));
      }
    }
    console.log(
      `\n${["settle (per match of 20)", "report (per deal of 20)", "finalise (per deal of 20)"][k]}: costliest lines`,
    );
    for (const [key, gas] of Object.entries(lines)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 25)) {
      console.log(`  ${Math.round(gas).toString().padStart(6)}  ${key}`);
    }
  }
}

/** The address the deployment linked `library` at, read from the market's linked code. */
async function libraryAddress(library: string): Promise<string | undefined> {
  const artifact = await import("hardhat").then(({ artifacts }) => artifacts.readArtifact("Market"));
  const references = Object.values(artifact.deployedLinkReferences ?? {}).flatMap((byName) =>
    Object.entries(byName).filter(([name]) => name === library),
  );
  const start = references[0]?.[1][0]?.start;
  if (start === undefined) return undefined;
  const code = await ethers.provider.getCode(await market.getAddress());
  return `0x${code.slice(2 + start * 2, 2 + start * 2 + 40)}`.toLowerCase();
}

/** Maps a program counter of `name`'s deployed code to "file:line source", from the newest build info. */
function sourceLines(file: string, name: string): (pc: number) => string | undefined {
  const dir = path.join(root, "artifacts/build-info");
  const builds = readdirSync(dir)
    .filter((f) => f.endsWith(".output.json"))
    .sort((a, b) => statSync(path.join(dir, b)).mtimeMs - statSync(path.join(dir, a)).mtimeMs);
  for (const outputFile of builds) {
    const output = JSON.parse(readFileSync(path.join(dir, outputFile), "utf8")).output;
    const contract = output.contracts[`project/${file}`]?.[name];
    if (contract === undefined) continue;
    const input = JSON.parse(readFileSync(path.join(dir, outputFile.replace(".output", "")), "utf8")).input;
    const fileOfId: Record<number, string> = {};
    for (const [f, { id }] of Object.entries(output.sources) as [string, { id: number }][]) fileOfId[id] = f;
    const { object, sourceMap } = contract.evm.deployedBytecode as { object: string; sourceMap: string };
    const code = Buffer.from(object.replace(/__\$[0-9a-f]{34}\$__/g, "0".repeat(40)), "hex");
    const instructionAt: number[] = [];
    for (let pc = 0, n = 0; pc < code.length; ++n) {
      instructionAt[pc] = n;
      const op = code[pc];
      pc += op >= 0x60 && op <= 0x7f ? op - 0x5e : 1;
    }
    let previous = [0, 0, -1];
    const entries = sourceMap.split(";").map((entry) => {
      const [s, l, f] = entry.split(":");
      previous = [s ? +s : previous[0], l ? +l : previous[1], f ? +f : previous[2]];
      return previous;
    });
    return (pc) => {
      const [start, length, id] = entries[instructionAt[pc]] ?? [0, 0, -1];
      const source: string | undefined = input.sources[fileOfId[id]]?.content;
      if (source === undefined) return undefined;
      const line = source.slice(0, start).split("\n").length;
      const text = source.slice(start, start + Math.min(length, 60)).replace(/\s+/g, " ");
      return `${fileOfId[id].replace(/^project\//, "")}:${line} ${text}`;
    };
  }
  return () => undefined;
}
