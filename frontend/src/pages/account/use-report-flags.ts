// The flags of the reports on screen (report-flags.ts). Most reports are judged from the deal alone;
// only one that used more energy than declared needs its bid's minimum green share, read once per
// bid (a bid's minimum never changes).
import { useGqlEach } from "../../lib/graphql.ts";
import { type AccountDeal, BID_GREEN_MINIMUM_QUERY } from "./queries.ts";
import { needsGreenMinimum, type ReportFlags, reportFlags } from "./report-flags.ts";

const STILL_OPEN = new Set(["REPORTED", "DISPUTED"]);

/** A function giving each deal's report flags (null before a report, or once the deal is closed). */
export function useReportFlags(deals: readonly AccountDeal[]): (deal: AccountDeal) => ReportFlags | null {
  const bidIds = [
    ...new Set(deals.filter((d) => STILL_OPEN.has(d.status) && needsGreenMinimum(d)).map((d) => d.bidId)),
  ];
  const answers = useGqlEach(
    ["bidGreenMinimum"],
    BID_GREEN_MINIMUM_QUERY,
    bidIds.map((id) => ({ id })),
    { live: false, staleTime: Number.POSITIVE_INFINITY },
  );
  const minimum = new Map<string, number>();
  for (const answer of answers) {
    const bid = answer.data?.order;
    if (bid?.minGreenBps != null) minimum.set(bid.id, bid.minGreenBps);
  }
  return (deal) => (STILL_OPEN.has(deal.status) ? reportFlags(deal, minimum.get(deal.bidId)) : null);
}
