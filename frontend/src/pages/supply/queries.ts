// The supply page's reads from the indexer (indexer/graphql/schema.graphql), typed by gql.tada.
import { graphql, type ResultOf } from "../../lib/graphql-documents.ts";

export const OWN_ORDERS = graphql(`
  query OwnOrders($owner: String!, $kind: OrderKind!) {
    orders(filter: { owner: $owner, kind: $kind }, first: 50) {
      nodes {
        kind id status price quantity remaining expiry windowStart windowEnd hardwareClass region fromRegion toRegion
        latencyMs deviceId periodStart periodEnd source
      }
    }
  }
`);
/** A supplier's own offer (never a bid: the supply page asks for offer kinds only). */
export type OwnOrder = ResultOf<typeof OWN_ORDERS>["orders"]["nodes"][number] & {
  kind: "COMPUTE_OFFER" | "ENERGY_OFFER" | "BANDWIDTH_OFFER";
};

export const OWN_DEVICES = graphql(`
  query OwnDevices($owner: String!) {
    devices(filter: { owner: $owner }, first: 50) {
      nodes { id source region capacityW commissionedAt status issuedWh issuedUntil batchCount }
    }
  }
`);
export type OwnDevice = ResultOf<typeof OWN_DEVICES>["devices"]["nodes"][number];

export const PENDING_DEVICES = graphql(`
  query PendingDevices {
    devices(filter: { status: PENDING }, first: 50) {
      nodes { id owner source region capacityW commissionedAt metadataUri }
    }
  }
`);
export type PendingDevice = ResultOf<typeof PENDING_DEVICES>["devices"]["nodes"][number];

export const HOLDINGS = graphql(`
  query Holdings($address: String!) {
    account(address: $address) {
      certificates { batchId wh batch { source region periodStart periodEnd deviceId } }
    }
  }
`);
export type Holding = ResultOf<typeof HOLDINGS>["account"]["certificates"][number];

/** Each open or past offer's capacity per hour over [from, to): the supplier's calendar. */
export const OWN_OFFER_HOURS = graphql(`
  query OwnOfferHours($owner: String!, $kind: OrderKind!, $from: Int!, $to: Int!) {
    orders(filter: { owner: $owner, kind: $kind }, first: 50) {
      nodes { id hours(from: $from, to: $to) { start capacity used free } }
    }
  }
`);
export type OwnOfferHours = ResultOf<typeof OWN_OFFER_HOURS>["orders"]["nodes"][number];
