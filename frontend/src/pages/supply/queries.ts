// The supply page's reads from the indexer (indexer/graphql/schema.graphql).

export type OwnOrder = {
  kind: "COMPUTE_OFFER" | "ENERGY_OFFER" | "BANDWIDTH_OFFER";
  id: string;
  status: string;
  price: string;
  quantity: string;
  remaining: string;
  expiry: number;
  windowStart: number | null;
  windowEnd: number | null;
  hardwareClass: string | null;
  region: number | null;
  fromRegion: number | null;
  toRegion: number | null;
  latencyMs: number | null;
  batchId: string | null;
  source: string | null;
};

export const OWN_ORDERS = `query OwnOrders($owner: String!, $kind: OrderKind!) {
  orders(filter: { owner: $owner, kind: $kind }, first: 50) {
    nodes { kind id status price quantity remaining expiry windowStart windowEnd hardwareClass region fromRegion toRegion latencyMs batchId source }
  }
}`;

export type OwnDevice = {
  id: string;
  source: string;
  region: number;
  capacityW: string;
  commissionedAt: number;
  status: "PENDING" | "APPROVED" | "SUSPENDED";
  issuedWh: string;
  issuedUntil: number | null;
  batchCount: number;
};

export const OWN_DEVICES = `query OwnDevices($owner: String!) {
  devices(filter: { owner: $owner }, first: 50) {
    nodes { id source region capacityW commissionedAt status issuedWh issuedUntil batchCount }
  }
}`;

export type PendingDevice = {
  id: string;
  owner: string;
  source: string;
  region: number;
  capacityW: string;
  commissionedAt: number;
  metadataUri: string;
};

export const PENDING_DEVICES = `query PendingDevices {
  devices(filter: { status: PENDING }, first: 50) {
    nodes { id owner source region capacityW commissionedAt metadataUri }
  }
}`;

export type Holding = {
  batchId: string;
  wh: string;
  batch: { source: string; region: number; periodStart: number; periodEnd: number; deviceId: string } | null;
};

export const HOLDINGS = `query Holdings($address: String!) {
  account(address: $address) {
    certificates { batchId wh batch { source region periodStart periodEnd deviceId } }
  }
}`;
