// The record that keeps the matcher from submitting a match twice, across rounds and restarts.
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";

import { FatalChainError } from "../../../backend/chain/errors.ts";
import { matchKeyer } from "../../../backend/matcher/match-key.ts";
import { SubmissionStore } from "../../../backend/matcher/submission-store.ts";
import type { OrderBook } from "../../../protocol/book.ts";
import type { Match } from "../../../protocol/orders.ts";
import { bid as bidOf, computeOffer, energyOffer } from "../pricing/fixtures/orders.ts";

let dir: string;
before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "ccex-matcher-store-"));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const tx = (n: number) => `0x${n.toString(16).padStart(64, "0")}` as const;

describe("SubmissionStore", () => {
  it("remembers pending and mined matches across a restart, and their outcomes", async () => {
    const file = path.join(dir, "a", "submissions.json");
    const store = await SubmissionStore.open({ file });
    await store.add({ txHash: tx(1), nonce: 4, rawTransaction: "0x02ab", matchKeys: ["k1", "k2"] });
    await store.add({ txHash: tx(2), nonce: 5, rawTransaction: "0x02cd", matchKeys: ["k3"] });
    await store.finish(tx(1), {
      status: "mined",
      blockNumber: 12n,
      outcomes: [
        { key: "k1", dealId: 1n },
        { key: "k2", skipReason: "BidNotOpen" },
      ],
    });
    await store.close();

    const reopened = await SubmissionStore.open({ file });
    assert.ok(reopened.has("k1") && reopened.has("k2") && reopened.has("k3"));
    assert.deepEqual(
      reopened.pending().map((s) => s.nonce),
      [5],
    );
    const mined = reopened.all().find((s) => s.txHash === tx(1))!;
    assert.equal(mined.blockNumber, 12n);
    assert.deepEqual(mined.outcomes, [
      { key: "k1", dealId: 1n },
      { key: "k2", skipReason: "BidNotOpen" },
    ]);
    await reopened.close();
  });

  it("refuses to record a match key that is already held", async () => {
    const store = await SubmissionStore.open({ file: path.join(dir, "b.json") });
    await store.add({ txHash: tx(1), nonce: 0, rawTransaction: "0x01", matchKeys: ["same"] });
    await assert.rejects(
      store.add({ txHash: tx(2), nonce: 1, rawTransaction: "0x02", matchKeys: ["other", "same"] }),
      FatalChainError,
    );
    assert.equal(store.all().length, 1);
    await store.close();
  });

  it("releases the keys of a reverted or dropped submission, which settled nothing", async () => {
    const store = await SubmissionStore.open({ file: path.join(dir, "c.json") });
    await store.add({ txHash: tx(1), nonce: 0, rawTransaction: "0x01", matchKeys: ["r"] });
    await store.add({ txHash: tx(2), nonce: 1, rawTransaction: "0x02", matchKeys: ["d"] });
    await store.finish(tx(1), { status: "reverted", blockNumber: 3n });
    await store.finish(tx(2), { status: "dropped" });
    assert.equal(store.has("r"), false);
    assert.equal(store.has("d"), false);
    await store.close();
  });

  it("forgets finished submissions after the retention time but never a pending one", async () => {
    let now = 1_000;
    const store = await SubmissionStore.open({ file: path.join(dir, "d.json"), retainMs: 100, now: () => now });
    await store.add({ txHash: tx(1), nonce: 0, rawTransaction: "0x01", matchKeys: ["old"] });
    await store.add({ txHash: tx(2), nonce: 1, rawTransaction: "0x02", matchKeys: ["waiting"] });
    await store.finish(tx(1), { status: "mined" });
    now = 2_000;
    await store.add({ txHash: tx(3), nonce: 2, rawTransaction: "0x03", matchKeys: ["new"] });
    assert.equal(store.has("old"), false);
    assert.ok(store.has("waiting") && store.has("new"));
    await store.close();
  });

  it("lets only one matcher use a file at a time, and takes over a dead one's lock", async () => {
    const file = path.join(dir, "e.json");
    const first = await SubmissionStore.open({ file });
    await writeFile(`${file}.lock`, String(process.ppid));
    await assert.rejects(SubmissionStore.open({ file }), /another matcher/);
    await first.close();

    await writeFile(`${file}.lock`, "999999999");
    const second = await SubmissionStore.open({ file });
    assert.equal((await readFile(`${file}.lock`, "utf8")).trim(), String(process.pid));
    await second.close();
  });

  it("refuses to start from a corrupt file instead of forgetting what is pending", async () => {
    const file = path.join(dir, "f.json");
    await writeFile(file, '{"version":1,"submissions":[{"txHash":"nope"}]}');
    await assert.rejects(SubmissionStore.open({ file }), /unreadable/);
  });
});

describe("matchKeyer", () => {
  const H = 3_600;
  const T = 500_000 * H;
  const bid = bidOf({ id: 7n, vcu: 10, remainingVcu: 7, durationHours: 2 });
  const compute = computeOffer({ id: 2n, usedVcu: new Map([[T + H, 5]]) });
  const energy = [
    energyOffer({ id: 5n, firstHour: T, whPerHour: [9_000n, 9_000n], soldWhPerHour: [0n, 0n] }),
    energyOffer({ id: 9n, firstHour: T, whPerHour: [9_000n, 9_000n], soldWhPerHour: [100n, 0n] }),
  ];
  const book: OrderBook = { bids: [bid], computeOffers: [compute], energyOffers: energy, bandwidthOffers: [] };
  const match: Match = {
    bidId: 7n,
    computeOfferId: 2n,
    start: T,
    vcu: 4n,
    computePayment: 40n,
    energyLots: [
      { offerId: 9n, hour: T, wh: 300n, payment: 1n },
      { offerId: 5n, hour: T + H, wh: 1200n, payment: 2n },
    ],
    bandwidthOfferId: 0n,
    bandwidthPayment: 0n,
  };

  it("names every order with what was already taken of it in the match's hours, independent of lot order and prices", () => {
    const key = matchKeyer(book)(match);
    assert.equal(key, `bid 7@3 start ${T} compute 2@0/5 vcu 4 energy 5@${T + H}:0:1200,9@${T}:100:300 bandwidth none`);
    const repriced = { ...match, computePayment: 99n, energyLots: [...match.energyLots].reverse() };
    assert.equal(matchKeyer(book)(repriced), key);
  });

  it("gives the rest of a partly filled bid, a busier hour or another start a new key", () => {
    const key = matchKeyer(book)(match);
    assert.notEqual(matchKeyer({ ...book, bids: [{ ...bid, remainingVcu: 3 }] })(match), key);
    const busier = { ...compute, usedVcu: new Map([[T, 1]]) };
    assert.notEqual(matchKeyer({ ...book, computeOffers: [busier] })(match), key);
    assert.notEqual(matchKeyer(book)({ ...match, start: T + H }), key);
  });
});
