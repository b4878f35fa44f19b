// The placed pieces of a schedule under construction (place.ts), kept in typed arrays: a 100k-order
// book places ~80k pieces with ~200k certificate lots, and as objects and arrays they cost a
// quarter of the schedule's CPU in the garbage collector alone (docs/pricing.md, "The fast
// scheduler"). A piece is a number; its fields are columns; each bid's pieces form a linked list in
// placement order; each piece's certificates are a range of the lot columns. Ranges are written
// once: a piece whose certificates are rerouted gets a new range, the old one is left behind.

/** Bytes of a piece's columns: two doubles, seven 32-bit integers, one byte. */
const PIECE_BYTES = 2 * 8 + 7 * 4 + 1;
const NO_INTS = new Int32Array(0);
const NO_FLOATS = new Float64Array(0);
const NO_BYTES = new Uint8Array(0);

/** Pieces of every bid and their certificate lots, as columns. */
export class PieceStore {
  /** Pieces in use (ids 0 .. count − 1). */
  count = 0;
  /** Per piece: where its match is in the state's match list. */
  index: Int32Array = NO_INTS;
  /** Per piece: its compute offer, start hour index, VCU and link reserved (−1: none, or the bid's reused). */
  offer: Int32Array = NO_INTS;
  start: Int32Array = NO_INTS;
  vcu: Float64Array = NO_FLOATS;
  link: Int32Array = NO_INTS;
  welfare: Float64Array = NO_FLOATS;
  /** Per piece: its lots are lotSlot/lotWh[lotFrom .. lotFrom + lotCount). */
  lotFrom: Int32Array = NO_INTS;
  lotCount: Int32Array = NO_INTS;
  /** Per piece: the next piece of its bid (−1: its last). */
  next: Int32Array = NO_INTS;
  /** Per piece: 1 when its pool has no certificate left in any hour it could take more (until a removal). */
  stuck: Uint8Array = NO_BYTES;
  /** Per bid: its first and last piece (−1: none). */
  first: Int32Array = NO_INTS;
  last: Int32Array = NO_INTS;
  lots = 0;
  lotSlot: Int32Array = NO_INTS;
  lotWh: Float64Array = NO_FLOATS;

  /** Room for `pieces` pieces of `bids` bids (a negative count: no columns yet, for `copy` to set). */
  constructor(bids: number, pieces: number) {
    if (bids < 0) return;
    const n = Math.max(16, pieces);
    this.carve(new ArrayBuffer(PIECE_BYTES * n), n);
    // first and last in one buffer (a store is made per schedule state, a quote's states are small).
    const ends = new Int32Array(2 * bids).fill(-1);
    this.first = ends.subarray(0, bids);
    this.last = ends.subarray(bids);
    const lots = 3 * n;
    const lotBuffer = new ArrayBuffer(12 * lots);
    this.lotWh = new Float64Array(lotBuffer, 0, lots);
    this.lotSlot = new Int32Array(lotBuffer, 8 * lots, lots);
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
    const copy = new PieceStore(-1, 0);
    copy.count = this.count;
    copy.carve(this.welfare.buffer.slice(0), this.index.length);
    const bids = this.first.length;
    const ends = new Int32Array(2 * bids);
    ends.set(this.first);
    ends.set(this.last, bids);
    copy.first = ends.subarray(0, bids);
    copy.last = ends.subarray(bids);
    copy.lots = this.lots;
    copy.lotSlot = this.lotSlot.slice();
    copy.lotWh = this.lotWh.slice();
    return copy;
  }

  /**
   * Lays the per-piece columns of `size` pieces over one buffer (doubles first, for their alignment):
   * one allocation instead of ten, as a quote makes a store per state (docs/architecture.md, "Quotes
   * per process").
   */
  private carve(buffer: ArrayBufferLike, size: number): void {
    let at = 0;
    const float = () => {
      const a = new Float64Array(buffer, at, size);
      at += 8 * size;
      return a;
    };
    const int = () => {
      const a = new Int32Array(buffer, at, size);
      at += 4 * size;
      return a;
    };
    this.vcu = float();
    this.welfare = float();
    this.index = int();
    this.offer = int();
    this.start = int();
    this.link = int();
    this.lotFrom = int();
    this.lotCount = int();
    this.next = int();
    this.stuck = new Uint8Array(buffer, at, size);
  }

  private grow(size: number): void {
    const { vcu, welfare, index, offer, start, link, lotFrom, lotCount, next, stuck } = this;
    this.carve(new ArrayBuffer(PIECE_BYTES * size), size);
    this.vcu.set(vcu);
    this.welfare.set(welfare);
    this.index.set(index);
    this.offer.set(offer);
    this.start.set(start);
    this.link.set(link);
    this.lotFrom.set(lotFrom);
    this.lotCount.set(lotCount);
    this.next.set(next);
    this.stuck.set(stuck);
  }
}
