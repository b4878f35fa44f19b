// Who holds what in a schedule under construction (place.ts): per key (a compute offer, or a
// certificate slot) the bids that placed a piece on it, so that rerouting (step 2), pass 4 and the
// move pass (step 5) of the fast scheduler find the bids in a bid's way without walking every bid
// of the book (docs/pricing.md, "The fast scheduler"). Lists only grow as pieces are placed; an entry
// whose bid no longer holds the key (it was removed, or its certificates rerouted) is dropped when a
// walk meets it. A walk may instead park an entry: it leaves the key's list for the key's parked list
// (rerouting parks holders stuck for good, which the move pass still wants).
//
// The walks are inline loops over entries (first / next / bid, then drop or park), not callbacks:
// a closure on the reroute walk cost ~65 ms of a flexible 100k-order schedule.

const ADDED = 0;
const DROPPED = 1;
const PARKED = 2;

/** Per key, the bids holding it, as linked lists (head per key, then bid and next per entry; −1 ends a list). */
export class HolderLists {
  private head: Int32Array;
  /** Per key: the entries parked (taken off the key's list, still holding). */
  private parkedHead: Int32Array;
  private bids: Int32Array;
  private nexts: Int32Array;
  private count = 0;
  /**
   * While a move is open (`mark`): each change to the lists since, five numbers each (what, key,
   * entry, the entry before it, the entry after it), so that `rewind` restores them exactly.
   */
  private changes: number[] | undefined;

  constructor(keys: number, entries: number) {
    this.head = new Int32Array(keys).fill(-1);
    this.parkedHead = new Int32Array(keys).fill(-1);
    this.bids = new Int32Array(Math.max(16, entries));
    this.nexts = new Int32Array(this.bids.length);
  }

  /** Notes that bid `b` holds `key` (once when it is already the head of the key's list). */
  add(key: number, b: number): void {
    const head = this.head[key];
    if (head >= 0 && this.bids[head] === b) return;
    if (this.count === this.bids.length) {
      const bidsGrown = new Int32Array(2 * this.count);
      bidsGrown.set(this.bids);
      const nextsGrown = new Int32Array(2 * this.count);
      nextsGrown.set(this.nexts);
      this.bids = bidsGrown;
      this.nexts = nextsGrown;
    }
    const e = this.count++;
    this.bids[e] = b;
    this.nexts[e] = head;
    this.head[key] = e;
    this.changes?.push(ADDED, key, e, -1, head);
  }

  /** The first entry of `key`'s list (−1: none). */
  first(key: number): number {
    return this.head[key];
  }

  /** The first entry of `key`'s parked list (−1: none). */
  firstParked(key: number): number {
    return this.parkedHead[key];
  }

  /** The entry after `e` in its list (−1: none). */
  next(e: number): number {
    return this.nexts[e];
  }

  /** The bid of entry `e`. */
  bid(e: number): number {
    return this.bids[e];
  }

  /**
   * Takes entry `e` off `key`'s list; `prev` is the entry before it (−1: `e` is the head). Walks go
   * on with `next(e)` and keep `prev`.
   */
  drop(key: number, e: number, prev: number): void {
    this.changes?.push(DROPPED, key, e, prev, this.nexts[e]);
    this.unlink(key, e, prev);
  }

  /** `drop`, but the entry goes onto `key`'s parked list. Walks go on with `next(e)` read before. */
  park(key: number, e: number, prev: number): void {
    this.changes?.push(PARKED, key, e, prev, this.nexts[e]);
    this.unlink(key, e, prev);
    this.nexts[e] = this.parkedHead[key];
    this.parkedHead[key] = e;
  }

  /**
   * Logs every change from now (a move opens), forgetting those logged before; `rewind` undoes them.
   */
  mark(): void {
    this.changes = [];
  }

  /** Stops logging (a move closes as it stands). */
  unmark(): void {
    this.changes = undefined;
  }

  /**
   * Undoes the changes since `mark`, latest first: the lists are as they were then, entries and
   * order (an undone try of a move leaves no trace on them), and logging goes on from there.
   */
  rewind(): void {
    const changes = this.changes;
    if (changes === undefined) return;
    for (let i = changes.length - 5; i >= 0; i -= 5) {
      const [what, key, e, prev, after] = [changes[i], changes[i + 1], changes[i + 2], changes[i + 3], changes[i + 4]];
      if (what === ADDED) {
        // The latest entry, at the head of its list.
        this.head[key] = after;
        this.count = e;
        continue;
      }
      // At the head of the parked list, if parked: off it, then back between `prev` and `after`.
      if (what === PARKED) this.parkedHead[key] = this.nexts[e];
      this.nexts[e] = after;
      if (prev < 0) this.head[key] = e;
      else this.nexts[prev] = e;
    }
    changes.length = 0;
  }

  private unlink(key: number, e: number, prev: number): void {
    if (prev < 0) this.head[key] = this.nexts[e];
    else this.nexts[prev] = this.nexts[e];
  }

  /** An independent copy. */
  copy(): HolderLists {
    const copy = new HolderLists(0, 0);
    copy.head = this.head.slice();
    copy.parkedHead = this.parkedHead.slice();
    copy.bids = this.bids.slice();
    copy.nexts = this.nexts.slice();
    copy.count = this.count;
    return copy;
  }
}
