// The settlement token's symbol, read once from the chain (it never changes for a deployment).
import { useQuery } from "@tanstack/react-query";

import { useChain } from "./chain.ts";

export function useTokenSymbol(): string {
  const { publicClient, contracts } = useChain();
  const { data } = useQuery({
    queryKey: ["token-symbol", contracts.token.address],
    queryFn: () => publicClient.readContract({ ...contracts.token, functionName: "symbol" }),
    staleTime: Infinity,
    meta: { live: false },
  });
  return data ?? "";
}
