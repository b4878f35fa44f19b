import assert from "node:assert/strict";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";

import type { Deployment } from "../../protocol/deployment.ts";
import {
  contractsCode,
  DATA_FORMAT,
  type DataStamp,
  describeMove,
  readStamp,
  STAMP_FILE,
  settleDataFormat,
  settleDeployment,
} from "../../stack/data-folder.ts";

const at = (n: number) => `0x${n.toString(16).padStart(40, "0")}`;
const deployment = (market: number): Deployment => ({
  chainId: 31337,
  startBlock: 1,
  deployedAt: "2026-12-06T00:00:00Z",
  deployer: at(1),
  contracts: {
    Market: at(market),
    GreenCertificates: at(3),
    CarbonCredits: at(4),
    SettlementToken: at(5),
    BatchSettlement: at(6),
    OrderPosting: at(7),
    DealClosing: at(8),
  },
  localSettlementToken: true,
  roles: { admin: at(1), matcher: at(1), arbiter: at(1), pauser: at(1), registrar: at(1), treasury: at(1) },
  ignitionDeploymentId: "test",
});
/** The stamp, which the test expects to be there and readable. */
function stamped(dir: string): DataStamp {
  const stamp = readStamp(dir);
  assert.ok(stamp !== undefined && stamp !== "unreadable", `a readable stamp in ${dir}`);
  return stamp;
}
const NOW = new Date("2026-12-06T10:11:12.345Z");
const PREVIOUS = path.join("previous", "2026-12-06T10-11-12Z");

/** A store as a folder with one file, so a test can see it arrived whole. */
async function store(dir: string, name: string, content = `${name} of the earlier version`): Promise<void> {
  await mkdir(path.join(dir, name), { recursive: true });
  await writeFile(path.join(dir, name, "data"), content);
}

describe("data folder upgrade", () => {
  let root: string;
  let n = 0;
  const fresh = async () => {
    const dir = path.join(root, `d${n++}`);
    await mkdir(dir);
    return dir;
  };
  before(async () => {
    root = await mkdtemp(path.join(tmpdir(), "ccex-data-folder-"));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it("stamps an empty folder and moves nothing", async () => {
    const dir = await fresh();
    assert.equal(settleDataFormat(dir, { code: "sha256:a", now: NOW }), undefined);
    assert.deepEqual(readStamp(dir), { format: DATA_FORMAT, code: "sha256:a", deployment: null });
    assert.deepEqual(await readdir(dir), [STAMP_FILE]);
  });

  it("moves every store of an unstamped (pool market) folder into a dated folder, keeping logs and the lock", async () => {
    const dir = await fresh();
    for (const name of ["chain", "deployment", "indexer", "matcher", "metering", "demo", "logs"])
      await store(dir, name);
    await writeFile(path.join(dir, "stack.pid"), "1\n");
    const moved = settleDataFormat(dir, { code: "sha256:a", now: NOW });
    assert.ok(moved);
    assert.match(moved.reason, /before the hourly market/);
    assert.deepEqual(moved.names, ["chain", "deployment", "indexer", "matcher", "demo", "metering"]);
    assert.equal(moved.to, path.join(dir, PREVIOUS));
    for (const name of moved.names)
      assert.equal(await readFile(path.join(dir, PREVIOUS, name, "data"), "utf8"), `${name} of the earlier version`);
    assert.deepEqual((await readdir(dir)).sort(), [STAMP_FILE, "logs", "previous", "stack.pid"]);
    assert.equal(await readFile(path.join(dir, "logs", "data"), "utf8"), "logs of the earlier version");
    assert.match(
      describeMove(moved, dir),
      /^!! {2}\S+ held data of a CCEX version before the hourly market .*: moved chain, deployment, indexer, matcher, demo, metering to \S+previous\/2026-12-06T10-11-12Z and started clean$/,
    );
  });

  it("never overwrites an earlier move made in the same second", async () => {
    const dir = await fresh();
    await store(dir, "metering", "first");
    settleDataFormat(dir, { now: NOW });
    await writeFile(path.join(dir, STAMP_FILE), JSON.stringify({ format: 1, code: null, deployment: null }));
    await store(dir, "metering", "second");
    const moved = settleDataFormat(dir, { now: NOW });
    assert.match(moved?.reason ?? "", /data format 1; this version uses 2/);
    assert.equal(moved?.to, path.join(dir, `${PREVIOUS}-2`));
    assert.equal(await readFile(path.join(dir, PREVIOUS, "metering", "data"), "utf8"), "first");
    assert.equal(await readFile(path.join(dir, `${PREVIOUS}-2`, "metering", "data"), "utf8"), "second");
  });

  it("moves a local chain deployed from other contracts, and keeps one deployed from the same", async () => {
    const dir = await fresh();
    settleDataFormat(dir, { code: "sha256:old", now: NOW });
    await store(dir, "chain");
    assert.equal(settleDataFormat(dir, { code: "sha256:old", now: NOW }), undefined);
    assert.equal(settleDataFormat(dir, {}), undefined, "an existing chain does not compare code");
    const moved = settleDataFormat(dir, { code: "sha256:new", now: NOW });
    assert.match(moved?.reason ?? "", /deployed from other contracts/);
    assert.deepEqual(moved?.names, ["chain"]);
    assert.equal(stamped(dir).code, "sha256:new");
  });

  it("treats an unreadable stamp as data it cannot vouch for", async () => {
    const dir = await fresh();
    await store(dir, "demo");
    await writeFile(path.join(dir, STAMP_FILE), "{ half a stamp");
    assert.match(settleDataFormat(dir, { now: NOW })?.reason ?? "", /unreadable format\.json/);
  });

  it("moves the chain-bound stores aside on a new deployment or another one, and records the deployment", async () => {
    const dir = await fresh();
    settleDataFormat(dir, { code: "sha256:a", now: NOW });
    await store(dir, "metering");
    await store(dir, "deployment");
    assert.equal(settleDeployment(dir, deployment(2), { fresh: false, now: NOW }), undefined, "nothing recorded yet");
    assert.equal(stamped(dir).deployment?.contracts.Market, at(2));
    assert.equal(settleDeployment(dir, deployment(2), { fresh: false, now: NOW }), undefined, "the same deployment");

    const other = settleDeployment(dir, deployment(9), { fresh: false, now: NOW });
    assert.match(other?.reason ?? "", new RegExp(`another deployment \\(Market ${at(2)} on chain 31337\\)`));
    assert.deepEqual(other?.names, ["metering"]);
    assert.ok((await readdir(dir)).includes("deployment"), "the deployment itself is the chain's, not a store's");

    await store(dir, "demo");
    const anew = settleDeployment(dir, deployment(9), { fresh: true, now: NOW });
    assert.match(anew?.reason ?? "", /deployed anew/);
    assert.deepEqual(anew?.names, ["demo"]);
    assert.equal(stamped(dir).code, "sha256:a", "the code stamp stays");
  });

  it("hashes the built contracts' code without the compiler's metadata", () => {
    const code = contractsCode();
    assert.match(code, /^sha256:[0-9a-f]{64}$/);
    assert.equal(contractsCode(), code);
    assert.throws(() => contractsCode(root), /Market\.json/);
  });
});
