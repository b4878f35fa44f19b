// The stages of a provenance chain, in the chain's own order: from the device that generated the
// power to the credits retired. The indexer's GraphQL enum ProvenanceStage and the web market's
// trace picture both follow this order.
export const PROVENANCE_STAGES = [
  "DEVICE",
  "CERTIFICATE_BATCH",
  "ENERGY_OFFER",
  "DEAL",
  "USAGE_REPORT",
  "RETIREMENT",
  "CREDIT_MINT",
  "CREDIT_RETIREMENT",
] as const;
export type ProvenanceStage = (typeof PROVENANCE_STAGES)[number];
