import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { HolderLists } from "../../../../backend/pricing/schedule/holders.ts";

/** Each key's list, then its parked list, as bids in walk order. */
const walk = (lists: HolderLists, keys: number) =>
  Array.from({ length: keys }, (_, key) => {
    const listed: number[] = [];
    const parked: number[] = [];
    for (let e = lists.first(key); e >= 0; e = lists.next(e)) listed.push(lists.bid(e));
    for (let e = lists.firstParked(key); e >= 0; e = lists.next(e)) parked.push(lists.bid(e));
    return { listed, parked };
  });

describe("holder lists (holders.ts)", () => {
  it("lists a key's holders latest first, once when the latest repeats, and drops or parks them in a walk", () => {
    const lists = new HolderLists(2, 0);
    for (const [key, b] of [
      [0, 1],
      [0, 2],
      [0, 2],
      [0, 3],
      [1, 4],
    ])
      lists.add(key, b);
    assert.deepEqual(walk(lists, 2), [
      { listed: [3, 2, 1], parked: [] },
      { listed: [4], parked: [] },
    ]);
    // One walk: 3 stays, 2 is parked, 1 dropped.
    for (let e = lists.first(0), prev = -1; e >= 0; ) {
      const after = lists.next(e);
      if (lists.bid(e) === 2) lists.park(0, e, prev);
      else if (lists.bid(e) === 1) lists.drop(0, e, prev);
      else prev = e;
      e = after;
    }
    assert.deepEqual(walk(lists, 2)[0], { listed: [3], parked: [2] });
  });

  it("rewinds every add, drop and park since the mark, leaving the lists exactly as they were", () => {
    const lists = new HolderLists(3, 2);
    for (let b = 0; b < 9; b++) lists.add(b % 3, b);
    const before = walk(lists, 3);
    lists.mark();
    // A try: new holders, a walk that parks the middle entry of key 0 and drops the head of key 1.
    lists.add(0, 20);
    lists.add(2, 21);
    const prev = lists.first(0);
    lists.park(0, lists.next(prev), prev);
    lists.drop(1, lists.first(1), -1);
    lists.add(1, 22);
    assert.notDeepEqual(walk(lists, 3), before);
    lists.rewind();
    assert.deepEqual(walk(lists, 3), before);
    // Logging goes on after a rewind: a second try is undone too.
    lists.drop(2, lists.first(2), -1);
    lists.rewind();
    assert.deepEqual(walk(lists, 3), before);
    // Unmarked, changes stay.
    lists.unmark();
    lists.add(0, 30);
    lists.rewind();
    assert.deepEqual(walk(lists, 3)[0].listed[0], 30);
  });
});
