import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import type { ProposalBatch, ProposedMatch } from "../../../backend/proposals/proposal-store.ts";
import { ProposalsResponse } from "../../../protocol/api.ts";
import { problemOf, startTestServer, type TestServer } from "./server.ts";

function proposed(bidId: bigint): ProposedMatch {
  // A uint256-sized payment checks that amounts survive JSON as exact decimal strings.
  const big = 2n ** 200n + 7n;
  return {
    match: {
      bidId,
      computeOfferId: 10n,
      start: 1_800_000_000,
      vcu: 2n,
      computePayment: 3_000_000n,
      energyLots: [{ offerId: 20n, hour: 1_800_003_600, wh: 8_000n, payment: 640_000n }],
      bandwidthOfferId: 0n,
      bandwidthPayment: 0n,
    },
    surplus: big,
    parties: [
      {
        role: "buyer",
        orderId: bidId,
        reserve: big,
        disagreement: 0n,
        weight: 1,
        payment: 3_640_000n,
        surplusShareBps: 5_000,
        explanation: "pays",
      },
      {
        role: "compute",
        orderId: 10n,
        reserve: 2_000_000n,
        disagreement: 2_000_000n,
        weight: 1,
        payment: 3_000_000n,
        surplusShareBps: 3_000,
        explanation: "gets",
      },
      {
        role: "energy",
        orderId: 20n,
        reserve: 400_000n,
        disagreement: 400_000n,
        weight: 0.5,
        payment: 640_000n,
        surplusShareBps: 2_000,
        explanation: "gets",
      },
    ],
  };
}

describe("GET /api/proposals", () => {
  let srv: TestServer;
  before(async () => {
    srv = await startTestServer();
  });
  after(() => srv.close());

  it("answers an empty page with no batch before the first clearing", async () => {
    const res = await fetch(`${srv.url}/api/proposals`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { batch: null, matches: [], page: { offset: 0, limit: 100, total: 0 } });
  });

  it("shows every party's reserve, disagreement point, weight, payment and share as exact strings", async () => {
    const batch: ProposalBatch = {
      id: 1n,
      clearedAt: 1_700_000_000,
      matches: [proposed(1n), proposed(2n), proposed(3n)],
    };
    await srv.proposals.publish(batch);
    const res = await fetch(`${srv.url}/api/proposals`);
    assert.equal(res.status, 200);
    const body = ProposalsResponse.parse(await res.json());
    assert.deepEqual(body.batch, { id: "1", clearedAt: 1_700_000_000, matchCount: 3 });
    assert.equal(body.matches.length, 3);
    const first = body.matches[0];
    assert.equal(first.surplus, (2n ** 200n + 7n).toString());
    assert.deepEqual(first.energyLots, [{ offerId: "20", hour: 1_800_003_600, wh: "8000", payment: "640000" }]);
    assert.equal(first.start, 1_800_000_000);
    assert.equal(first.vcu, "2");
    assert.deepEqual(first.parties[2], {
      role: "energy",
      orderId: "20",
      reserve: "400000",
      disagreement: "400000",
      weight: 0.5,
      payment: "640000",
      surplusShareBps: 2_000,
      explanation: "gets",
    });
  });

  it("filters by bid and pages through the batch", async () => {
    const one = ProposalsResponse.parse(await (await fetch(`${srv.url}/api/proposals?bidId=2`)).json());
    assert.deepEqual(
      one.matches.map((m) => m.bidId),
      ["2"],
    );
    assert.equal(one.page.total, 1);
    const page = ProposalsResponse.parse(await (await fetch(`${srv.url}/api/proposals?offset=1&limit=1`)).json());
    assert.deepEqual(
      page.matches.map((m) => m.bidId),
      ["2"],
    );
    assert.deepEqual(page.page, { offset: 1, limit: 1, total: 3 });
  });

  it("names each wrong query parameter", async () => {
    const res = await fetch(`${srv.url}/api/proposals?limit=0&offset=-1&bidId=abc&sort=price`);
    assert.equal(res.status, 400);
    const p = await problemOf(res);
    assert.equal(p.type, "/problems/invalid-request");
    const fields = p.errors?.map((e) => e.field).sort();
    assert.deepEqual(fields, ["bidId", "limit", "offset", "sort"]);
    assert.ok(p.errors?.every((e) => e.in === "query" && e.message.length > 0));
  });

  it("rejects a repeated parameter instead of guessing which one counts", async () => {
    const res = await fetch(`${srv.url}/api/proposals?limit=1&limit=2`);
    assert.equal(res.status, 400);
    assert.deepEqual(
      (await problemOf(res)).errors?.map((e) => e.field),
      ["limit"],
    );
  });

  it("never lets the store go back to an older batch", async () => {
    await assert.rejects(srv.proposals.publish({ id: 1n, clearedAt: 1_700_000_500, matches: [] }), RangeError);
  });
});
