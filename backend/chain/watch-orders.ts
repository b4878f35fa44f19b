// Calls back when orders are posted to the market, so the matcher can clear the book at once rather
// than at its next interval. Polls (eth_newFilter / eth_getFilterChanges over HTTP); a node outage
// surfaces through `onError` and the watch carries on once the node answers again.
import type { Address, PublicClient } from "viem";

import { marketAbi } from "../../protocol/generated/abis.ts";
import { type ChainError, toChainError } from "./errors.ts";

const POSTED = ["BidPosted", "ComputeOfferPosted", "EnergyOfferPosted", "BandwidthOfferPosted"] as const;

export type WatchOrdersParameters = {
  market: Address;
  onOrders: (count: number) => void;
  onError?: (error: ChainError) => void;
  pollingIntervalMs?: number;
};
/** Stops watching. */
export type WatchOrdersReturnType = () => void;

/**
 * @example
 * const unwatch = watchOrders(publicClient, { market, onOrders: () => matcher.trigger() })
 */
export function watchOrders(client: PublicClient, parameters: WatchOrdersParameters): WatchOrdersReturnType {
  const events = marketAbi.filter((item) => item.type === "event" && (POSTED as readonly string[]).includes(item.name));
  return client.watchEvent({
    address: parameters.market,
    events,
    poll: true,
    pollingInterval: parameters.pollingIntervalMs,
    onLogs: (logs) => {
      if (logs.length > 0) parameters.onOrders(logs.length);
    },
    onError: (err) => parameters.onError?.(toChainError(err, "watch orders")),
  });
}
