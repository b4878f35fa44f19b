// Integration to Wh against series worked out by hand: steps, ramps, a segment cut at an hour
// boundary, gaps at and just above the bridged limit.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { integrate } from "../../../backend/metering/energy.ts";
import { MAX_GAP_SECONDS, type Sample } from "../../../backend/metering/series.ts";

const every = (from: number, to: number, step: number, w: (t: number) => number): Sample[] => {
  const out: Sample[] = [];
  for (let t = from; t <= to; t += step) out.push({ t, w: w(t) });
  return out;
};

describe("integrate", () => {
  it("gives 3,600 Wh for 3,600 W held through one hour sampled every second", () => {
    const energy = integrate(
      every(0, 3_600, 1, () => 3_600),
      { windowStart: 0, windowEnd: 3_600 },
    );
    assert.deepEqual(energy, { hours: [{ start: 0, wh: 3_600 }], totalWh: 3_600, gaps: [] });
  });

  it("ramps across a step between two samples a minute apart and rounds the hour down", () => {
    // 1,000 W to 1,800 s, 2,000 W from 1,860 s: 1,800,000 J + the ramp's 90,000 J + 3,480,000 J
    // = 5,370,000 J = 1,491.67 Wh.
    const series = every(0, 3_600, 60, (t) => (t <= 1_800 ? 1_000 : 2_000));
    const energy = integrate(series, { windowStart: 0, windowEnd: 3_600 });
    assert.deepEqual(energy.hours, [{ start: 0, wh: 1_491 }]);
    assert.equal(energy.totalWh, 1_491);
  });

  it("cuts a segment at the hour boundary on the straight line, losing nothing but the rounding", () => {
    // 0 W at 3,400 s to 3,000 W at 3,700 s: w = 10·(t − 3,400). Before 3,600: ∫ = 5·200² = 200,000 J
    // (55.6 Wh); after: 450,000 − 200,000 = 250,000 J (69.4 Wh).
    const energy = integrate(
      [
        { t: 3_400, w: 0 },
        { t: 3_700, w: 3_000 },
      ],
      { windowStart: 0, windowEnd: 7_200 },
    );
    assert.deepEqual(energy.hours, [
      { start: 0, wh: 55 },
      { start: 3_600, wh: 69 },
    ]);
    assert.equal(energy.totalWh, 124);
  });

  it("bridges a gap of exactly the limit and lists one a second longer, which counts nothing", () => {
    const limit = MAX_GAP_SECONDS;
    // 1,800 W over [0, limit] = 150 Wh; then nothing until 2·limit + 1; then 1,800 W to the window's end.
    const series: Sample[] = [
      { t: 0, w: 1_800 },
      { t: limit, w: 1_800 },
      ...every(2 * limit + 1, 3_600, 1, () => 1_800),
    ];
    const energy = integrate(series, { windowStart: 0, windowEnd: 3_600 });
    assert.deepEqual(energy.gaps, [{ from: limit, to: 2 * limit + 1 }]);
    // (300 + 2,999) s at 1,800 W = 5,938,200 J = 1,649.5 Wh.
    assert.deepEqual(energy.hours, [{ start: 0, wh: 1_649 }]);
  });

  it("lists the window's uncovered edges as gaps, and the whole window for an empty series", () => {
    const window = { windowStart: 1_000, windowEnd: 1_000 + 2 * 3_600 + 600 };
    const energy = integrate(
      every(2_000, 4_000, 10, () => 100),
      window,
    );
    assert.deepEqual(energy.gaps, [
      { from: 1_000, to: 2_000 },
      { from: 4_000, to: window.windowEnd },
    ]);
    // Three hours, the last one ten minutes long.
    assert.deepEqual(
      energy.hours.map((h) => h.start),
      [1_000, 4_600, 8_200],
    );
    assert.deepEqual(integrate([], window).gaps, [{ from: 1_000, to: window.windowEnd }]);
    assert.equal(integrate([], window).totalWh, 0);
  });

  it("keeps the total equal to the sum of the hours over a long swinging series", () => {
    const series = every(0, 86_400, 1, (t) => 500_000 + Math.round(200_000 * Math.sin(t / 700)));
    const energy = integrate(series, { windowStart: 0, windowEnd: 86_400 });
    assert.equal(energy.hours.length, 24);
    assert.equal(
      energy.totalWh,
      energy.hours.reduce((s, h) => s + h.wh, 0),
    );
    assert.ok(energy.totalWh > 11_900_000 && energy.totalWh < 12_100_000, String(energy.totalWh));
  });
});
