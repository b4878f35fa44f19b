// Posting a bid moves vcu × durationHours × limit into the market's escrow, so the market needs an allowance.
// Fewest wallet steps first: an allowance that already covers it (one transaction), else an
// EIP-2612 permit signed off-chain and handed to postBidWithPermit (one signature + one
// transaction), else approve then post (two transactions) for tokens without permit.
import { parseSignature, type WalletClient } from "viem";

import type { ChainContext } from "../../lib/chain.ts";
import type { WriteRequest } from "../../lib/tx/index.tsx";
import type { BidParams } from "./bid-form.ts";

export type BidPlan = "allowance" | "permit" | "approve";

/** Which way this account posts a bid escrowing `escrow` base units. */
export async function planBidPosting(chain: ChainContext, account: `0x${string}`, escrow: bigint): Promise<BidPlan> {
  const { publicClient, contracts } = chain;
  const allowance = await publicClient.readContract({
    ...contracts.token,
    functionName: "allowance",
    args: [account, contracts.market.address],
  });
  if (allowance >= escrow) return "allowance";
  try {
    await publicClient.readContract({ ...contracts.token, functionName: "eip712Domain" });
    await publicClient.readContract({ ...contracts.token, functionName: "nonces", args: [account] });
    return "permit";
  } catch {
    return "approve";
  }
}

/**
 * Throws the token's own custom error (ERC20InsufficientBalance) when the account cannot fund the
 * escrow: a transfer of that amount is simulated, so the refusal comes before any signature.
 */
export async function checkFunds(chain: ChainContext, account: `0x${string}`, escrow: bigint): Promise<void> {
  await chain.publicClient.simulateContract({
    ...chain.contracts.token,
    functionName: "transfer",
    args: [chain.contracts.market.address, escrow],
    account,
  });
}

/** How long a permit stays valid: long enough for the wallet and a slow block, short if it leaks. */
const PERMIT_SECONDS = 20 * 60;

/** Signs the permit for exactly the escrow and returns the postBidWithPermit call. */
export async function permitBidRequest(
  chain: ChainContext,
  walletClient: WalletClient,
  account: `0x${string}`,
  bid: BidParams,
  escrow: bigint,
  now: number,
): Promise<WriteRequest> {
  const { publicClient, contracts } = chain;
  const [, name, version, chainId, verifyingContract] = await publicClient.readContract({
    ...contracts.token,
    functionName: "eip712Domain",
  });
  const nonce = await publicClient.readContract({ ...contracts.token, functionName: "nonces", args: [account] });
  const deadline = BigInt(now + PERMIT_SECONDS);
  const signature = await walletClient.signTypedData({
    account: walletClient.account ?? account,
    domain: { name, version, chainId, verifyingContract },
    types: {
      Permit: [
        { name: "owner", type: "address" },
        { name: "spender", type: "address" },
        { name: "value", type: "uint256" },
        { name: "nonce", type: "uint256" },
        { name: "deadline", type: "uint256" },
      ],
    },
    primaryType: "Permit",
    message: { owner: account, spender: contracts.market.address, value: escrow, nonce, deadline },
  });
  const { r, s, v, yParity } = parseSignature(signature);
  return {
    ...contracts.market,
    functionName: "postBidWithPermit",
    args: [bid, deadline, Number(v ?? BigInt(yParity + 27)), r, s],
  };
}
