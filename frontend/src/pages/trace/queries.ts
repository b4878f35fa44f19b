// The provenance query of the trace page (indexer/graphql/schema.graphql `provenance`), asking each
// step for the facts its card shows. BigInt fields are decimal strings.
import { graphql, type ResultOf, type VariablesOf } from "../../lib/graphql-documents.ts";
import type { Stage } from "./layout.ts";

export type TraceKind = "deal" | "batch" | "retirement";
export const TRACE_KINDS: readonly TraceKind[] = ["deal", "batch", "retirement"];

export const PROVENANCE_QUERY = graphql(`
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
        deal {
          id status buyer computeSupplier computeRegion hardwareClass vcuHours greenWh energyNeededWh greenShareBps escrow
          start durationHours vcu certificateOrigin
          hours { start needWh greenWh meteredWh retiredWh }
        }
        usageReport { vcuDelivered whConsumed meteringHash reporter }
        retirement { id wh beneficiary purpose dealId }
        creditMint { id amount account dealId }
        creditRetirement { id amount beneficiary holder reason }
      }
    }
  }
`);
export type ProvenanceData = ResultOf<typeof PROVENANCE_QUERY>;
export type Provenance = ProvenanceData["provenance"];
export type ProvenanceStep = Provenance["steps"][number];
export type ProvenanceLink = Provenance["links"][number];
export type ChainRef = ProvenanceStep["at"];

/** Variables of the provenance query for a trace URL, or null when the id cannot be one. */
export function provenanceVariables(kind: string, id: string): VariablesOf<typeof PROVENANCE_QUERY> | null {
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
