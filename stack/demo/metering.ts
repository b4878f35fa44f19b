// The demo's compute sites meter their deals: when a deal's report falls due, its compute supplier
// runs the metering agent (backend/metering/agent, in this process) over the job's hours with the
// simulated GPU-cluster source, sending signed batches to the API's metering service, and reports
// the hourly Wh and the Merkle root the service computed from them — so every demo report can be verified with
// `npm run verify-metering -- <dealId>`. docs/metering.md, "The metering agent".
import path from "node:path";

import { privateKeyToAccount } from "viem/accounts";

import type { OpenDeal } from "../../backend/keeper/deal-ledger.ts";
import { MeterAgent } from "../../backend/metering/agent/agent.ts";
import { simulatedCluster } from "../../backend/metering/agent/power.ts";
import { integrate } from "../../backend/metering/energy.ts";
import { MAX_BATCH_SAMPLES } from "../../backend/metering/series.ts";
import type { DevAccount } from "../../protocol/accounts.ts";
import { hourIndex, hoursOf } from "../../protocol/hours.ts";
import { type DealPlan, jobEnd } from "./deal-plan.ts";
import { mix, random } from "./random.ts";

/** Seconds between the demo sites' readings: sparser than 1 Hz keeps a day of seeded history quick. */
export const DEMO_METER_INTERVAL = 10;
/**
 * Readings per signed batch: the most the service takes (100 minutes at the demo's interval). The seed
 * meters three days of deals in a few seconds of wall time; each batch is a signed request the API
 * checks and stores in a transaction of its own, so fewer, fuller batches cost less (docs/operations.md,
 * "Start-up").
 */
const BATCH = MAX_BATCH_SAMPLES;
/** The simulated cluster's shape at this peak, scaled afterwards to the energy the deal should meter. */
const SHAPE_PEAK_WATTS = 1_000_000;

/** The market's UsageReport: one entry per job hour. */
export type UsageReport = { vcuPerHour: number[]; whPerHour: bigint[]; meteringRoot: `0x${string}` };

export type DemoMeteringParameters = {
  /** Base URL of the API serving /api/metering. */
  api: string;
  /** Where the agents keep their state files. */
  dataDir: string;
  seed: number;
};

/** The series did not come out whole (the service refused or did not answer): the report waits. */
export class DemoMeteringError extends Error {
  override name = "DemoMeteringError";
}

export class DemoMetering {
  readonly #p: DemoMeteringParameters;

  constructor(parameters: DemoMeteringParameters) {
    this.#p = parameters;
  }

  /**
   * Meters `deal`'s job hours as its compute supplier `from` and returns the usage report to send.
   * The deal's VCU run every hour, except that a short delivery loses part of the last hour; the
   * site's power is the simulated cluster's, drawn in each hour in proportion to the VCU running in
   * it and scaled so the job meters about the energy the deal's terms declare for what was delivered
   * (a declared profile is an upper estimate: 90–101 % of it). Each hour then stays within the
   * market's tolerance of its declared energy, as an honest site's does (docs/carbon-accounting.md,
   * "Reports far from the declared profile (flagged reports)").
   */
  async meter(deal: OpenDeal, plan: DealPlan, from: DevAccount): Promise<UsageReport> {
    const { dealId, terms } = deal;
    const window = { windowStart: terms.start, windowEnd: jobEnd(terms) };
    const hours = hoursOf(window.windowStart, window.windowEnd);
    const vcu = Number(terms.vcu);
    const vcuPerHour = hours.map((_, i) =>
      i === hours.length - 1 ? Math.floor((vcu * plan.deliveredBps) / 10_000) : vcu,
    );
    const delivered = vcuPerHour.reduce((a, b) => a + b, 0);
    const r = random(mix(this.#p.seed, dealId, 0x3e7e));
    const targetWh = (Number(terms.needPerHourWh) * delivered * r.between(0.9, 1.01)) / vcu;
    const site = Number(dealId % 1_000n) + 1;
    const cluster = simulatedCluster({ peakWatts: SHAPE_PEAK_WATTS, seed: site });
    const firstHour = hourIndex(window.windowStart);
    const running = (t: number) => vcuPerHour[Math.min(hours.length - 1, hourIndex(t) - firstHour)] / vcu;
    const readings = [];
    for (let t = window.windowStart; t <= window.windowEnd; t += DEMO_METER_INTERVAL)
      readings.push({ t, w: cluster.at(t) * running(t) });
    const shapeWh = integrate(readings, window).totalWh;
    const scale = shapeWh > 0 ? targetWh / shapeWh : 0;

    const agent = new MeterAgent({
      dealId,
      api: this.#p.api,
      account: privateKeyToAccount(from.privateKey),
      source: { source: "simulated", at: (t) => Math.round(cluster.at(t) * running(t) * scale) },
      stateFile: path.join(this.#p.dataDir, `deal-${dealId}.json`),
      intervalSeconds: DEMO_METER_INTERVAL,
      batchSize: BATCH,
      window,
      // The whole job is past: the agent fills it and stops.
      clock: () => window.windowEnd + 1,
      maxRetries: 3,
    });
    await agent.run();
    const res = await fetch(new URL(`/api/metering/${dealId}/report`, this.#p.api));
    const body = (await res.json()) as {
      hours?: { start: number; wh: number }[];
      root?: `0x${string}`;
      detail?: string;
    };
    if (!res.ok || body.hours === undefined || body.root === undefined) {
      throw new DemoMeteringError(`deal ${dealId}'s series is not whole: ${res.status} ${body.detail ?? ""}`);
    }
    const metered = new Map(body.hours.map((h) => [h.start, h.wh]));
    return {
      vcuPerHour,
      whPerHour: hours.map((h) => BigInt(metered.get(h) ?? 0)),
      meteringRoot: body.root,
    };
  }
}
