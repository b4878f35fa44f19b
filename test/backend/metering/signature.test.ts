// A batch's EIP-712 digest is viem's hashTypedData, and the supplier check that remembers a key
// after its first recovery still refuses other signers, a flipped recovery bit and changed samples.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { secp256k1 } from "@noble/curves/secp256k1.js";
import { hashTypedData, parseSignature, serializeSignature } from "viem";

import {
  BatchDigester,
  METER_BATCH_TYPES,
  recoverSigner,
  SignerCheck,
  samplesDigest,
  samplesHash,
  signBatch,
  typedDomain,
} from "../../../backend/metering/signature.ts";
import { domain, stranger, supplier } from "./helpers.ts";

const samples = Array.from({ length: 60 }, (_, i) => ({ t: 1_799_996_400 + i, w: 400_000 + 17 * i }));

function digestOf(dealId: bigint, batch = samples) {
  return new BatchDigester(domain).digest(dealId, samplesDigest(batch));
}

describe("batch signatures", () => {
  it("hashes a batch as viem's hashTypedData does", () => {
    const expected = hashTypedData({
      domain: typedDomain(domain),
      types: METER_BATCH_TYPES,
      primaryType: "MeterBatch",
      message: { dealId: 2n ** 200n + 3n, samples: samplesHash(samples) },
    });
    assert.equal(`0x${Buffer.from(digestOf(2n ** 200n + 3n)).toString("hex")}`, expected);
  });

  it("recovers the signer of a batch", async () => {
    const signature = await signBatch(supplier, domain, 4n, samples);
    assert.equal(recoverSigner(digestOf(4n), signature), supplier.address);
  });

  it("accepts the supplier's batches before and after it knows the supplier's key, and nobody else's", async () => {
    const check = new SignerCheck();
    for (let round = 0; round < 3; round++) {
      const batch = samples.map((s) => ({ ...s, t: s.t + round * 60 }));
      const signature = await signBatch(supplier, domain, 4n, batch);
      assert.equal(check.isSignedBy(digestOf(4n, batch), signature, supplier.address), true, `batch ${round}`);
      const forged = await signBatch(stranger, domain, 4n, batch);
      assert.equal(check.isSignedBy(digestOf(4n, batch), forged, supplier.address), false, `forged ${round}`);
      // The supplier's signature over other samples, for another deal, or with the other recovery bit.
      assert.equal(check.isSignedBy(digestOf(4n, samples.slice(1)), signature, supplier.address), false);
      assert.equal(check.isSignedBy(digestOf(5n, batch), signature, supplier.address), false);
      const { r, s, yParity } = parseSignature(signature);
      const flipped = serializeSignature({ r, s, yParity: yParity === 0 ? 1 : 0 });
      assert.equal(check.isSignedBy(digestOf(4n, batch), flipped, supplier.address), false, `flipped ${round}`);
    }
  });

  it("throws on a signature that is not one", () => {
    const check = new SignerCheck();
    assert.throws(() => check.isSignedBy(digestOf(4n), `0x${"00".repeat(65)}`, supplier.address));
    assert.throws(() => check.isSignedBy(digestOf(4n), `0x${"11".repeat(64)}05`, supplier.address));
  });

  it("multiplies a key with a precomputed table as a plain multiplication does, as the check assumes", () => {
    // @noble/curves 1.9 got every product of such a key wrong in multiplyUnsafe; SignerCheck relies
    // on the version it is given not to.
    const { Point } = secp256k1;
    const n = Point.Fn.ORDER;
    const k = 0x3b1e_c9d4_7a22_91f0_5e66_0c81_d2a4_bb17_905f_e3c6_1d8a_4e72_0b39_f5a1_6c28_d4e3n;
    const key = Point.BASE.multiply(k).precompute(8, false);
    const scalars = [1n, 2n, n - 1n, n - 2n, (n - 1n) / 2n, 2n ** 255n % n];
    for (let i = 1n; scalars.length < 64; i++) scalars.push((i * 0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c835n) % n);
    for (const scalar of scalars) {
      const expected = Point.BASE.multiply((k * scalar) % n);
      assert.ok(key.multiplyUnsafe(scalar).equals(expected), `k·${scalar}`);
      assert.ok(Point.BASE.multiplyUnsafe(scalar).equals(Point.BASE.multiply(scalar)), `G·${scalar}`);
    }
  });
});
