// The buy page's reads from the indexer (indexer/graphql/schema.graphql), typed by gql.tada.
import { graphql, type ResultOf } from "../../lib/graphql-documents.ts";

/** A posted bid as the market sees it now, with the deals the matcher opened from it. */
export const POSTED_BID = graphql(`
  query PostedBid($bidId: BigInt!) {
    order(kind: BID, id: $bidId) { status quantity filled remaining }
    deals(filter: { bidId: $bidId }, first: 20) {
      nodes { id vcuHours computePayment energyPayment bandwidthPayment fee }
    }
  }
`);
export type PostedBidData = ResultOf<typeof POSTED_BID>;
