// What the account page reads from the indexer (indexer/graphql/schema.graphql). BigInt fields are
// decimal strings; times are unix seconds of chain time.
import type { DealStatus } from "./eligibility.ts";

export type ChainRef = { blockNumber: number; time: number; txHash: string; final: boolean };

export type AccountOrder = {
  kind: "BID" | "COMPUTE_OFFER" | "ENERGY_OFFER" | "BANDWIDTH_OFFER";
  id: string;
  resource: "COMPUTE" | "ENERGY" | "BANDWIDTH";
  owner: string;
  price: string;
  quantity: string;
  remaining: string;
  filled: string;
  cancelled: string;
  status: "OPEN" | "FILLED" | "CANCELLED" | "EXPIRED";
  expiry: number;
  hardwareClass: string | null;
  region: number | null;
  source: string | null;
  batchId: string | null;
  fromRegion: number | null;
  toRegion: number | null;
  escrow: string | null;
  posted: ChainRef;
};

export type DealStep = { action: string; actor: string | null; at: ChainRef };

export type AccountDeal = {
  id: string;
  status: DealStatus;
  bidId: string;
  buyer: string;
  computeSupplier: string;
  computeRegion: number;
  hardwareClass: string | null;
  windowStart: number;
  windowEnd: number;
  vcuHours: string;
  energyNeededWh: string;
  greenWh: string;
  greenShareBps: number;
  escrow: string;
  reportDeadline: number;
  challengeEnd: number | null;
  arbitrationDeadline: number | null;
  disputeReason: string | null;
  refundBps: number | null;
  vcuDelivered: string | null;
  whConsumed: string | null;
  refund: string | null;
  credits: string | null;
  terms: unknown;
  usageReport: { vcuDelivered: string; whConsumed: string; meteringHash: string } | null;
  steps: DealStep[];
  opened: ChainRef;
};

export type CertificateHolding = {
  batchId: string;
  wh: string;
  batch: { source: string; region: number; periodStart: number; periodEnd: number; deviceId: string } | null;
};

export type CreditRetirement = { id: string; beneficiary: string; amount: string; reason: string; at: ChainRef };

export type AccountData = {
  account: {
    address: string;
    orders: { nodes: AccountOrder[] };
    deals: { nodes: AccountDeal[] };
    certificates: CertificateHolding[];
    creditBalance: string;
    creditLots: { dealId: string; amount: string }[];
    creditRetirements: { nodes: CreditRetirement[] };
    marketBalance: { credited: string; withdrawn: string; withdrawable: string };
  };
};

export const DEAL_FIELDS = `
  id status bidId buyer computeSupplier computeRegion hardwareClass windowStart windowEnd
  vcuHours energyNeededWh greenWh greenShareBps escrow reportDeadline challengeEnd arbitrationDeadline
  disputeReason refundBps vcuDelivered whConsumed refund credits terms
  usageReport { vcuDelivered whConsumed meteringHash }
  steps { action actor at { blockNumber time txHash final } }
  opened { blockNumber time txHash final }
`;

export const ACCOUNT_QUERY = `
  query Account($address: String!) {
    account(address: $address) {
      address
      orders(first: 50) {
        nodes {
          kind id resource owner price quantity remaining filled cancelled status expiry
          hardwareClass region source batchId fromRegion toRegion escrow
          posted { blockNumber time txHash final }
        }
      }
      deals(first: 50) { nodes { ${DEAL_FIELDS} } }
      certificates { batchId wh batch { source region periodStart periodEnd deviceId } }
      creditBalance
      creditLots { dealId amount }
      creditRetirements(first: 20) { nodes { id beneficiary amount reason at { blockNumber time txHash final } } }
      marketBalance { credited withdrawn withdrawable }
    }
  }
`;

/** Disputes wait for an arbiter whoever's they are: the arbiter's page lists them all. */
export const DISPUTED_DEALS_QUERY = `
  query DisputedDeals {
    deals(filter: { status: DISPUTED }, first: 50) { nodes { ${DEAL_FIELDS} } }
  }
`;

export type DisputedDealsData = { deals: { nodes: AccountDeal[] } };
