// Quotes from the pool of worker threads (backend/api/quote-pool.ts) are the serving thread's own:
// byte for byte the same answers on the same book, the book version each request read (a change is
// seen by the very next quote), the route's status codes and metrics, and no request left hanging
// when a worker fails.
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";

import { pino } from "pino";

import { createApp } from "../../../backend/api/app.ts";
import { QuotePool } from "../../../backend/api/quote-pool.ts";
import { answerQuote, type QuoteSettings } from "../../../backend/api/quote-service.ts";
import { readQuoteRequest } from "../../../backend/api/schemas/quote.ts";
import { admitBook } from "../../../backend/book/admit.ts";
import { bookToJson } from "../../../backend/book/book-file.ts";
import { InMemoryBookSource, type OpenBook } from "../../../backend/book/book-source.ts";
import { loadConfig } from "../../../backend/config.ts";
import { InMemoryProposalStore } from "../../../backend/proposals/proposal-store.ts";
import { createOriginApi } from "../../../stack/origin-api.ts";
import { FAIL } from "./faulty-quote-worker.ts";
import { marketBook } from "./market-book.ts";
import { quoteBodies } from "./quote-bodies.ts";
import { postJson, problemOf, startTestServer, type TestServer } from "./server.ts";

const NOW = 1_900_000_800; // on the hour
const SETTINGS: QuoteSettings = { platformFeeBps: 30, pricing: undefined };
const FAULTY = new URL("./faulty-quote-worker.ts", import.meta.url);

const bookA = admitBook(marketBook({ now: NOW })).book;
/** Another version: a different market, so most answers differ from bookA's. */
const bookB = admitBook(marketBook({ now: NOW, seed: 7 })).book;
const bodies = quoteBodies({ now: NOW, count: 300 });
const inline = (body: string, book: OpenBook) => answerQuote(readQuoteRequest(JSON.parse(body)), book, NOW, SETTINGS);

describe("QuotePool", () => {
  let pool: QuotePool;
  before(() => {
    pool = new QuotePool({ ...SETTINGS, size: 2 });
  });
  after(() => pool.close());

  it("answers 300 varied bodies byte for byte as quoteBid on the serving thread, with the same metrics", async () => {
    const answers = await Promise.all(bodies.map((b) => pool.quote(readQuoteRequest(JSON.parse(b)), bookA, NOW)));
    const outcomes = new Set<string>();
    answers.forEach((answer, i) => {
      const expected = inline(bodies[i], bookA);
      assert.equal(answer.json, expected.json, bodies[i]);
      assert.equal(answer.outcome, expected.outcome);
      assert.equal(answer.perVcuHourTokens, expected.perVcuHourTokens);
      assert.ok(answer.pricingSeconds > 0);
      outcomes.add(answer.outcome);
    });
    assert.deepEqual([...outcomes].sort(), ["infeasible", "limit-too-low", "priced"]);
  });

  it("quotes each request against the book version it was asked with, even when versions interleave", async () => {
    // No await between the calls: each worker gets A, B, A, … on its port in the order asked.
    const books = bodies.slice(0, 60).map((_, i) => (i % 3 === 1 ? bookB : bookA));
    const answers = await Promise.all(
      bodies.slice(0, 60).map((b, i) => pool.quote(readQuoteRequest(JSON.parse(b)), books[i], NOW)),
    );
    let differ = 0;
    answers.forEach((answer, i) => {
      assert.equal(answer.json, inline(bodies[i], books[i]).json, `body ${i}`);
      if (answer.json !== inline(bodies[i], i % 3 === 1 ? bookA : bookB).json) differ++;
    });
    assert.ok(differ > 10, `the two versions must differ in most answers to show anything (${differ} did)`);
  });

  it("refuses quotes once closed, as unavailable", async () => {
    const closing = new QuotePool({ ...SETTINGS, size: 1 });
    await closing.close();
    await assert.rejects(closing.quote(readQuoteRequest(JSON.parse(bodies[0])), bookA, NOW), {
      name: "HttpProblem",
      slug: "unavailable",
    });
  });

  it("needs at least one worker", () => {
    assert.throws(() => new QuotePool({ ...SETTINGS, size: 0 }), RangeError);
  });

  it("holds the fee and pricing itself: createApp refuses them beside it", () => {
    const book = new InMemoryBookSource();
    const proposals = new InMemoryProposalStore();
    assert.throws(() => createApp({ book, proposals, quotes: pool, platformFeeBps: 30 }), /quote service/);
  });
});

describe("POST /api/quote with a quote pool", () => {
  let srv: TestServer;
  let pool: QuotePool;
  before(async () => {
    pool = new QuotePool({ ...SETTINGS, size: 1 });
    srv = await startTestServer({ clock: () => NOW, quotes: pool });
    srv.book.replace(bookA);
  });
  after(async () => {
    await srv.close();
    await pool.close();
  });

  it("sends the pool's answer bytes, and a book change is visible to the very next quote", async () => {
    const body = bodies.find((b) => inline(b, bookA).json !== inline(b, bookB).json)!;
    const first = await postJson(`${srv.url}/api/quote`, body);
    assert.equal(first.status, 200);
    assert.equal(first.headers.get("content-type"), "application/json; charset=utf-8");
    assert.equal(await first.text(), inline(body, await srv.book.openBook()).json);
    srv.book.replace(bookB);
    const next = await postJson(`${srv.url}/api/quote`, body);
    assert.equal(await next.text(), inline(body, await srv.book.openBook()).json);
  });

  it("refuses a wrong field with 400 naming it, before any worker", async () => {
    const wrong = { ...JSON.parse(bodies[0]), durationHours: 0 };
    const res = await postJson(`${srv.url}/api/quote`, wrong);
    assert.equal(res.status, 400);
    const problem = await problemOf(res);
    assert.deepEqual(
      problem.errors?.map((e) => e.field),
      ["durationHours"],
    );
  });

  it("records the pool's quotes in /metrics: pricing time, outcomes and prices", async () => {
    const text = await (await fetch(`${srv.url}/metrics`)).text();
    const count = (name: string) =>
      text
        .split("\n")
        .filter((l) => l.startsWith(name))
        .reduce((s, l) => s + Number(l.split(" ").at(-1)), 0);
    assert.ok(count("ccex_quotes_total{") >= 2, text);
    assert.ok(count("ccex_quote_pricing_duration_seconds_count") >= 2);
    assert.ok(count("ccex_quote_price_") > 0, "priced quotes are in the price histogram");
  });
});

describe("a quote pool whose worker fails", () => {
  let srv: TestServer;
  let pool: QuotePool;
  before(async () => {
    pool = new QuotePool({ ...SETTINGS, size: 1, worker: FAULTY, timeoutMs: 1_000 });
    srv = await startTestServer({ clock: () => NOW, quotes: pool });
    srv.book.replace(bookA);
  });
  after(async () => {
    await srv.close();
    await pool.close();
  });

  const body = (vcu: number) => ({ ...JSON.parse(bodies[0]), vcu });
  const healthy = async () => {
    const res = await postJson(`${srv.url}/api/quote`, bodies[0]);
    assert.equal(res.status, 200, "the replacement worker answers");
    assert.equal(await res.text(), inline(bodies[0], bookA).json);
  };

  for (const [how, vcu] of [
    ["exits", FAIL.exit],
    ["throws outside a quote", FAIL.uncaught],
    ["runs a quote past the timeout", FAIL.hang],
  ] as const) {
    it(`answers 503 unavailable with Retry-After when the worker ${how}, and replaces the worker`, async () => {
      await healthy();
      const res = await postJson(`${srv.url}/api/quote`, body(vcu));
      assert.equal(res.status, 503);
      assert.equal(res.headers.get("retry-after"), "1");
      const problem = await problemOf(res);
      assert.equal(problem.type, "/problems/unavailable");
      assert.match(String(problem.detail), /quote service is unavailable/);
      await healthy();
    });
  }

  it("answers a quote that throws in the worker 500, as one that throws on the serving thread", async () => {
    const res = await postJson(`${srv.url}/api/quote`, body(FAIL.quoteThrows));
    assert.equal(res.status, 500);
    assert.equal((await problemOf(res)).type, "/problems/internal-error");
    await healthy();
  });
});

describe("the origin's in-process API with QUOTE_WORKERS", () => {
  it("quotes from a pool of its own, the same bytes as the serving thread", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "ccex-origin-pool-"));
    const bookFile = path.join(dir, "book.json");
    await writeFile(bookFile, bookToJson(bookA));
    const config = loadConfig({ BOOK_FILE: bookFile, QUOTE_WORKERS: "1", RATE_LIMIT_MAX: "0" });
    assert.equal(config.quoteWorkers, 1);
    const api = await createOriginApi(config, pino({ level: "silent" }));
    const server = createServer(api.listener);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      assert.ok(api.quotes instanceof QuotePool, "QUOTE_WORKERS=1 gives the origin a pool of its own");
      const { port } = server.address() as AddressInfo;
      for (const body of bodies.slice(0, 20)) {
        // The origin's clock is the real one: the answer is the serving thread's at a second read
        // before or after the request (an hour may turn in between).
        const asked = Math.floor(Date.now() / 1000);
        const res = await postJson(`http://127.0.0.1:${port}/api/quote`, body);
        assert.equal(res.status, 200);
        const text = await res.text();
        const at = (now: number) => answerQuote(readQuoteRequest(JSON.parse(body)), bookA, now, SETTINGS).json;
        if (text !== at(asked)) assert.equal(text, at(Math.floor(Date.now() / 1000)));
      }
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await api.quotes.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
