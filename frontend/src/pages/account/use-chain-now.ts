// Chain time, ticking. Deadlines are judged by block timestamps, not the visitor's clock (a local
// chain may have been moved forward by days), so the page starts from the indexed head's timestamp
// and counts seconds from when it heard it — as a dev node stamps its next block, and close to what
// a public chain will — but never runs behind the visitor's clock.
import { useEffect, useState } from "react";

import { graphql, useGql } from "../../lib/graphql.ts";

const CHAIN_TIME_QUERY = graphql(`query ChainTime { status { chainTime } }`);

/** Seconds of chain time now, or null until the indexer has told it once. */
export function useChainNow(): number | null {
  const { data } = useGql(["chainTime"], CHAIN_TIME_QUERY, {});
  const head = data?.status.chainTime ?? null;
  const [anchor, setAnchor] = useState<{ head: number; at: number } | null>(null);
  const [, tick] = useState(0);
  useEffect(() => {
    if (head !== null) setAnchor({ head, at: Date.now() });
  }, [head]);
  useEffect(() => {
    const timer = setInterval(() => tick((n) => n + 1), 1_000);
    return () => clearInterval(timer);
  }, []);
  if (anchor === null) return head;
  // On a quiet chain the newest block may be minutes old, but the next one is stamped with the
  // node's clock: never judge earlier than the visitor's clock, which a chain moved forward
  // (a dev chain's replayed history) still overtakes through the indexed head.
  return Math.max(anchor.head + Math.floor((Date.now() - anchor.at) / 1_000), Math.floor(Date.now() / 1_000));
}
