// How much CPU the indexer spends following a first start's seed live, by INDEXER_FOLLOW_EVERY_MS: a
// chain journal a first start left (DATA_DIR/chain/journal.jsonl and DATA_DIR/deployment) is replayed
// into a fresh node block by block at the seed's pace while an indexer process follows it; the CPU
// seconds it used from ready to caught up are read from /proc. Runs each setting in turn, the same
// number of times, so that the machine's load falls on each alike; prints the load average.
//
//   node scripts/bench/indexer-follow.ts --data /tmp/ccex-data [--every 0,500] [--rounds 2] [--pace 80]
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";

import { ChainJournal } from "../../stack/chain/journal.ts";
import { rpcBatch, rpcCall } from "../../stack/chain/rpc.ts";
import { PGLITE_TEMPLATE } from "../../stack/pglite-template.ts";
import { freePort, ROOT, startNode } from "../../test/helpers/local-chain.ts";

const { values: args } = parseArgs({
  options: {
    data: { type: "string" },
    every: { type: "string", default: "0,500" },
    rounds: { type: "string", default: "2" },
    pace: { type: "string", default: "80" },
  },
});
if (args.data === undefined || !existsSync(path.join(args.data, "chain", "journal.jsonl"))) {
  console.error("--data must name the DATA_DIR of a first start (with chain/journal.jsonl and deployment/)");
  process.exit(2);
}
const journal = (await ChainJournal.open(path.join(args.data, "chain", "journal.jsonl")))!;
const deploymentFile = path.join(args.data, "deployment", "31337.json");
const startBlock = (JSON.parse(readFileSync(deploymentFile, "utf8")) as { startBlock: number }).startBlock;
const TICKS = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());
const cpuSeconds = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function replay(url: string, from: number, to: number, paceMs: number): Promise<void> {
  await rpcCall(url, "evm_setAutomine", [false]);
  for (const block of journal.blocks.slice(from, to)) {
    const at = Date.now();
    await rpcBatch(url, [
      ...block.txs.map((raw) => ({ method: "eth_sendRawTransaction", params: [raw] })),
      { method: "evm_setNextBlockTimestamp", params: [block.timestamp] },
      { method: "evm_mine", params: [] },
    ]);
    if (paceMs > 0) await sleep(Math.max(0, paceMs - (Date.now() - at)));
  }
}

async function health(port: number): Promise<{ ready?: boolean; indexedBlock?: number | null } | undefined> {
  try {
    return (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as never;
  } catch {
    return undefined;
  }
}

async function once(every: number): Promise<{ cpu: number; wall: number }> {
  const node = await startNode({ genesisTime: new Date(journal.header.initialDate), accounts: 50 });
  const dir = mkdtempSync(path.join(tmpdir(), "ccex-bench-follow-"));
  let child: ChildProcess | undefined;
  try {
    // The deployment first, then the indexer, then the seed's blocks at its pace.
    await replay(node.url, 0, startBlock, 0);
    const port = await freePort();
    child = spawn(process.execPath, [path.join(ROOT, "indexer", "main.ts")], {
      cwd: ROOT,
      env: {
        ...process.env,
        RPC_URL: node.url,
        INDEXER_WS_URL: `ws://127.0.0.1:${node.port}`,
        INDEXER_DEPLOYMENT: deploymentFile,
        INDEXER_DATA_DIR: path.join(dir, "indexer"),
        PGLITE_TEMPLATE,
        INDEXER_PORT: String(port),
        INDEXER_FOLLOW_EVERY_MS: String(every),
        LOG_LEVEL: "warn",
      },
      stdio: ["ignore", "ignore", "inherit"],
    });
    while ((await health(port))?.ready !== true) await sleep(100);
    const cpuAtReady = cpuSeconds(child.pid!);
    const started = Date.now();
    await replay(node.url, startBlock, journal.blocks.length, Number(args.pace));
    const head = Number(await rpcCall(node.url, "eth_blockNumber"));
    while ((await health(port))?.indexedBlock !== head) await sleep(50);
    return { cpu: cpuSeconds(child.pid!) - cpuAtReady, wall: (Date.now() - started) / 1000 };
  } finally {
    child?.kill("SIGKILL");
    await node.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const settings = args.every.split(",").map(Number);
const results = new Map<number, { cpu: number; wall: number }[]>(settings.map((s) => [s, []]));
const loads: number[] = [loadavg()[0]];
for (let round = 0; round < Number(args.rounds); round++)
  for (const every of settings) {
    results.get(every)!.push(await once(every));
    loads.push(loadavg()[0]);
  }
console.log(
  `indexer following ${journal.head - startBlock} blocks (${journal.blocks.reduce((n, b) => n + b.txs.length, 0)} transactions) at one per ${args.pace} ms; load average ${Math.min(...loads).toFixed(2)}–${Math.max(...loads).toFixed(2)}`,
);
console.table(
  Object.fromEntries(
    [...results].map(([every, runs]) => [
      `INDEXER_FOLLOW_EVERY_MS=${every}`,
      {
        "CPU s (each run)": runs.map((r) => r.cpu.toFixed(2)).join(" / "),
        "wall s (each run)": runs.map((r) => r.wall.toFixed(1)).join(" / "),
      },
    ]),
  ),
);
