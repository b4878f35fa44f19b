// The Merkle tree over a deal's series, whose root the usage report carries as meteringHash.
// docs/metering.md, "Merkle root".
//
// Leaves and pairs are hashed exactly as OpenZeppelin's StandardMerkleTree and MerkleProof do, so a
// contract can check a sample with MerkleProof.verify(proof, root, leaf):
//   leaf = keccak256(bytes.concat(keccak256(abi.encode(uint256 dealId, uint64 t, uint64 w))))
//   node = keccak256(sorted(a, b))              (OpenZeppelin Hashes.commutativeKeccak256)
// The leaves stay in the series' time order (not sorted by hash), paired left to right level by
// level; an odd node at the end of a level moves up unchanged. A series with no sample has root 0.
// js-sha3 rather than @noble/hashes here: a day's tree is ~260,000 hashes, and it is 2.5× faster.
import jsSha3 from "js-sha3";

import type { Sample } from "./series.ts";

export type Hex = `0x${string}`;
export const EMPTY_ROOT: Hex = `0x${"00".repeat(32)}`;

function toHex(bytes: Uint8Array): Hex {
  return `0x${Buffer.from(bytes).toString("hex")}`;
}

function fromHex(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex.slice(2), "hex"));
}

/** Writes `value` big-endian into the 32-byte word ending at `end`. */
function putWord(buf: Uint8Array, end: number, value: bigint): void {
  for (let i = end - 1; value > 0n; i--, value >>= 8n) buf[i] = Number(value & 0xffn);
}

function putUint53(buf: Uint8Array, end: number, value: number): void {
  for (let i = end - 1, v = value; v > 0; i--, v = Math.floor(v / 256)) buf[i] = v % 256;
}

function keccak_256(data: Uint8Array): Uint8Array {
  return new Uint8Array(jsSha3.keccak256.arrayBuffer(data));
}

/** Hashes the leaves of one deal, its id encoded once. */
function leafHasher(dealId: bigint): (sample: Sample) => Uint8Array {
  const encoded = new Uint8Array(96);
  putWord(encoded, 32, dealId);
  return (sample) => {
    encoded.fill(0, 32);
    putUint53(encoded, 64, sample.t);
    putUint53(encoded, 96, sample.w);
    return keccak_256(keccak_256(encoded));
  };
}

/** The leaf of one sample of deal `dealId`. */
export function leafHash(dealId: bigint, sample: Sample): Uint8Array {
  return leafHasher(dealId)(sample);
}

function less(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < 32; i++) if (a[i] !== b[i]) return a[i] < b[i];
  return false;
}

const pair = new Uint8Array(64);
function hashPair(a: Uint8Array, b: Uint8Array): Uint8Array {
  const [lo, hi] = less(b, a) ? [b, a] : [a, b];
  pair.set(lo, 0);
  pair.set(hi, 32);
  return keccak_256(pair);
}

/** A built tree: every level from the leaves (levels[0]) up to the root. */
export class SeriesTree {
  readonly levels: Uint8Array[][];

  private constructor(levels: Uint8Array[][]) {
    this.levels = levels;
  }

  /**
   * @example
   * const tree = SeriesTree.of(7n, [{ t: 1_700_000_000, w: 950 }]);
   * tree.root; tree.proof(0);
   */
  static of(dealId: bigint, series: readonly Sample[]): SeriesTree {
    let level = series.map(leafHasher(dealId));
    const levels = [level];
    while (level.length > 1) {
      const up: Uint8Array[] = [];
      for (let i = 0; i + 1 < level.length; i += 2) up.push(hashPair(level[i], level[i + 1]));
      if (level.length % 2 === 1) up.push(level[level.length - 1]);
      levels.push(up);
      level = up;
    }
    return new SeriesTree(levels);
  }

  get root(): Hex {
    const top = this.levels[this.levels.length - 1];
    return top.length === 0 ? EMPTY_ROOT : toHex(top[0]);
  }

  /** Sibling hashes from leaf `index` up to the root (what MerkleProof.verify takes). */
  proof(index: number): Hex[] {
    if (!Number.isInteger(index) || index < 0 || index >= this.levels[0].length) {
      throw new RangeError(`no leaf ${index} in a tree of ${this.levels[0].length}`);
    }
    const proof: Hex[] = [];
    for (let level = 0, i = index; level < this.levels.length - 1; level++, i = Math.floor(i / 2)) {
      const sibling = i % 2 === 0 ? i + 1 : i - 1;
      if (sibling < this.levels[level].length) proof.push(toHex(this.levels[level][sibling]));
    }
    return proof;
  }
}

/** The root of a deal's series. */
export function seriesRoot(dealId: bigint, series: readonly Sample[]): Hex {
  return SeriesTree.of(dealId, series).root;
}

/** Whether `sample` of deal `dealId` is a leaf under `root`, by `proof`. */
export function verifySampleProof(dealId: bigint, sample: Sample, proof: readonly string[], root: string): boolean {
  let node = leafHash(dealId, sample);
  for (const sibling of proof) node = hashPair(node, fromHex(sibling));
  return toHex(node) === root.toLowerCase();
}
