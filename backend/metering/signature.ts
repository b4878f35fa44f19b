// What the compute supplier signs for a batch of samples: EIP-712 typed data, so a wallet shows
// the deal and a contract could check it. docs/metering.md, "Signed batches".
//
// Checking a batch is the ingest's hottest step, so the digest is hashed here from bytes (one
// keccak for the samples, one for the struct, one for the typed data; the domain once), and the
// signer is checked without a full recovery once its key is known: recovery of the first batch
// yields the compute supplier's public key P, kept with a precomputed multiplication table; for
// every later batch R = (h/s)·G + (r/s)·P is computed from two precomputed multiplications, and
// the signature recovers to P exactly when R's x is r and R's y has the parity v names
// (recovery computes P = r⁻¹(s·R − h·G)). That is about 3× faster than recovering P afresh.
// Everything multiplied here is public (digest, signature, key), so the variable-time
// multiplyUnsafe is the right one, as in @noble/curves' own verify.
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { keccak_256 } from "@noble/hashes/sha3.js";
import type { Address, LocalAccount, TypedDataDomain } from "viem";
import { hashDomain } from "viem";
import { publicKeyToAddress } from "viem/accounts";

import type { Hex } from "./merkle.ts";
import type { Sample } from "./series.ts";

/** The domain binds a signature to one chain and one market. */
export type MeteringDomain = { chainId: number; market: Address };

export const METER_BATCH_TYPES = {
  MeterBatch: [
    { name: "dealId", type: "uint256" },
    { name: "samples", type: "bytes32" },
  ],
} as const;

const DOMAIN_NAME = "CCEX Metering";
const METER_BATCH_TYPEHASH = keccak_256(new TextEncoder().encode("MeterBatch(uint256 dealId,bytes32 samples)"));
const Point = secp256k1.Point;
const Fn = Point.Fn;
const N = Fn.ORDER;

export function typedDomain({ chainId, market }: MeteringDomain): TypedDataDomain {
  return { name: DOMAIN_NAME, version: "1", chainId, verifyingContract: market };
}

function bytesOf(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex.slice(2), "hex"));
}

function hexOf(bytes: Uint8Array): Hex {
  return `0x${Buffer.from(bytes).toString("hex")}`;
}

function bigintOf(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt(hexOf(bytes));
}

/** keccak256 over the samples packed as (uint64 t, uint64 w) big-endian, in order. */
export function samplesDigest(samples: readonly Sample[]): Uint8Array {
  const packed = new Uint8Array(samples.length * 16);
  const view = new DataView(packed.buffer);
  for (let i = 0; i < samples.length; i++) {
    const { t, w } = samples[i];
    view.setUint32(i * 16, Math.floor(t / 2 ** 32));
    view.setUint32(i * 16 + 4, t >>> 0);
    view.setUint32(i * 16 + 8, Math.floor(w / 2 ** 32));
    view.setUint32(i * 16 + 12, w >>> 0);
  }
  return keccak_256(packed);
}

/** The samples hash a batch's signature covers, as hex (stored beside the batch). */
export function samplesHash(samples: readonly Sample[]): Hex {
  return hexOf(samplesDigest(samples));
}

/**
 * The EIP-712 digest of a batch — what the supplier's key signs — from its samples hash.
 * The same as viem's hashTypedData over {@link METER_BATCH_TYPES} (test/backend/metering/signature.test.ts).
 */
export class BatchDigester {
  readonly #prefix: Uint8Array;

  constructor(domain: MeteringDomain) {
    const separator = bytesOf(
      hashDomain({
        domain: { name: DOMAIN_NAME, version: "1", chainId: BigInt(domain.chainId), verifyingContract: domain.market },
        types: {
          EIP712Domain: [
            { name: "name", type: "string" },
            { name: "version", type: "string" },
            { name: "chainId", type: "uint256" },
            { name: "verifyingContract", type: "address" },
          ],
        },
      }),
    );
    this.#prefix = new Uint8Array(34);
    this.#prefix.set([0x19, 0x01], 0);
    this.#prefix.set(separator, 2);
  }

  digest(dealId: bigint, samplesDigest: Uint8Array): Uint8Array {
    const struct = new Uint8Array(96);
    struct.set(METER_BATCH_TYPEHASH, 0);
    struct.set(bytesOf(`0x${dealId.toString(16).padStart(64, "0")}`), 32);
    struct.set(samplesDigest, 64);
    const message = new Uint8Array(66);
    message.set(this.#prefix, 0);
    message.set(keccak_256(struct), 34);
    return keccak_256(message);
  }
}

/**
 * Signs a batch as the deal's compute supplier.
 * @example const signature = await signBatch(account, { chainId: 31337, market }, 3n, samples);
 */
export function signBatch(
  account: LocalAccount,
  domain: MeteringDomain,
  dealId: bigint,
  samples: readonly Sample[],
): Promise<Hex> {
  return account.signTypedData({
    domain: typedDomain(domain),
    types: METER_BATCH_TYPES,
    primaryType: "MeterBatch",
    message: { dealId, samples: samplesHash(samples) },
  });
}

/** r, s and the recovery bit of a 65-byte signature; v may be 27/28 or 0/1. Throws when malformed. */
function parseSignature(signature: Hex): { r: bigint; s: bigint; recovery: number } {
  if (!/^0x[0-9a-fA-F]{130}$/.test(signature)) throw new Error("a signature is 65 bytes of hex");
  const bytes = bytesOf(signature);
  const r = bigintOf(bytes.subarray(0, 32));
  const s = bigintOf(bytes.subarray(32, 64));
  const v = bytes[64];
  const recovery = v >= 27 ? v - 27 : v;
  if (recovery !== 0 && recovery !== 1) throw new Error(`v ${v} is not a recovery id`);
  if (r <= 0n || r >= N || s <= 0n || s >= N) throw new Error("r or s is outside the curve's order");
  return { r, s, recovery };
}

/** The address the signature over `digest` recovers to; throws when it recovers to none. */
export function recoverSigner(digest: Uint8Array, signature: Hex): Address {
  const { r, s, recovery } = parseSignature(signature);
  return publicKeyToAddress(hexOf(new secp256k1.Signature(r, s, recovery).recoverPublicKey(digest).toBytes(false)));
}

type KnownKey = { point: InstanceType<typeof Point> };

/**
 * Checks that batches are signed by a given address, remembering each address's public key after
 * the first recovery (see the file's head comment). One per service. Each key's precomputed table
 * is a few hundred kB, so only the `capacity` most recently learnt keys are kept; an evicted
 * supplier's next batch is simply recovered again.
 */
export class SignerCheck {
  readonly #keys = new Map<string, KnownKey>();
  readonly #capacity: number;

  constructor(capacity = 64) {
    this.#capacity = capacity;
  }

  /**
   * Whether `signature` over `digest` recovers to `signer`. Throws when the signature is malformed
   * or recovers to no key at all.
   */
  isSignedBy(digest: Uint8Array, signature: Hex, signer: Address): boolean {
    const address = signer.toLowerCase();
    const known = this.#keys.get(address);
    if (known === undefined) {
      const { r, s, recovery } = parseSignature(signature);
      const key = new secp256k1.Signature(r, s, recovery).recoverPublicKey(digest);
      if (publicKeyToAddress(hexOf(key.toBytes(false))).toLowerCase() !== address) return false;
      this.#keys.set(address, { point: key.precompute(8, false) });
      if (this.#keys.size > this.#capacity) this.#keys.delete(this.#keys.keys().next().value as string);
      return true;
    }
    const { r, s, recovery } = parseSignature(signature);
    const sInverse = Fn.inv(s);
    const u1 = Fn.mul(Fn.create(bigintOf(digest)), sInverse);
    const u2 = Fn.mul(r, sInverse);
    // multiplyUnsafe on a point with a precomputed table is wrong in @noble/curves 1.9 (for every
    // scalar); 2.x takes the table's path for it. test/backend/metering/signature.test.ts checks it.
    const R = Point.BASE.multiplyUnsafe(u1).add(known.point.multiplyUnsafe(u2));
    if (R.is0()) return false;
    const { x, y } = R.toAffine();
    return x === r && Number(y & 1n) === recovery;
  }
}
