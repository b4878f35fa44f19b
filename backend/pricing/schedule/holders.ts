// Who holds what in a schedule under construction (place.ts): per key (a compute offer, or a
// certificate slot) the bids that placed a piece on it, so that pass 4 of the fast scheduler finds the
// bids in a short bid's way without walking every bid of the book (docs/pricing.md, "The fast
// scheduler"). Lists only grow as pieces are placed; an entry whose bid no longer holds the key (it
// was removed, or its certificates rerouted) is dropped when a walk meets it.

/** Per key, the bids holding it, as linked lists (head per key, then bid and next per entry; −1 ends a list). */
export class HolderLists {
  private head: Int32Array;
  private bid: Int32Array;
  private next: Int32Array;
  private count = 0;

  constructor(keys: number, entries: number) {
    this.head = new Int32Array(keys).fill(-1);
    this.bid = new Int32Array(Math.max(16, entries));
    this.next = new Int32Array(this.bid.length);
  }

  /** Notes that bid `b` holds `key` (once when it is already the list's latest). */
  add(key: number, b: number): void {
    const head = this.head[key];
    if (head >= 0 && this.bid[head] === b) return;
    if (this.count === this.bid.length) {
      const bidGrown = new Int32Array(2 * this.count);
      bidGrown.set(this.bid);
      const nextGrown = new Int32Array(2 * this.count);
      nextGrown.set(this.next);
      this.bid = bidGrown;
      this.next = nextGrown;
    }
    const e = this.count++;
    this.bid[e] = b;
    this.next[e] = head;
    this.head[key] = e;
  }

  /**
   * Calls `visit` for each bid listed on `key` that `holds` says still holds it (a bid may come more
   * than once); the others are dropped from the list.
   */
  visit(key: number, holds: (b: number) => boolean, visit: (b: number) => void): void {
    for (let e = this.head[key], prev = -1; e >= 0; e = this.next[e]) {
      const b = this.bid[e];
      if (holds(b)) {
        visit(b);
        prev = e;
      } else if (prev < 0) this.head[key] = this.next[e];
      else this.next[prev] = this.next[e];
    }
  }

  /** An independent copy. */
  copy(): HolderLists {
    const copy = new HolderLists(0, 0);
    copy.head = this.head.slice();
    copy.bid = this.bid.slice();
    copy.next = this.next.slice();
    copy.count = this.count;
    return copy;
  }
}
