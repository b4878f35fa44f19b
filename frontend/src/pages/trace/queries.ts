// The provenance query of the trace page (indexer/graphql/schema.graphql `provenance`), asking each
// step for the facts its card shows. BigInt fields are decimal strings.
import type { Stage } from "./layout.ts";

export type TraceKind = "deal" | "batch" | "retirement";
export const TRACE_KINDS: readonly TraceKind[] = ["deal", "batch", "retirement"];

export type ChainRef = { blockNumber: number; time: number; txHash: string; final: boolean };

export type ProvenanceStep = {
  key: string;
  stage: Stage;
  entityId: string;
  at: ChainRef;
  device: { id: string; owner: string; source: string; region: number; capacityW: string; status: string } | null;
  batch: {
    id: string;
    source: string;
    region: number;
    periodStart: number;
    periodEnd: number;
    issuedWh: string;
    retiredWh: string;
    issuer: string;
  } | null;
  offer: { id: string; owner: string; price: string; quantity: string; filled: string; status: string } | null;
  deal: {
    id: string;
    status: string;
    buyer: string;
    computeSupplier: string;
    computeRegion: number;
    hardwareClass: string | null;
    vcuHours: string;
    greenWh: string;
    energyNeededWh: string;
    greenShareBps: number;
    escrow: string;
  } | null;
  usageReport: { vcuDelivered: string; whConsumed: string; meteringHash: string; reporter: string } | null;
  retirement: { id: string; wh: string; beneficiary: string; purpose: string; dealId: string | null } | null;
  creditMint: { id: string; amount: string; account: string; dealId: string } | null;
  creditRetirement: { id: string; amount: string; beneficiary: string; holder: string; reason: string } | null;
};

export type ProvenanceLink = { from: string; to: string; quantity: string | null; unit: string | null };

export type Provenance = {
  subject: string;
  steps: ProvenanceStep[];
  links: ProvenanceLink[];
  missing: Stage[];
  complete: boolean;
};

export type ProvenanceData = { provenance: Provenance };

export const PROVENANCE_QUERY = `
  query Provenance($dealId: BigInt, $batchId: BigInt, $retirementId: ID) {
    provenance(dealId: $dealId, batchId: $batchId, retirementId: $retirementId) {
      subject complete missing
      links { from to quantity unit }
      steps {
        key stage entityId
        at { blockNumber time txHash final }
        device { id owner source region capacityW status }
        batch { id source region periodStart periodEnd issuedWh retiredWh issuer }
        offer { id owner price quantity filled status }
        deal { id status buyer computeSupplier computeRegion hardwareClass vcuHours greenWh energyNeededWh greenShareBps escrow }
        usageReport { vcuDelivered whConsumed meteringHash reporter }
        retirement { id wh beneficiary purpose dealId }
        creditMint { id amount account dealId }
        creditRetirement { id amount beneficiary holder reason }
      }
    }
  }
`;

/** Variables of the provenance query for a trace URL, or null when the id cannot be one. */
export function provenanceVariables(kind: string, id: string): Record<string, string> | null {
  if (kind === "deal" && /^[1-9]\d*$/.test(id)) return { dealId: id };
  if (kind === "batch" && /^[1-9]\d*$/.test(id)) return { batchId: id };
  // Retirements have no on-chain id: the indexer names them block-logIndex.
  if (kind === "retirement" && /^\d+-\d+$/.test(id)) return { retirementId: id };
  return null;
}

/** The trace URL of a provenance step's entity, for the stages that can root a trace. */
export function traceHref(stage: Stage, entityId: string): string | null {
  if (stage === "DEAL") return `/trace/deal/${entityId}`;
  if (stage === "CERTIFICATE_BATCH") return `/trace/batch/${entityId}`;
  if (stage === "RETIREMENT") return `/trace/retirement/${entityId}`;
  return null;
}
