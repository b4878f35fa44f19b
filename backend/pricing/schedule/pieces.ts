// The placed pieces of a schedule under construction (place.ts), kept in typed arrays: a 100k-order
// book places ~80k pieces with ~200k certificate lots, and as objects and arrays they cost a
// quarter of the schedule's CPU in the garbage collector alone (docs/pricing.md, "The fast
// scheduler"). A piece is a number; its fields are columns; each bid's pieces form a linked list in
// placement order; each piece's certificates are a range of the lot columns. Ranges are written
// once: a piece whose certificates are rerouted gets a new range, the old one is left behind.

/** Pieces of every bid and their certificate lots, as columns. */
export class PieceStore {
  /** Pieces in use (ids 0 .. count − 1). */
  count = 0;
  /** Per piece: where its match is in the state's match list. */
  index: Int32Array;
  /** Per piece: its compute offer, start hour index, VCU and link reserved (−1: none, or the bid's reused). */
  offer: Int32Array;
  start: Int32Array;
  vcu: Float64Array;
  link: Int32Array;
  welfare: Float64Array;
  /** Per piece: its lots are lotSlot/lotWh[lotFrom .. lotFrom + lotCount). */
  lotFrom: Int32Array;
  lotCount: Int32Array;
  /** Per piece: the next piece of its bid (−1: its last). */
  next: Int32Array;
  /** Per piece: 1 when its pool has no certificate left in any hour it could take more (until a removal). */
  stuck: Uint8Array;
  /** Per bid: its first and last piece (−1: none). */
  first: Int32Array;
  last: Int32Array;
  lots = 0;
  lotSlot: Int32Array;
  lotWh: Float64Array;

  constructor(bids: number, pieces: number) {
    const n = Math.max(16, pieces);
    this.index = new Int32Array(n);
    this.offer = new Int32Array(n);
    this.start = new Int32Array(n);
    this.vcu = new Float64Array(n);
    this.link = new Int32Array(n);
    this.welfare = new Float64Array(n);
    this.lotFrom = new Int32Array(n);
    this.lotCount = new Int32Array(n);
    this.next = new Int32Array(n);
    this.stuck = new Uint8Array(n);
    this.first = new Int32Array(bids).fill(-1);
    this.last = new Int32Array(bids).fill(-1);
    this.lotSlot = new Int32Array(3 * n);
    this.lotWh = new Float64Array(3 * n);
  }

  /** Appends a piece to bid `b`'s list (its lots written later with `setLots`). Returns its id. */
  add(b: number, index: number, offer: number, start: number, vcu: number, link: number, welfare: number): number {
    if (this.count === this.index.length) this.grow(this.count * 2);
    const p = this.count++;
    this.index[p] = index;
    this.offer[p] = offer;
    this.start[p] = start;
    this.vcu[p] = vcu;
    this.link[p] = link;
    this.welfare[p] = welfare;
    this.lotFrom[p] = this.lots;
    this.lotCount[p] = 0;
    this.next[p] = -1;
    this.stuck[p] = 0;
    if (this.last[b] < 0) this.first[b] = p;
    else this.next[this.last[b]] = p;
    this.last[b] = p;
    return p;
  }

  /** Gives piece `p` the lots slots/whs[0 .. n) (a new range). */
  setLots(p: number, slots: Int32Array, whs: Float64Array, n: number): void {
    if (this.lots + n > this.lotSlot.length) {
      const size = Math.max(2 * this.lotSlot.length, this.lots + n);
      const slotGrown = new Int32Array(size);
      slotGrown.set(this.lotSlot);
      const whGrown = new Float64Array(size);
      whGrown.set(this.lotWh);
      this.lotSlot = slotGrown;
      this.lotWh = whGrown;
    }
    this.lotFrom[p] = this.lots;
    this.lotCount[p] = n;
    for (let i = 0; i < n; i++) {
      this.lotSlot[this.lots + i] = slots[i];
      this.lotWh[this.lots + i] = whs[i];
    }
    this.lots += n;
  }

  /** Forgets bid `b`'s pieces (their rows stay, unreachable). */
  clear(b: number): void {
    this.first[b] = -1;
    this.last[b] = -1;
  }

  /** An independent copy. */
  copy(): PieceStore {
    const copy = new PieceStore(0, 0);
    copy.count = this.count;
    copy.index = this.index.slice();
    copy.offer = this.offer.slice();
    copy.start = this.start.slice();
    copy.vcu = this.vcu.slice();
    copy.link = this.link.slice();
    copy.welfare = this.welfare.slice();
    copy.lotFrom = this.lotFrom.slice();
    copy.lotCount = this.lotCount.slice();
    copy.next = this.next.slice();
    copy.stuck = this.stuck.slice();
    copy.first = this.first.slice();
    copy.last = this.last.slice();
    copy.lots = this.lots;
    copy.lotSlot = this.lotSlot.slice();
    copy.lotWh = this.lotWh.slice();
    return copy;
  }

  private grow(size: number): void {
    const grown = <T extends Int32Array | Float64Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(size);
      b.set(a);
      return b;
    };
    const int = (n: number) => new Int32Array(n);
    const float = (n: number) => new Float64Array(n);
    this.index = grown(this.index, int);
    this.offer = grown(this.offer, int);
    this.start = grown(this.start, int);
    this.vcu = grown(this.vcu, float);
    this.link = grown(this.link, int);
    this.welfare = grown(this.welfare, float);
    this.lotFrom = grown(this.lotFrom, int);
    this.lotCount = grown(this.lotCount, int);
    this.next = grown(this.next, int);
    this.stuck = grown(this.stuck, (n) => new Uint8Array(n));
  }
}
