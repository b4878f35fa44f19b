// `npm run verify-metering -- <dealId> [--api <url>] [--rpc-url <url>] [--deployment <file|chainId>]`
// Recomputes a deal's hourly Wh and Merkle root from the series the API serves, checks every batch's
// signature, and compares with the usage report on chain. Exit 0 verified, 1 not, 2 bad usage.
// The chain is read directly (default: the stack's /rpc and /config.json), not through the API.
import { parseArgs } from "node:util";

import { createPublicClient, http } from "viem";
import { ChainDealSource } from "../backend/metering/deal-source.ts";
import { verifyDeal } from "../backend/metering/verify-deal.ts";
import { readDeployment } from "../protocol/deployment.ts";

function fail(message: string): never {
  console.error(`verify-metering: ${message}`);
  process.exit(2);
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    api: { type: "string", default: "http://127.0.0.1:8080" },
    "rpc-url": { type: "string" },
    deployment: { type: "string" },
    json: { type: "boolean", default: false },
  },
});
const [id] = positionals;
if (id === undefined || !/^[1-9][0-9]*$/.test(id)) fail("usage: verify-metering <dealId> [--api url] [--rpc-url url]");

let rpcUrl = values["rpc-url"];
let chainId: number;
let market: `0x${string}`;
let startBlock: bigint;
if (values.deployment !== undefined) {
  const d = await readDeployment(/^[0-9]+$/.test(values.deployment) ? Number(values.deployment) : values.deployment);
  [chainId, market, startBlock] = [d.chainId, d.contracts.Market as `0x${string}`, BigInt(d.startBlock)];
} else {
  const res = await fetch(new URL("/config.json", values.api)).catch((e: Error) =>
    fail(`cannot reach ${values.api}: ${e.message}`),
  );
  if (!res.ok) fail(`${values.api}/config.json answered ${res.status}; pass --deployment`);
  const config = (await res.json()) as {
    rpcUrl: string;
    deployment: { chainId: number; startBlock: number; contracts: { Market: `0x${string}` } };
  };
  [chainId, market, startBlock] = [
    config.deployment.chainId,
    config.deployment.contracts.Market,
    BigInt(config.deployment.startBlock),
  ];
  rpcUrl ??= new URL(config.rpcUrl, values.api).toString();
}
const client = createPublicClient({ transport: http(rpcUrl ?? "http://127.0.0.1:8545") });
const deals = new ChainDealSource({ client, domain: { chainId, market }, startBlock });
const result = await verifyDeal({ api: values.api, deals, dealId: BigInt(id) });

const { recomputed, report } = result;
if (values.json) {
  console.log(JSON.stringify(result, (_k, v) => (typeof v === "bigint" ? v.toString() : v), 2));
} else {
  console.log(`deal ${id}: ${recomputed.samples} samples, ${recomputed.totalWh} Wh, root ${recomputed.root}`);
  for (const h of recomputed.hours) console.log(`  ${new Date(h.start * 1000).toISOString()}  ${h.wh} Wh`);
  for (const g of recomputed.gaps) console.log(`  gap ${g.from}–${g.to} (${g.to - g.from} s)`);
  for (const b of result.unsignedBatches) console.log(`  batch ${b.firstT}–${b.lastT}: ${b.why}`);
  if (report === null) console.log("no usage report on chain yet");
  else {
    console.log(
      `on chain: ${report.onChain.whPerHour.join(", ")} Wh per hour, meteringRoot ${report.onChain.meteringRoot}`,
    );
    console.log(`root ${report.rootMatches ? "matches" : "DIFFERS"}, Wh ${report.whMatches ? "match" : "DIFFER"}`);
  }
  console.log(result.verified ? "VERIFIED" : "NOT VERIFIED");
}
process.exitCode = result.verified ? 0 : 1;
