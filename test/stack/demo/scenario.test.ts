// The demo's building blocks that need no chain: metered generation that respects capacity and the
// sun, deal plans that a restarted simulator draws again identically, and the environment check.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, it } from "node:test";
import type { OpenDeal } from "../../../backend/keeper/deal-ledger.ts";
import { loadDemoConfig } from "../../../stack/demo/config.ts";
import { dealPlan, nextStep } from "../../../stack/demo/deal-plan.ts";
import { capacityFactor, generatedWh } from "../../../stack/demo/generation.ts";
import {
  BUYERS,
  COMPUTE_RESERVE_JITTER,
  COMPUTE_SUPPLIERS,
  ENERGY_SUPPLIERS,
  NETWORK_SUPPLIERS,
  REGION,
  restingBidCeiling,
  SIMULATOR_ACCOUNTS,
  SOURCE,
} from "../../../stack/demo/scenario.ts";

const HOUR = 3_600;
const MIDNIGHT_UTC = Date.UTC(2026, 10, 20) / 1000; // 08:00 in China

describe("demo generation", () => {
  it("never exceeds capacity × hours, and solar sleeps at night (China time)", () => {
    for (const source of [SOURCE.Solar, SOURCE.Wind, SOURCE.Hydro]) {
      for (let h = 0; h < 72; h++) {
        const f = capacityFactor(7, 3n, source, MIDNIGHT_UTC + h * HOUR);
        assert.ok(f >= 0 && f < 1, `source ${source} hour ${h}: ${f}`);
      }
      const day = generatedWh(7, 3n, source, 100_000_000n, MIDNIGHT_UTC, MIDNIGHT_UTC + 24 * HOUR);
      assert.ok(day > 0n && day < 100_000_000n * 24n);
    }
    // 22:00–04:00 China time is 14:00–20:00 UTC: no sun.
    assert.equal(
      generatedWh(7, 3n, SOURCE.Solar, 100_000_000n, MIDNIGHT_UTC + 14 * HOUR, MIDNIGHT_UTC + 20 * HOUR),
      0n,
    );
    // Noon China time (04:00 UTC) has it.
    assert.ok(capacityFactor(7, 3n, SOURCE.Solar, MIDNIGHT_UTC + 4 * HOUR) > 0.2);
  });

  it("is reproducible and differs between devices", () => {
    const a = generatedWh(7, 3n, SOURCE.Wind, 50_000_000n, MIDNIGHT_UTC, MIDNIGHT_UTC + 24 * HOUR);
    assert.equal(generatedWh(7, 3n, SOURCE.Wind, 50_000_000n, MIDNIGHT_UTC, MIDNIGHT_UTC + 24 * HOUR), a);
    assert.notEqual(generatedWh(7, 4n, SOURCE.Wind, 50_000_000n, MIDNIGHT_UTC, MIDNIGHT_UTC + 24 * HOUR), a);
  });
});

describe("demo deal plans", () => {
  it("are the same on every draw and mix confirmations, disputes, silence and no-shows", () => {
    const plans = Array.from({ length: 400 }, (_, i) => dealPlan(11, BigInt(i + 1)));
    assert.deepEqual(dealPlan(11, 5n), plans[4]);
    for (const choice of ["confirm", "dispute", "silent"])
      assert.ok(
        plans.some((p) => p.buyer === choice),
        choice,
      );
    assert.ok(plans.some((p) => p.noShow) && plans.some((p) => !p.noShow));
    assert.ok(plans.filter((p) => p.buyer === "confirm").length > plans.length / 2);
  });

  it("times each step inside the contract's windows and leaves the keeper's actions to the keeper when live", () => {
    const terms = { windowEnd: 1_000, reportDeadline: 1_300 } as OpenDeal["terms"];
    const plan = { ...dealPlan(11, 1n), noShow: false, buyer: "silent" as const };
    const timing = { challengePeriod: 120, arbitrationPeriod: 3_600, actAsKeeper: false };
    const report = nextStep({ dealId: 1n, status: "Active", terms }, plan, timing)!;
    assert.equal(report.step.kind, "report");
    assert.ok(report.at >= 1_000 && report.at < 1_300);
    const reported = { dealId: 1n, status: "Reported", terms, report: {} as never, challengeEnd: 1_500 } as OpenDeal;
    assert.equal(nextStep(reported, plan, timing), undefined);
    assert.equal(nextStep(reported, plan, { ...timing, actAsKeeper: true })!.step.kind, "finalize");
    assert.equal(nextStep({ dealId: 1n, status: "Active", terms }, { ...plan, noShow: true }, timing), undefined);
  });
});

describe("demo scenario", () => {
  it("sends eastern inference east and training west, from the simulator's own accounts", () => {
    const accounts = [...COMPUTE_SUPPLIERS, ...ENERGY_SUPPLIERS, ...NETWORK_SUPPLIERS, ...BUYERS]
      .map((p) => p.actor)
      .flatMap((a) => ("account" in a ? [a.account] : []));
    assert.equal(new Set(accounts).size, accounts.length);
    assert.ok(Math.max(...accounts) < SIMULATOR_ACCOUNTS);
    const west = COMPUTE_SUPPLIERS.filter((s) => s.region === REGION.Northwest || s.region === REGION.Southwest);
    const east = COMPUTE_SUPPLIERS.filter((s) => !west.includes(s) && "account" in s.actor);
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
