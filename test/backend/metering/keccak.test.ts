// The unrolled Keccak-256 the series tree runs on gives @noble/hashes' digest for every length one
// block holds, and a large uint64 in a leaf is encoded as abi.encode would.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, it } from "node:test";

import { keccak_256 } from "@noble/hashes/sha3.js";
import { encodeAbiParameters, keccak256 } from "viem";

import { KECCAK_256_RATE, keccak256InPlace } from "../../../backend/metering/keccak.ts";
import { leafHash } from "../../../backend/metering/merkle.ts";

describe("keccak-256 in place", () => {
  it("matches @noble/hashes for every input of 0 to 135 bytes", () => {
    for (let length = 0; length < KECCAK_256_RATE; length++) {
      const input = randomBytes(length);
      const state = new Uint32Array(50);
      new Uint8Array(state.buffer).set(input);
      keccak256InPlace(state, length);
      assert.equal(
        Buffer.from(state.buffer, 0, 32).toString("hex"),
        Buffer.from(keccak_256(input)).toString("hex"),
        `${length} bytes`,
      );
    }
  });

  it("refuses an input longer than one block", () => {
    assert.throws(() => keccak256InPlace(new Uint32Array(50), KECCAK_256_RATE), RangeError);
  });

  it("encodes seconds and watts above 2^32 in a leaf as abi.encode does", () => {
    const sample = { t: 2 ** 40 + 123_456, w: 2 ** 33 + 7 };
    const inner = keccak256(
      encodeAbiParameters(
        [{ type: "uint256" }, { type: "uint64" }, { type: "uint64" }],
        [2n ** 255n + 1n, BigInt(sample.t), BigInt(sample.w)],
      ),
    );
    assert.equal(`0x${Buffer.from(leafHash(2n ** 255n + 1n, sample)).toString("hex")}`, keccak256(inner));
  });
});
