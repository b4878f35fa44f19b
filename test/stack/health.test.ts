import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { type HealthObservations, healthReport, type IndexerHealth } from "../../stack/health.ts";

const KEY = `0x${"ab".repeat(32)}` as const;
const indexerReady: IndexerHealth = {
  ok: true,
  ready: true,
  phase: "following",
  headBlock: 40,
  indexedBlock: 40,
  blocksBehind: 0,
};
const running = { state: "running", restarts: 0 } as const;

/** A local stack with the demo and the keeper, every part up. */
function allUp(): HealthObservations {
  return {
    settings: { chain: { kind: "local", nodePort: 8545 }, keeperKey: KEY, demo: true },
    head: 40,
    nodeRestarting: false,
    node: running,
    journaledBlock: 40,
    // Only what /health shows of a deployment.
    deployment: { chainId: 31337, contracts: { Market: "0x01" } } as never,
    indexer: indexerReady,
    api: true,
    graphql: true,
    subscriptions: { open: 2, limit: 100 },
    services: { indexer: running, api: running, demo: running, matcher: running, keeper: running },
    demoSeeded: true,
    keeper: undefined,
    webBuilt: true,
    stopping: false,
    started: true,
  };
}
type Parts = Record<string, Record<string, unknown> & { state: string }>;
const report = (seen: HealthObservations) => {
  const { healthy, body } = healthReport(seen);
  return { healthy, ...(body as { status: string; parts: Parts }) };
};

describe("the health report (/health)", () => {
  it("shows the flagged reports the keeper leaves to their parties, and stays healthy with them", () => {
    const seen = allUp();
    seen.keeper = {
      at: "2026-12-06T10:00:00.000Z",
      openDeals: 3,
      flaggedReports: [
        { dealId: "7", reason: "metered 36000 Wh, far from the declared profile's 3600 Wh", challengeEnd: 1 },
      ],
    };
    const r = report(seen);
    assert.equal(r.healthy, true);
    assert.deepEqual(r.parts.keeper, {
      state: "up",
      restarts: 0,
      openDeals: 3,
      flaggedReports: [{ dealId: "7", reason: "metered 36000 Wh, far from the declared profile's 3600 Wh" }],
    });
    assert.deepEqual(report(allUp()).parts.keeper, { state: "up", restarts: 0 }, "before the keeper's first round");
  });
  it("is ok when every part is up, and shows the chain's journal and the open subscriptions", () => {
    const up = report(allUp());
    assert.equal(up.healthy, true);
    assert.equal(up.status, "ok");
    assert.deepEqual(up.parts.chain, { state: "up", kind: "local", head: 40, journaledBlock: 40 });
    assert.deepEqual(up.parts.deployment, { state: "up", chainId: 31337, market: "0x01" });
    assert.deepEqual(up.parts.indexer, {
      state: "up",
      restarts: 0,
      phase: "following",
      indexedBlock: 40,
      blocksBehind: 0,
      subscriptions: { open: 2, limit: 100 },
    });
    assert.deepEqual(up.parts.demo, { state: "up", restarts: 0, seeded: true });
    assert.deepEqual(up.parts.web, { state: "up" });
  });

  it("tells a hung node ('not answering') from a gone one ('down') and from one being rebuilt", () => {
    const seen = allUp();
    seen.head = null;
    assert.equal(report(seen).parts.chain!.state, "not answering");
    seen.node = { state: "failed", restarts: 0 };
    assert.equal(report(seen).parts.chain!.state, "down");
    seen.nodeRestarting = true;
    assert.equal(report(seen).parts.chain!.state, "restarting");
    assert.equal(report(seen).status, "degraded");
  });

  it("shows no journal on an existing chain", () => {
    const seen = allUp();
    seen.settings = { ...seen.settings, chain: { kind: "remote", rpcUrl: "http://127.0.0.1:1", deploymentFile: "x" } };
    seen.node = undefined;
    assert.deepEqual(report(seen).parts.chain, { state: "up", kind: "remote", head: 40 });
  });

  it("counts an indexer whose /graphql does not answer through the origin as starting, and says why", () => {
    const seen = allUp();
    seen.graphql = false;
    const r = report(seen);
    assert.equal(r.healthy, false);
    assert.equal(r.parts.indexer!.state, "starting");
    assert.equal(r.parts.indexer!.problem, "/graphql does not answer through the origin");
  });

  it("reports a service's restarts, the parts that are off, and a web market that is not built", () => {
    const seen = allUp();
    seen.services.matcher = { state: "restarting", restarts: 3 };
    seen.settings = { ...seen.settings, keeperKey: undefined, demo: false };
    seen.webBuilt = false;
    const r = report(seen);
    assert.deepEqual(r.parts.matcher, { state: "restarting", restarts: 3 });
    assert.deepEqual(r.parts.keeper, { state: "off" });
    assert.deepEqual(r.parts.demo, { state: "off" });
    assert.equal(r.parts.web!.state, "down");
    assert.equal(r.healthy, false);
  });

  it("shows the deployment as starting until it is known", () => {
    const seen = allUp();
    seen.deployment = undefined;
    assert.deepEqual(report(seen).parts.deployment, { state: "starting" });
    assert.equal(report(seen).healthy, false);
  });

  it("is starting before start-up ends and stopping (never healthy) once a stop begins", () => {
    const seen = allUp();
    seen.services = {};
    seen.started = false;
    assert.equal(report(seen).status, "starting");
    assert.deepEqual(report(seen).parts.api, { state: "starting", restarts: 0 });
    const stopping = allUp();
    stopping.stopping = true;
    assert.deepEqual([report(stopping).status, report(stopping).healthy], ["stopping", false]);
  });
});
