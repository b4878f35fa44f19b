import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { startTestServer, type TestServer } from "./server.ts";

describe("GET /metrics", () => {
  let srv: TestServer;
  before(async () => {
    srv = await startTestServer({ defaultMetrics: true });
  });
  after(() => srv.close());

  it("exposes request counters and latency histograms by route template in Prometheus text format", async () => {
    await fetch(`${srv.url}/api/proposals`);
    await fetch(`${srv.url}/api/proposals?limit=x`);
    await fetch(`${srv.url}/random/path/123`);
    const res = await fetch(`${srv.url}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    assert.match(text, /^ccex_http_requests_total\{method="GET",route="\/api\/proposals",status="200"\} 1$/m);
    assert.match(text, /^ccex_http_requests_total\{method="GET",route="\/api\/proposals",status="400"\} 1$/m);
    assert.match(text, /^ccex_http_requests_total\{method="GET",route="unmatched",status="404"\} 1$/m);
    assert.doesNotMatch(text, /random\/path/, "raw paths never become labels");
    assert.match(
      text,
      /^ccex_http_request_duration_seconds_bucket\{le="0\.1",method="GET",route="\/api\/proposals",status="200"\} 1$/m,
    );
    assert.match(text, /^ccex_api_process_cpu_user_seconds_total /m);
  });

  it("reports the size of the book and of the latest batch", async () => {
    srv.book.replace({ bids: [], computeOffers: [] });
    await srv.proposals.publish({ id: 1n, clearedAt: 1_700_000_000, matches: [] });
    const text = await (await fetch(`${srv.url}/metrics`)).text();
    assert.match(text, /^ccex_book_open_orders\{side="compute"\} 0$/m);
    assert.match(text, /^ccex_proposals_latest_cleared_at_seconds 1700000000$/m);
    assert.match(text, /^ccex_proposals_latest_matches 0$/m);
  });
});
