import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PieceStore } from "../../../../backend/pricing/schedule/pieces.ts";

/** Bid b's pieces as [offer, start, vcu, [slot, wh]...] in list order. */
function piecesOf(store: PieceStore, b: number): [number, number, number, number[]][] {
  const out: [number, number, number, number[]][] = [];
  for (let p = store.first[b]; p >= 0; p = store.next[p]) {
    const lots: number[] = [];
    for (let i = store.lotFrom[p]; i < store.lotFrom[p] + store.lotCount[p]; i++)
      lots.push(store.lotSlot[i], store.lotWh[i]);
    out.push([store.offer[p], store.start[p], store.vcu[p], lots]);
  }
  return out;
}

describe("the placed pieces in typed columns (pieces.ts)", () => {
  it("keeps each bid's pieces in placement order with their lots, past its first capacity", () => {
    const store = new PieceStore(3, 0);
    const slots = new Int32Array([7, 8, 9]);
    const whs = new Float64Array([100, 200, 300]);
    // 40 pieces with 3 lots each: past the initial 16 pieces and 64 lots, so the columns grow.
    for (let i = 0; i < 40; i++) {
      const p = store.add(i % 3, i, 100 + i, i, i + 1, -1, 10 * i);
      store.setLots(p, slots, whs, 1 + (i % 3));
    }
    assert.equal(store.count, 40);
    const bid1 = piecesOf(store, 1);
    assert.deepEqual(
      bid1.map(([offer]) => offer),
      [101, 104, 107, 110, 113, 116, 119, 122, 125, 128, 131, 134, 137],
    );
    assert.deepEqual(bid1[0], [101, 1, 2, [7, 100, 8, 200]]);
    assert.deepEqual(bid1[12], [137, 37, 38, [7, 100, 8, 200]]);
    assert.deepEqual(piecesOf(store, 2)[0][3], [7, 100, 8, 200, 9, 300]);
  });

  it("gives a rerouted piece a new range of lots and leaves its neighbours' as they were", () => {
    const store = new PieceStore(1, 4);
    const a = store.add(0, 0, 1, 0, 5, -1, 0);
    store.setLots(a, new Int32Array([1, 2]), new Float64Array([10, 20]), 2);
    const b = store.add(0, 1, 2, 0, 5, -1, 0);
    store.setLots(b, new Int32Array([3]), new Float64Array([30]), 1);
    store.setLots(a, new Int32Array([4, 2]), new Float64Array([10, 20]), 2);
    assert.deepEqual(piecesOf(store, 0), [
      [1, 0, 5, [4, 10, 2, 20]],
      [2, 0, 5, [3, 30]],
    ]);
  });

  it("copies independently and forgets a cleared bid", () => {
    const store = new PieceStore(2, 2);
    const p = store.add(0, 0, 1, 2, 3, 4, 5);
    store.setLots(p, new Int32Array([6]), new Float64Array([7]), 1);
    store.add(1, 1, 8, 9, 10, -1, 11);
    const copy = store.copy();
    store.clear(0);
    store.vcu[p] = 99;
    assert.deepEqual(piecesOf(store, 0), []);
    assert.deepEqual(piecesOf(copy, 0), [[1, 2, 3, [6, 7]]]);
    assert.deepEqual(piecesOf(copy, 1), [[8, 9, 10, []]]);
    // A cleared bid's next piece starts a new list.
    const q = store.add(0, 2, 12, 13, 14, -1, 0);
    assert.deepEqual(piecesOf(store, 0), [[12, 13, 14, []]]);
    assert.equal(store.next[q], -1);
  });
});
