// A data folder written by the pool market (before the hourly market, before data-format stamps):
// `npm start` moves its stores aside into DATA_DIR/previous/<time>/, says so in one line, and starts
// clean on a new chain whose deal ids cannot meet the old metering records or demo state.
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";

import { readDeployment } from "../../protocol/deployment.ts";
import { DATA_FORMAT, readStamp } from "../../stack/data-folder.ts";
import { startStack } from "../helpers/stack.ts";

const at = (n: number) => `0x${n.toString(16).padStart(40, "0")}`;

/** What the pool market's `npm start` left: its files, by what each store held then. */
const OLD_VERSION: Record<string, string> = {
  "chain/journal.jsonl": `${JSON.stringify({ v: 1, chainId: 31337, initialDate: "2026-11-20T00:00:00Z", genesisHash: `0x${"11".repeat(32)}` })}\n`,
  // The pool market's deployment: a Pool contract, no DealClosing library.
  "deployment/31337.json": JSON.stringify({
    chainId: 31337,
    startBlock: 1,
    deployedAt: "2026-11-20T00:00:00Z",
    deployer: at(1),
    contracts: { Market: at(2), Pool: at(3), GreenCertificates: at(4), CarbonCredits: at(5), SettlementToken: at(6) },
    localSettlementToken: true,
    roles: { admin: at(1), matcher: at(1), arbiter: at(1), pauser: at(1), registrar: at(1), treasury: at(1) },
    ignitionDeploymentId: "stack-1",
  }),
  "indexer/PG_VERSION": "17\n",
  "matcher/proposals.json": '{"proposals":[]}\n',
  "metering/old-deal-1.json": '{"dealId":"1","samples":[[1795000000,4200]]}\n',
  "demo/deal-1.json": '{"dealId":"1","reported":false}\n',
};

describe("npm start on a data folder of the pool market", { timeout: 15 * 60_000 }, () => {
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), "ccex-upgrade-"));
    for (const [file, content] of Object.entries(OLD_VERSION)) {
      await mkdir(path.dirname(path.join(dataDir, file)), { recursive: true });
      await writeFile(path.join(dataDir, file), content);
    }
  });
  after(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it("moves the old stores aside whole, says where in one line, and starts clean on a new deployment", async () => {
    const stack = await startStack({ DATA_DIR: dataDir, DEMO: "off" });
    try {
      const lines = stack.output().split("\n");
      const said = lines.filter((l) => l.includes("held data of a CCEX version before the hourly market"));
      assert.equal(said.length, 1, stack.output());
      const previous = path.join(dataDir, "previous");
      const [dated] = await readdir(previous);
      assert.match(dated, /^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z$/);
      assert.match(
        said[0],
        new RegExp(
          `moved chain, deployment, indexer, matcher, demo, metering to \\S*previous/${dated} and started clean$`,
        ),
      );
      // Nothing of the user's data is lost: every file is in the dated folder as it was.
      for (const [file, content] of Object.entries(OLD_VERSION))
        assert.equal(await readFile(path.join(previous, dated, file), "utf8"), content, file);

      // A new chain and deployment, recorded in the stamp; the stores are the new deployment's.
      assert.match(stack.output(), /ok {2}contracts deployed/);
      const deployment = await readDeployment(path.join(dataDir, "deployment", "31337.json"));
      assert.notEqual(deployment.contracts.Market, at(2));
      const stamp = readStamp(dataDir);
      assert.ok(stamp !== undefined && stamp !== "unreadable");
      assert.equal(stamp.format, DATA_FORMAT);
      assert.equal(stamp.deployment?.contracts.Market, deployment.contracts.Market.toLowerCase());
      assert.ok(!(await readdir(path.join(dataDir, "metering"))).includes("old-deal-1.json"));
      const health = await fetch(`${stack.url}/health`);
      assert.equal(health.status, 200, await health.text());
      // The keeper's rounds reach /health through its status file (no deal, so nothing flagged).
      let keeper: { openDeals?: number; flaggedReports?: unknown[] } = {};
      for (let i = 0; i < 60 && keeper.flaggedReports === undefined; i++) {
        if (i > 0) await new Promise((r) => setTimeout(r, 500));
        keeper = ((await (await fetch(`${stack.url}/health`)).json()) as { parts: { keeper: typeof keeper } }).parts
          .keeper;
      }
      assert.deepEqual(keeper.flaggedReports, []);
      assert.equal(keeper.openDeals, 0);
    } finally {
      assert.equal((await stack.interrupt()).code, 0);
    }
  });

  it("starts again on the folder it upgraded without moving anything", async () => {
    const stack = await startStack({ DATA_DIR: dataDir, DEMO: "off" });
    try {
      assert.doesNotMatch(stack.output(), / held .*: moved /);
      assert.match(stack.output(), /ok {2}deployment reused/);
      assert.equal((await readdir(path.join(dataDir, "previous"))).length, 1);
    } finally {
      assert.equal((await stack.interrupt()).code, 0);
    }
  });
});
