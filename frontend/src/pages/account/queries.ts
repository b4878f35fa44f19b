// What the account page reads from the indexer (indexer/graphql/schema.graphql), typed by gql.tada.
// BigInt fields are decimal strings; times are unix seconds of chain time. Deals and orders come a
// page at a time (newest first); the page's cursors travel as variables.
import { graphql, type ResultOf, type VariablesOf } from "../../lib/graphql-documents.ts";

/** Deals and orders per page of the account's lists. */
export const PAGE_SIZE = 20;

export const DEAL_FIELDS = graphql(`
  fragment DealFields on Deal @_unmask {
    id status bidId buyer computeSupplier computeRegion hardwareClass windowStart windowEnd
    vcuHours energyNeededWh greenWh greenShareBps escrow computePayment energyPayment bandwidthPayment fee
    reportDeadline challengeEnd arbitrationDeadline disputeReason refundBps vcuDelivered whConsumed refund
    credits terms flagged flaggedOutsideProfile flaggedBelowGreenMinimum expectedWh
    start durationHours vcu certificateOrigin matchedGreenWh
    hours { start vcu vcuDelivered needWh greenWh meteredWh retiredWh }
    usageReport { vcuPerHour whPerHour whConsumed meteringHash }
    steps { action actor at { blockNumber time txHash final } }
    opened { blockNumber time txHash final }
  }
`);

export const ACCOUNT_QUERY = graphql(
  `
  query Account($address: String!, $first: Int!, $dealsAfter: String, $ordersAfter: String) {
    account(address: $address) {
      address
      orders(first: $first, after: $ordersAfter) {
        nodes {
          kind id resource owner price quantity remaining filled cancelled status expiry
          hardwareClass region source deviceId periodStart periodEnd fromRegion toRegion escrow
          vcu durationHours earliestStart latestEnd start certificateOrigin
          posted { blockNumber time txHash final }
        }
        pageInfo { endCursor hasNextPage }
      }
      deals(first: $first, after: $dealsAfter) {
        nodes { ...DealFields }
        pageInfo { endCursor hasNextPage }
      }
      certificates { batchId wh batch { source region periodStart periodEnd deviceId hours { start certificateId } } }
      creditBalance
      creditLots { dealId amount }
      creditRetirements(first: 20) { nodes { id beneficiary amount reason at { blockNumber time txHash final } } }
      marketBalance { credited withdrawn withdrawable }
    }
  }
`,
  [DEAL_FIELDS],
);
export type AccountData = ResultOf<typeof ACCOUNT_QUERY>;
export type AccountVariables = VariablesOf<typeof ACCOUNT_QUERY>;
export type AccountDeal = AccountData["account"]["deals"]["nodes"][number];
export type AccountOrder = AccountData["account"]["orders"]["nodes"][number];
export type CertificateHolding = AccountData["account"]["certificates"][number];
export type PageInfo = AccountData["account"]["deals"]["pageInfo"];

/** Disputes wait for an arbiter whoever's they are: the arbiter's page lists them all. */
export const DISPUTED_DEALS_QUERY = graphql(
  `
  query DisputedDeals {
    deals(filter: { status: DISPUTED }, first: 50) { nodes { ...DealFields } }
  }
`,
  [DEAL_FIELDS],
);
