// The series tree: its leaves are OpenZeppelin StandardMerkleTree leaves (rebuilt here with viem's
// ABI encoder), every sample's proof leads to the root, and a changed sample or deal does not.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { encodeAbiParameters, keccak256 } from "viem";

import { EMPTY_ROOT, leafHash, SeriesTree, verifySampleProof } from "../../../backend/metering/merkle.ts";

const series = Array.from({ length: 37 }, (_, i) => ({ t: 1_700_000_000 + i, w: 1_000 + 13 * i }));

describe("series tree", () => {
  it("hashes a leaf as keccak256(keccak256(abi.encode(uint256 dealId, uint64 t, uint64 w)))", () => {
    const inner = keccak256(
      encodeAbiParameters(
        [{ type: "uint256" }, { type: "uint64" }, { type: "uint64" }],
        [2n ** 200n + 5n, 1_700_000_123n, 987_654n],
      ),
    );
    const expected = keccak256(inner);
    assert.equal(
      `0x${Buffer.from(leafHash(2n ** 200n + 5n, { t: 1_700_000_123, w: 987_654 })).toString("hex")}`,
      expected,
    );
  });

  it("builds the root from sorted pairs, an odd node moving up", () => {
    const leaves = series.slice(0, 3).map((s) => `0x${Buffer.from(leafHash(9n, s)).toString("hex")}` as const);
    const pair = (a: `0x${string}`, b: `0x${string}`) =>
      keccak256(
        `0x${[a, b]
          .sort()
          .map((h) => h.slice(2))
          .join("")}`,
      );
    assert.equal(SeriesTree.of(9n, series.slice(0, 3)).root, pair(pair(leaves[0], leaves[1]), leaves[2]));
    assert.equal(SeriesTree.of(9n, series.slice(0, 1)).root, leaves[0]);
    assert.equal(SeriesTree.of(9n, []).root, EMPTY_ROOT);
  });

  it("proves every sample, and no changed sample, other deal or other root", () => {
    const tree = SeriesTree.of(9n, series);
    series.forEach((sample, i) => {
      assert.ok(verifySampleProof(9n, sample, tree.proof(i), tree.root), `sample ${i}`);
    });
    const proof = tree.proof(10);
    assert.equal(verifySampleProof(9n, { ...series[10], w: series[10].w + 1 }, proof, tree.root), false);
    assert.equal(verifySampleProof(10n, series[10], proof, tree.root), false);
    assert.equal(verifySampleProof(9n, series[10], proof, SeriesTree.of(9n, series.slice(1)).root), false);
    assert.throws(() => tree.proof(37), RangeError);
  });
});
