// The chain's clock: order expiry and deal windows are judged by block timestamps, which on a
// local chain can run ahead of the wall clock (time is moved for demos). Forms validate against it.
import { useQuery } from "@tanstack/react-query";

import { useChain } from "./chain.ts";

/** Timestamp of the latest block in unix seconds (the wall clock until the first block is read). */
export function useChainTime(): number {
  const { publicClient } = useChain();
  const { data } = useQuery({
    queryKey: ["chain-time"],
    queryFn: async () => {
      const block = await publicClient.getBlock({ blockTag: "latest" });
      // Seconds pass between blocks too; carry the offset to the wall clock rather than freezing time.
      return { chain: Number(block.timestamp), wall: Math.floor(Date.now() / 1000) };
    },
  });
  const wall = Math.floor(Date.now() / 1000);
  return data ? data.chain + Math.max(0, wall - data.wall) : wall;
}
