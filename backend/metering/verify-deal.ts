// The verifier anyone can run: it takes the series from the exchange's API, the deal and its usage
// report from the chain, and recomputes everything itself — hourly Wh, the Merkle root, and that
// every batch was signed by the deal's compute supplier. docs/metering.md, "Verifying a report".
import type { DealSource } from "./deal-source.ts";
import type { Hex } from "./merkle.ts";
import { buildReport, type MeteringReport, type Verification, verifyReport } from "./report.ts";
import type { Sample } from "./series.ts";
import { BatchDigester, SignerCheck, samplesDigest, samplesHash } from "./signature.ts";

export type DealVerification = {
  dealId: bigint;
  /** Null while the deal has no usage report on chain. */
  report: Verification | null;
  recomputed: MeteringReport;
  /** Batches whose samples or signature do not come from the compute supplier; empty when all do. */
  unsignedBatches: { firstT: number; lastT: number; why: string }[];
  /** The report matches and every sample is in a batch the supplier signed. */
  verified: boolean;
};

type Batch = { firstT: number; lastT: number; count: number; samplesHash: Hex; signature: Hex };

/** Reads the whole series from GET /api/metering/<dealId>, page by page. */
export async function fetchSeries(api: string, dealId: bigint): Promise<Sample[]> {
  const series: Sample[] = [];
  let from: number | null = 0;
  while (from !== null) {
    const res = await fetch(new URL(`/api/metering/${dealId}?from=${from}&limit=3600`, api));
    if (!res.ok) throw new Error(`GET /api/metering/${dealId} answered ${res.status}: ${await res.text()}`);
    const page = (await res.json()) as { series: Sample[]; next: number | null };
    for (const { t, w } of page.series) series.push({ t, w });
    from = page.next;
  }
  return series;
}

/**
 * @example
 * const result = await verifyDeal({ api: "http://127.0.0.1:8080", deals: new ChainDealSource(…), dealId: 7n });
 * if (!result.verified) console.log(result);
 */
export async function verifyDeal(p: { api: string; deals: DealSource; dealId: bigint }): Promise<DealVerification> {
  const deal = await p.deals.deal(p.dealId);
  if (deal === undefined) throw new Error(`no deal ${p.dealId} on the market`);
  const series = await fetchSeries(p.api, p.dealId);
  const res = await fetch(new URL(`/api/metering/${p.dealId}/batches`, p.api));
  if (!res.ok) throw new Error(`GET /api/metering/${p.dealId}/batches answered ${res.status}`);
  const { batches } = (await res.json()) as { batches: Batch[] };

  const unsignedBatches: DealVerification["unsignedBatches"] = [];
  const digester = new BatchDigester(p.deals.domain);
  // The supplier's key is recovered from the first batch and then checked against (signature.ts).
  const signers = new SignerCheck(1);
  const signedBySupplier = (samples: Sample[], signature: Hex) => {
    try {
      return signers.isSignedBy(digester.digest(p.dealId, samplesDigest(samples)), signature, deal.computeSupplier);
    } catch {
      return false;
    }
  };
  // Batches in time order, the series in time order: one pass hands each batch its samples.
  let covered = 0;
  let i = 0;
  for (const batch of batches) {
    while (i < series.length && series[i].t < batch.firstT) i++;
    const start = i;
    while (i < series.length && series[i].t <= batch.lastT) i++;
    const samples = series.slice(start, i);
    covered += samples.length;
    const why =
      samples.length !== batch.count || samplesHash(samples) !== batch.samplesHash
        ? "the series differs from the samples the batch signed"
        : !signedBySupplier(samples, batch.signature)
          ? "not signed by the compute supplier"
          : undefined;
    if (why !== undefined) unsignedBatches.push({ firstT: batch.firstT, lastT: batch.lastT, why });
  }
  if (covered !== series.length) {
    unsignedBatches.push({ firstT: series[0]?.t ?? 0, lastT: series.at(-1)?.t ?? 0, why: "samples outside any batch" });
  }
  const onChain = await p.deals.report(p.dealId);
  const report = onChain === undefined ? null : verifyReport(p.dealId, deal, series, onChain);
  const recomputed = report?.recomputed ?? buildReport(p.dealId, deal, series);
  return {
    dealId: p.dealId,
    report,
    recomputed,
    unsignedBatches,
    verified: report?.matches === true && unsignedBatches.length === 0,
  };
}
