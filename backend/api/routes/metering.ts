// /api/metering — signed power samples in, series, proofs and the usage report out.
// docs/metering.md describes each route; errors are problem+json (backend/api/problem.ts).
import express, { type Request, Router } from "express";
import { isHex } from "viem";
import { z } from "zod";
import type { DealSource, MeteredDeal } from "../../metering/deal-source.ts";
import { type Hex, SeriesTree } from "../../metering/merkle.ts";
import { hoursMatch, type MeteringReport, reportOf } from "../../metering/report.ts";
import { checkBatch, MAX_BATCH_SAMPLES, type Sample } from "../../metering/series.ts";
import {
  BatchDigester,
  METER_BATCH_TYPES,
  recoverSigner,
  SignerCheck,
  samplesDigest,
  typedDomain,
} from "../../metering/signature.ts";
import type { MeteringStore } from "../../metering/store.ts";
import { dependency, methodNotAllowed, requireJsonBody } from "../errors.ts";
import { HttpProblem } from "../problem.ts";
import { validate } from "../validate.ts";

export type MeteringRouterDeps = {
  store: MeteringStore;
  deals: DealSource;
  /** Unix seconds now; samples ahead of it are refused. */
  clock?: () => number;
};

const MAX_PAGE = 3_600;
const MAX_POINTS = 5_000;
/** Response header with the deal's last stored second, so an agent can resume after a lost answer. */
export const STORED_UNTIL_HEADER = "Metering-Stored-Until";

const DealPath = z.object({ dealId: z.string().regex(/^[1-9][0-9]{0,76}$/, "expected a deal id (1, 2, …)") });
const SamplesBody = z.strictObject({
  samples: z
    .array(z.tuple([z.number(), z.number()]), "expected [[t, w], …]: unix seconds and whole watts")
    .min(1, "a batch carries at least one sample")
    .max(MAX_BATCH_SAMPLES, `a batch carries at most ${MAX_BATCH_SAMPLES} samples`),
  signature: z.string().optional(),
});
const unixSeconds = z
  .string()
  .regex(/^[0-9]{1,12}$/, "expected unix seconds")
  .transform(Number);
const SeriesQuery = z.strictObject({
  from: unixSeconds.optional(),
  to: unixSeconds.optional(),
  limit: z
    .string()
    .regex(/^[0-9]{1,5}$/, "expected a whole number")
    .transform(Number)
    .pipe(z.int().min(1).max(MAX_PAGE))
    .optional(),
  points: z
    .string()
    .regex(/^[0-9]{1,5}$/, "expected a whole number")
    .transform(Number)
    .pipe(z.int().min(2).max(MAX_POINTS))
    .optional(),
});

/** A series with its tree and report, kept while the series does not grow. */
type View = { storedUntil: number | null; series: Sample[]; tree: SeriesTree; report: MeteringReport };

function presentReport(report: MeteringReport) {
  return {
    dealId: report.dealId.toString(),
    samples: report.samples,
    complete: report.complete,
    root: report.root,
    totalWh: report.totalWh,
    hours: report.hours,
    gaps: report.gaps,
  };
}

/** Min, max and mean watts per equal stretch of time: enough to draw a curve without its every second. */
export function downsample(series: readonly Sample[], from: number, to: number, points: number) {
  const width = Math.max(1, Math.ceil((to - from + 1) / points));
  const buckets: { t: number; w: number; min: number; max: number }[] = [];
  let sum = 0;
  let n = 0;
  let current = -1;
  let min = 0;
  let max = 0;
  const flush = () => {
    if (n > 0) buckets.push({ t: from + current * width, w: Math.round(sum / n), min, max });
  };
  for (const { t, w } of series) {
    if (t < from || t > to) continue;
    const bucket = Math.floor((t - from) / width);
    if (bucket !== current) {
      flush();
      current = bucket;
      sum = 0;
      n = 0;
      min = w;
      max = w;
    }
    sum += w;
    n += 1;
    if (w < min) min = w;
    if (w > max) max = w;
  }
  flush();
  return { bucketSeconds: width, points: buckets };
}

/**
 * @example app.use(meteringRouter({ store: await MeteringStore.open({ kind: "pglite" }), deals }));
 */
export function meteringRouter(deps: MeteringRouterDeps): Router {
  const { store, deals } = deps;
  const clock = deps.clock ?? (() => Math.floor(Date.now() / 1000));
  const router = Router();
  const views = new Map<bigint, View>();
  const digester = new BatchDigester(deals.domain);
  const signers = new SignerCheck();

  async function dealOf(req: Request): Promise<MeteredDeal> {
    const { dealId } = validate(DealPath, req.params, "path");
    const deal = await dependency(() => deals.deal(BigInt(dealId)), "the chain did not answer for the deal");
    if (deal === undefined) throw new HttpProblem("not-found", `no deal ${dealId} on the market`);
    return deal;
  }

  async function viewOf(deal: MeteredDeal): Promise<View> {
    const { storedUntil } = await store.cursor(deal.dealId);
    const cached = views.get(deal.dealId);
    if (cached !== undefined && cached.storedUntil === storedUntil) return cached;
    const series = await store.series(deal.dealId);
    const tree = SeriesTree.of(deal.dealId, series);
    const view = { storedUntil, series, tree, report: reportOf(deal.dealId, deal, series, tree) };
    // A handful of deals are looked at at once; the oldest view goes first.
    views.delete(deal.dealId);
    views.set(deal.dealId, view);
    if (views.size > 8) views.delete(views.keys().next().value as bigint);
    return view;
  }

  router.get("/api/metering/domain", (_req, res) => {
    const domain = typedDomain(deals.domain);
    res.json({ domain, types: METER_BATCH_TYPES, primaryType: "MeterBatch" });
  });

  router
    .route("/api/metering/:dealId/samples")
    .post(requireJsonBody, express.json({ limit: "64kb" }), async (req, res) => {
      const deal = await dealOf(req);
      const body = validate(SamplesBody, req.body ?? {}, "body");
      const signature = body.signature;
      if (signature === undefined || !isHex(signature) || signature.length !== 132) {
        throw new HttpProblem("unauthorized", "a batch must carry the compute supplier's 65-byte EIP-712 signature", {
          headers: { "WWW-Authenticate": 'EIP712 primaryType="MeterBatch"' },
        });
      }
      const samples = body.samples.map(([t, w]) => ({ t, w }));
      const hashed = samplesDigest(samples);
      const digest = digester.digest(deal.dealId, hashed);
      const unrecoverable = () =>
        new HttpProblem("unauthorized", "the signature does not recover to any account", {
          headers: { "WWW-Authenticate": 'EIP712 primaryType="MeterBatch"' },
        });
      let signedBySupplier: boolean;
      try {
        signedBySupplier = signers.isSignedBy(digest, signature, deal.computeSupplier);
      } catch {
        throw unrecoverable();
      }
      if (!signedBySupplier) {
        let signer: string;
        try {
          signer = recoverSigner(digest, signature);
        } catch {
          throw unrecoverable();
        }
        throw new HttpProblem(
          "forbidden",
          `the batch is signed by ${signer}, not by deal ${deal.dealId}'s compute supplier ${deal.computeSupplier}`,
        );
      }
      const report = await dependency(() => deals.report(deal.dealId), "the chain did not answer for the report");
      const until = (storedUntil: number | null) => ({ [STORED_UNTIL_HEADER]: String(storedUntil ?? "") });
      if (report !== undefined) {
        const stored = await store.cursor(deal.dealId);
        throw new HttpProblem("samples-conflict", `deal ${deal.dealId} is reported: its series is closed`, {
          headers: until(stored.storedUntil),
        });
      }
      const now = clock();
      const appended = await store
        .append(
          deal.dealId,
          samples,
          { samplesHash: `0x${Buffer.from(hashed).toString("hex")}`, signature, signer: deal.computeSupplier },
          (storedUntil) => {
            const faults = checkBatch(samples, deal, storedUntil, now);
            if (faults.length === 0) return;
            const errors = faults.map((f) => ({
              in: "body" as const,
              field: `samples[${f.index}]`,
              message: `${f.reason}: ${f.detail}`,
            }));
            const ordering = faults.every((f) => f.reason === "late" || f.reason === "duplicate");
            throw new HttpProblem(
              ordering ? "samples-conflict" : "samples-refused",
              `${faults.length} of ${samples.length} samples refused; nothing of the batch was stored`,
              { errors, headers: until(storedUntil) },
            );
          },
        )
        .catch((error: unknown) => {
          if (error instanceof HttpProblem) throw error;
          throw new HttpProblem("unavailable", "the metering database did not store the batch", { cause: error });
        });
      // Answered only now that the batch has committed.
      res.setHeader(STORED_UNTIL_HEADER, String(appended.storedUntil));
      res.status(201).json({
        dealId: deal.dealId.toString(),
        accepted: samples.length,
        storedUntil: appended.storedUntil,
        samples: appended.samples,
      });
    })
    .all(methodNotAllowed("POST"));

  router
    .route("/api/metering/:dealId/report")
    .get(async (req, res) => {
      const deal = await dealOf(req);
      const { report } = await dependency(() => viewOf(deal), "the metering database did not answer");
      if (!report.complete) {
        const gaps = report.gaps.map((g) => `${g.from}–${g.to}`).join(", ");
        throw new HttpProblem(
          "series-incomplete",
          `deal ${deal.dealId}'s series has gaps no report can bridge: ${gaps}`,
        );
      }
      res.json(presentReport(report));
    })
    .all(methodNotAllowed("GET", "HEAD"));

  router
    .route("/api/metering/:dealId/batches")
    .get(async (req, res) => {
      const deal = await dealOf(req);
      const batches = await dependency(() => store.batches(deal.dealId), "the metering database did not answer");
      res.json({ dealId: deal.dealId.toString(), domain: typedDomain(deals.domain), batches });
    })
    .all(methodNotAllowed("GET", "HEAD"));

  router
    .route("/api/metering/:dealId")
    .get(async (req, res) => {
      const deal = await dealOf(req);
      const query = validate(SeriesQuery, req.query, "query");
      const view = await dependency(() => viewOf(deal), "the metering database did not answer");
      const onChain = await dependency(() => deals.report(deal.dealId), "the chain did not answer for the report");
      const from = query.from ?? deal.windowStart;
      const to = query.to ?? deal.windowEnd;
      const head = {
        ...presentReport(view.report),
        windowStart: deal.windowStart,
        windowEnd: deal.windowEnd,
        computeSupplier: deal.computeSupplier,
        storedUntil: view.storedUntil,
        onChain:
          onChain === undefined
            ? null
            : {
                vcuPerHour: [...onChain.vcuPerHour],
                whPerHour: onChain.whPerHour.map(String),
                meteringRoot: onChain.meteringRoot,
              },
        matchesOnChain:
          onChain === undefined
            ? null
            : onChain.meteringRoot.toLowerCase() === view.report.root && hoursMatch(view.report, onChain),
      };
      if (query.points !== undefined) {
        const { bucketSeconds, points } = downsample(view.series, from, to, query.points);
        res.json({ ...head, downsampled: { bucketSeconds }, series: points, next: null });
        return;
      }
      const limit = query.limit ?? MAX_PAGE;
      const start = lowerBound(view.series, from);
      const page: { t: number; w: number; proof: Hex[] }[] = [];
      let i = start;
      for (; i < view.series.length && page.length < limit && view.series[i].t <= to; i++) {
        page.push({ ...view.series[i], proof: view.tree.proof(i) });
      }
      const next = i < view.series.length && view.series[i].t <= to ? view.series[i].t : null;
      res.json({ ...head, downsampled: null, series: page, next });
    })
    .all(methodNotAllowed("GET", "HEAD"));

  return router;
}

/** Index of the first sample at or after `t`. */
function lowerBound(series: readonly Sample[], t: number): number {
  let lo = 0;
  let hi = series.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (series[mid].t < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
