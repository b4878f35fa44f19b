// EIP-2612 permits signed the way a wallet would (eth_signTypedData_v4), for bids posted in one step.
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { Signature } from "ethers";
import type { LocalSettlementToken } from "../../types/ethers-contracts/index.ts";
import { ethers } from "./connection.ts";

export type Permit = { deadline: bigint; v: number; r: string; s: string };

/**
 * `signer` signs a permit for `owner` (itself unless a forgery is wanted) to let `spender` move
 * `value` until `deadline`.
 */
export async function signPermit(
  token: LocalSettlementToken,
  signer: HardhatEthersSigner,
  spender: string,
  value: bigint,
  deadline: bigint,
  owner: string = signer.address,
): Promise<Permit> {
  const { chainId } = await ethers.provider.getNetwork();
  const domain = { name: await token.name(), version: "1", chainId, verifyingContract: await token.getAddress() };
  const types = {
    Permit: [
      { name: "owner", type: "address" },
      { name: "spender", type: "address" },
      { name: "value", type: "uint256" },
      { name: "nonce", type: "uint256" },
      { name: "deadline", type: "uint256" },
    ],
  };
  const message = { owner, spender, value, nonce: await token.nonces(owner), deadline };
  const signature = Signature.from(await signer.signTypedData(domain, types, message));
  return { deadline, v: signature.v, r: signature.r, s: signature.s };
}
