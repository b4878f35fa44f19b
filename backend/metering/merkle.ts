// The Merkle tree over a deal's series, whose root the usage report carries as meteringHash.
// docs/metering.md, "Merkle root".
//
// Leaves and pairs are hashed exactly as OpenZeppelin's StandardMerkleTree and MerkleProof do, so a
// contract can check a sample with MerkleProof.verify(proof, root, leaf):
//   leaf = keccak256(bytes.concat(keccak256(abi.encode(uint256 dealId, uint64 t, uint64 w))))
//   node = keccak256(sorted(a, b))              (OpenZeppelin Hashes.commutativeKeccak256)
// The leaves stay in the series' time order (not sorted by hash), paired left to right level by
// level; an odd node at the end of a level moves up unchanged. A series with no sample has root 0.
//
// A day at 1 Hz is ~260,000 hashes, so each level is one Uint32Array of 8-word hashes and every hash
// is computed in one reused Keccak state (keccak.ts): no hex, no allocation per hash.
import { byteSwap, keccak256InPlace } from "./keccak.ts";
import type { Sample } from "./series.ts";

export type Hex = `0x${string}`;
export const EMPTY_ROOT: Hex = `0x${"00".repeat(32)}`;

/** 32-bit words per hash. */
const W = 8;
const state = new Uint32Array(50);
const stateBytes = new Uint8Array(state.buffer);

function toHex(words: Uint32Array, at: number): Hex {
  return `0x${Buffer.from(words.buffer, words.byteOffset + at * 4, 32).toString("hex")}`;
}

function fromHex(hex: string): Uint32Array {
  const bytes = Buffer.from(hex.slice(2), "hex");
  if (bytes.length !== 32) throw new RangeError(`${hex} is not a 32-byte hash`);
  const words = new Uint32Array(W);
  new Uint8Array(words.buffer).set(bytes);
  return words;
}

/** dealId as the 32-byte big-endian word abi.encode makes of it. */
function dealWord(dealId: bigint): Uint8Array {
  if (dealId < 0n || dealId >= 1n << 256n) throw new RangeError(`deal id ${dealId} is not a uint256`);
  const word = new Uint8Array(32);
  for (let i = 31, v = dealId; v > 0n; i--, v >>= 8n) word[i] = Number(v & 0xffn);
  return word;
}

/** Writes the leaves of `series` into `out` (8 words each). */
function hashLeaves(dealId: bigint, series: readonly Sample[], out: Uint32Array): void {
  const deal = dealWord(dealId);
  for (let i = 0; i < series.length; i++) {
    const { t, w } = series[i];
    // keccak256(abi.encode(dealId, t, w)): 96 bytes, t and w big-endian in the last 8 bytes of their words.
    state.fill(0);
    stateBytes.set(deal, 0);
    state[14] = byteSwap(Math.floor(t / 2 ** 32));
    state[15] = byteSwap(t >>> 0);
    state[22] = byteSwap(Math.floor(w / 2 ** 32));
    state[23] = byteSwap(w >>> 0);
    keccak256InPlace(state, 96);
    // keccak256 of that digest (bytes 0–31, kept): the rest of the state cleared.
    state.fill(0, W);
    keccak256InPlace(state, 32);
    out.set(state.subarray(0, W), i * W);
  }
}

/** Whether hash `a` (at word `i`) sorts before hash `b` (at word `j`) as big-endian bytes. */
function less(a: Uint32Array, i: number, b: Uint32Array, j: number): boolean {
  for (let k = 0; k < W; k++) {
    const x = a[i + k];
    const y = b[j + k];
    if (x !== y) return byteSwap(x) >>> 0 < byteSwap(y) >>> 0;
  }
  return false;
}

/** keccak256(sorted(a, b)) into `out` at word `o`. */
function hashPair(a: Uint32Array, i: number, b: Uint32Array, j: number, out: Uint32Array, o: number): void {
  const [lo, l, hi, h] = less(b, j, a, i) ? [b, j, a, i] : [a, i, b, j];
  state.fill(0, 2 * W);
  for (let k = 0; k < W; k++) {
    state[k] = lo[l + k];
    state[W + k] = hi[h + k];
  }
  keccak256InPlace(state, 64);
  for (let k = 0; k < W; k++) out[o + k] = state[k];
}

/** A built tree: every level from the leaves (levels[0]) up to the root, 8 words per hash. */
export class SeriesTree {
  readonly levels: Uint32Array[];

  private constructor(levels: Uint32Array[]) {
    this.levels = levels;
  }

  /**
   * @example
   * const tree = SeriesTree.of(7n, [{ t: 1_700_000_000, w: 950 }]);
   * tree.root; tree.proof(0);
   */
  static of(dealId: bigint, series: readonly Sample[]): SeriesTree {
    let level = new Uint32Array(series.length * W);
    hashLeaves(dealId, series, level);
    const levels = [level];
    while (level.length > W) {
      const n = level.length / W;
      const up = new Uint32Array(Math.ceil(n / 2) * W);
      for (let i = 0; i + 1 < n; i += 2) hashPair(level, i * W, level, (i + 1) * W, up, (i / 2) * W);
      if (n % 2 === 1) up.set(level.subarray((n - 1) * W), ((n - 1) / 2) * W);
      levels.push(up);
      level = up;
    }
    return new SeriesTree(levels);
  }

  /** How many leaves (samples) the tree has. */
  get size(): number {
    return this.levels[0].length / W;
  }

  get root(): Hex {
    const top = this.levels[this.levels.length - 1];
    return top.length === 0 ? EMPTY_ROOT : toHex(top, 0);
  }

  /** Sibling hashes from leaf `index` up to the root (what MerkleProof.verify takes). */
  proof(index: number): Hex[] {
    if (!Number.isInteger(index) || index < 0 || index >= this.size) {
      throw new RangeError(`no leaf ${index} in a tree of ${this.size}`);
    }
    const proof: Hex[] = [];
    for (let level = 0, i = index; level < this.levels.length - 1; level++, i = Math.floor(i / 2)) {
      const sibling = i % 2 === 0 ? i + 1 : i - 1;
      if (sibling * W < this.levels[level].length) proof.push(toHex(this.levels[level], sibling * W));
    }
    return proof;
  }
}

/** The leaf of one sample of deal `dealId`, as 32 bytes. */
export function leafHash(dealId: bigint, sample: Sample): Uint8Array {
  const leaf = new Uint32Array(W);
  hashLeaves(dealId, [sample], leaf);
  return new Uint8Array(leaf.buffer);
}

/** Whether `sample` of deal `dealId` is a leaf under `root`, by `proof`. */
export function verifySampleProof(dealId: bigint, sample: Sample, proof: readonly string[], root: string): boolean {
  const node = new Uint32Array(W);
  hashLeaves(dealId, [sample], node);
  for (const sibling of proof) hashPair(node, 0, fromHex(sibling), 0, node, 0);
  return toHex(node, 0) === root.toLowerCase();
}
