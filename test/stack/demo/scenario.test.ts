// The demo's building blocks that need no chain: hourly generation that respects capacity and the
// daily shapes (solar at noon China time, wind strongest at night, hydro flat), forecasts near it,
// deal plans that a restarted simulator draws again identically, the cast's hubs and grid areas, and
// the environment check.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, it } from "node:test";
import type { OpenDeal } from "../../../backend/keeper/deal-ledger.ts";
import { gridAreaOf } from "../../../protocol/units.ts";
import { loadDemoConfig } from "../../../stack/demo/config.ts";
import { dealPlan, nextStep } from "../../../stack/demo/deal-plan.ts";
import { capacityFactor, forecastWh, generatedWhPerHour } from "../../../stack/demo/generation.ts";
import {
  BUYERS,
  COMPUTE_RESERVE_JITTER,
  COMPUTE_SUPPLIERS,
  ENERGY_SUPPLIERS,
  NETWORK_SUPPLIERS,
  ORIGIN,
  REGION,
  restingBidCeiling,
  SIMULATOR_ACCOUNTS,
  SOURCE,
} from "../../../stack/demo/scenario.ts";

const HOUR = 3_600;
const MIDNIGHT_UTC = Date.UTC(2026, 10, 20) / 1000; // 08:00 in China

const sum = (values: bigint[]) => values.reduce((a, b) => a + b, 0n);
const mean = (values: bigint[]) => Number(sum(values)) / values.length;

describe("demo generation", () => {
  it("never exceeds capacity × 1 h in any hour, and solar sleeps at night (China time)", () => {
    for (const source of [SOURCE.Solar, SOURCE.Wind, SOURCE.Hydro]) {
      for (let h = 0; h < 72; h++) {
        const f = capacityFactor(7, 3n, source, MIDNIGHT_UTC + h * HOUR);
        assert.ok(f >= 0 && f < 1, `source ${source} hour ${h}: ${f}`);
      }
      const day = generatedWhPerHour(7, 3n, source, 100_000_000n, MIDNIGHT_UTC, MIDNIGHT_UTC + 24 * HOUR);
      assert.equal(day.length, 24);
      assert.ok(day.every((wh) => wh >= 0n && wh < 100_000_000n));
      assert.ok(sum(day) > 0n);
    }
    // 22:00–04:00 China time is 14:00–20:00 UTC: no sun.
    const night = generatedWhPerHour(
      7,
      3n,
      SOURCE.Solar,
      100_000_000n,
      MIDNIGHT_UTC + 14 * HOUR,
      MIDNIGHT_UTC + 20 * HOUR,
    );
    assert.deepEqual(night, [0n, 0n, 0n, 0n, 0n, 0n]);
    // Noon China time (04:00 UTC) has it.
    assert.ok(capacityFactor(7, 3n, SOURCE.Solar, MIDNIGHT_UTC + 4 * HOUR) > 0.2);
  });

  it("blows wind hardest at night and runs hydro flat, over a week", () => {
    const week = (source: number) =>
      generatedWhPerHour(9, 5n, source, 100_000_000n, MIDNIGHT_UTC, MIDNIGHT_UTC + 7 * 24 * HOUR);
    // China's night (00:00–06:00) is 16:00–22:00 UTC, its afternoon (12:00–18:00) is 04:00–10:00 UTC.
    const chinaHours = (hours: bigint[], from: number, to: number) =>
      hours.filter((_, i) => {
        const h = (i + 8) % 24;
        return h >= from && h < to;
      });
    const wind = week(SOURCE.Wind);
    assert.ok(mean(chinaHours(wind, 0, 6)) > 1.2 * mean(chinaHours(wind, 12, 18)));
    const hydro = week(SOURCE.Hydro);
    const low = hydro.reduce((a, b) => (b < a ? b : a));
    const high = hydro.reduce((a, b) => (b > a ? b : a));
    assert.ok(Number(high - low) < 0.25 * Number(high), "hydro varies by less than a quarter");
  });

  it("forecasts each hour within 15 % of what is metered, never above capacity", () => {
    for (let h = 0; h < 48; h++) {
      const t = MIDNIGHT_UTC + h * HOUR;
      const [actual] = generatedWhPerHour(7, 3n, SOURCE.Solar, 100_000_000n, t, t + HOUR);
      const forecast = forecastWh(7, 3n, SOURCE.Solar, 100_000_000n, t);
      assert.ok(forecast <= 100_000_000n);
      assert.ok(Math.abs(Number(forecast - actual)) <= 0.15 * Number(actual) + 1, `hour ${h}`);
    }
  });

  it("is reproducible and differs between devices", () => {
    const a = generatedWhPerHour(7, 3n, SOURCE.Wind, 50_000_000n, MIDNIGHT_UTC, MIDNIGHT_UTC + 24 * HOUR);
    assert.deepEqual(generatedWhPerHour(7, 3n, SOURCE.Wind, 50_000_000n, MIDNIGHT_UTC, MIDNIGHT_UTC + 24 * HOUR), a);
    assert.notDeepEqual(generatedWhPerHour(7, 4n, SOURCE.Wind, 50_000_000n, MIDNIGHT_UTC, MIDNIGHT_UTC + 24 * HOUR), a);
  });
});

describe("demo deal plans", () => {
  const SITE = "0x90F79bf6EB2c4f870365E785982E1f101E93b906";

  it("are the same on every draw and mix confirmations, disputes, silence and no-shows", () => {
    const plans = Array.from({ length: 400 }, (_, i) => dealPlan(11, BigInt(i + 1), SITE));
    assert.deepEqual(dealPlan(11, 5n, SITE), plans[4]);
    for (const choice of ["confirm", "dispute", "silent"])
      assert.ok(
        plans.some((p) => p.buyer === choice),
        choice,
      );
    assert.ok(plans.some((p) => p.noShow) && plans.some((p) => !p.noShow));
    assert.ok(plans.filter((p) => p.buyer === "confirm").length > plans.length / 2);
  });

  it("have a site report all its deals at one delay after their jobs end (one round, one multicall)", () => {
    const delays = (site: string) =>
      new Set(Array.from({ length: 50 }, (_, i) => dealPlan(11, BigInt(i + 1), site).reportDelay));
    assert.equal(delays(SITE).size, 1);
    const sites = Array.from({ length: 20 }, (_, i) => `0x${(i + 1).toString(16).padStart(40, "0")}`);
    assert.ok(new Set(sites.map((site) => [...delays(site)][0])).size > 1, "every site reports at the same delay");
  });

  it("times each step inside the contract's windows and leaves the keeper's actions to the keeper when live", () => {
    // A two-hour job ending at 10_800 s.
    const terms = { start: 3_600, durationHours: 2, reportDeadline: 11_100 } as OpenDeal["terms"];
    const plan = { ...dealPlan(11, 1n, SITE), noShow: false, buyer: "silent" as const };
    const timing = { challengePeriod: 120, arbitrationPeriod: 3_600, actAsKeeper: false };
    const report = nextStep({ dealId: 1n, status: "Active", terms }, plan, timing)!;
    assert.equal(report.step.kind, "report");
    assert.ok(report.at >= 10_800 && report.at < 11_100);
    const reported = { dealId: 1n, status: "Reported", terms, report: {} as never, challengeEnd: 11_300 } as OpenDeal;
    assert.equal(nextStep(reported, plan, timing), undefined);
    assert.equal(nextStep(reported, plan, { ...timing, actAsKeeper: true })!.step.kind, "finalize");
    assert.equal(nextStep({ dealId: 1n, status: "Active", terms }, { ...plan, noShow: true }, timing), undefined);
  });
});

describe("demo scenario", () => {
  const west = COMPUTE_SUPPLIERS.filter((s) => s.region === REGION.Ningxia || s.region === REGION.Guizhou);
  const east = COMPUTE_SUPPLIERS.filter((s) => !west.includes(s) && "account" in s.actor);

  it("sends eastern inference east and training west, from the simulator's own accounts", () => {
    const accounts = [...COMPUTE_SUPPLIERS, ...ENERGY_SUPPLIERS, ...NETWORK_SUPPLIERS, ...BUYERS]
      .map((p) => p.actor)
      .flatMap((a) => ("account" in a ? [a.account] : []));
    assert.equal(new Set(accounts).size, accounts.length);
    assert.ok(Math.max(...accounts) < SIMULATOR_ACCOUNTS);
    const cheapest = (list: typeof west, hw: number) =>
      Math.min(
        ...list.flatMap((s) => s.sites.filter((x) => x.hardwareClass === hw).map((x) => Number(x.reservePerVcuHour))),
      );
    assert.ok(cheapest(west, 3) < cheapest(east, 3));
    assert.ok(
      Math.max(...west.flatMap((s) => s.sites.map((x) => x.pueMilli))) <
        Math.min(...east.flatMap((s) => s.sites.map((x) => x.pueMilli))),
    );
  });

  it("gives every bid a certificate source it may use: a device in its compute region, grid area or anywhere", () => {
    const devices = ENERGY_SUPPLIERS.flatMap((s) => s.devices);
    for (const { name, job } of BUYERS)
      for (const region of job.acceptableRegions) {
        if (
          !COMPUTE_SUPPLIERS.some(
            (s) => s.region === region && s.sites.some((x) => x.hardwareClass === job.hardwareClass),
          )
        )
          continue;
        const usable = devices.filter(
          (d) =>
            job.certificateOrigin === ORIGIN.Anywhere ||
            (job.certificateOrigin === ORIGIN.ComputeRegion && d.region === region) ||
            (job.certificateOrigin === ORIGIN.GridArea && gridAreaOf(d.region) === gridAreaOf(region)),
        );
        assert.ok(usable.length > 0, `${name} in region ${region}`);
      }
  });

  it("has the north-west hubs match on solar only, so flexible training there moves to the day", () => {
    const northwest = ENERGY_SUPPLIERS.flatMap((s) => s.devices).filter(
      (d) => gridAreaOf(d.region) === gridAreaOf(REGION.Ningxia),
    );
    assert.ok(northwest.length > 0 && northwest.every((d) => d.source === SOURCE.Solar));
    const flexibleTraining = BUYERS.filter((b) => b.job.hardwareClass === 3 && b.job.flexHours >= 24);
    assert.ok(flexibleTraining.length >= 2);
    for (const { job } of flexibleTraining) {
      assert.ok(job.durationHours[0] >= 1 && job.durationHours[1] <= 8);
      assert.ok(job.minGreenBps >= 8_000);
    }
  });
});

describe("demo config", () => {
  it("names a bad variable and stops the process with exit 2", () => {
    assert.throws(() => loadDemoConfig({ RPC_URL: "nope" }), /RPC_URL/);
    assert.throws(() => loadDemoConfig({ DEMO_SEED: "-1" }), /DEMO_SEED/);
    assert.throws(() => loadDemoConfig({ API_URL: "127.0.0.1:8080" }), /API_URL/);
    assert.equal(loadDemoConfig({ API_URL: "http://127.0.0.1:9999" }).apiUrl, "http://127.0.0.1:9999");
    const run = spawnSync(process.execPath, [path.resolve(import.meta.dirname, "../../../stack/demo/main.ts")], {
      env: { PATH: process.env.PATH, RPC_URL: "ftp://x" },
      encoding: "utf8",
    });
    assert.equal(run.status, 2);
    assert.equal(run.stdout, "");
    assert.match(run.stderr.trim(), /^invalid environment: RPC_URL: /);
  });
});

describe("resting bids", () => {
  it("stay under every compute offer of their class, so they rest in the book instead of clearing", () => {
    for (const { job } of BUYERS) {
      const ceiling = restingBidCeiling(job.hardwareClass);
      assert.ok(ceiling > 0n, `class ${job.hardwareClass}: a resting bid must offer something`);
      for (const site of COMPUTE_SUPPLIERS.flatMap((s) => s.sites).filter(
        (x) => x.hardwareClass === job.hardwareClass,
      )) {
        const lowestOffer = BigInt(Math.round(Number(site.reservePerVcuHour) * COMPUTE_RESERVE_JITTER[0]));
        assert.ok(ceiling < lowestOffer, `class ${job.hardwareClass}: ${ceiling} must stay below ${lowestOffer}`);
      }
    }
  });
});
