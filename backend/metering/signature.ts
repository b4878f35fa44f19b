// What the compute supplier signs for a batch of samples: EIP-712 typed data, so a wallet shows
// the deal and a contract could check it. docs/metering.md, "Signed batches".
import { keccak_256 } from "@noble/hashes/sha3.js";
import type { Address, LocalAccount, TypedDataDomain } from "viem";
import { recoverTypedDataAddress } from "viem";

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

export function typedDomain({ chainId, market }: MeteringDomain): TypedDataDomain {
  return { name: "CCEX Metering", version: "1", chainId, verifyingContract: market };
}

/** keccak256 over the samples packed as (uint64 t, uint64 w) big-endian, in order. */
export function samplesHash(samples: readonly Sample[]): Hex {
  const packed = new Uint8Array(samples.length * 16);
  const view = new DataView(packed.buffer);
  samples.forEach(({ t, w }, i) => {
    view.setBigUint64(i * 16, BigInt(t));
    view.setBigUint64(i * 16 + 8, BigInt(w));
  });
  return `0x${Buffer.from(keccak_256(packed)).toString("hex")}`;
}

function message(dealId: bigint, samples: readonly Sample[]) {
  return { dealId, samples: samplesHash(samples) };
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
    message: message(dealId, samples),
  });
}

/** The address that signed the batch (whoever it is; the caller compares it with the supplier). */
export function batchSigner(
  domain: MeteringDomain,
  dealId: bigint,
  samples: readonly Sample[],
  signature: Hex,
): Promise<Address> {
  return recoverTypedDataAddress({
    domain: typedDomain(domain),
    types: METER_BATCH_TYPES,
    primaryType: "MeterBatch",
    message: message(dealId, samples),
    signature,
  });
}
