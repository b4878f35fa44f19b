// The scheduler lays out a schedule's certificate slots from an index of the energy offers built
// once per offer list (backend/pricing/schedule/energy-hours.ts). These tests hold the slots to a
// plain walk over every offer's hours and show that a replaced list is seen.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { energyHoursOf } from "../../../../backend/pricing/schedule/energy-hours.ts";
import {
  AREA_OF_REGION,
  GRID_AREAS,
  prepareSchedule,
  REGION_SLOTS,
} from "../../../../backend/pricing/schedule/prepare.ts";
import {
  type HourlyEnergyOffer,
  ORIGIN,
  type TimedBid,
  type TimedBook,
} from "../../../../backend/pricing/schedule/types.ts";
import { toTimedBook } from "../../../../backend/pricing/scheduling.ts";
import { marketBook } from "../../api/market-book.ts";

const NOW = 1_900_000_800; // on the hour
const H = 3_600;
const RULES = { now: NOW, platformFeeBps: 30 };

/**
 * The slots as the scheduler defines them, walked the slow way: offer by offer in book order, hour by
 * hour, of the offers in `regions` only; and the mean price per Wh over every region's.
 */
function plainSlots(offers: readonly HourlyEnergyOffer[], now: number, base: number, span: number, regions: number[]) {
  const all: { offer: number; hour: number; region: number; price: number; left: number }[] = [];
  offers.forEach((e, i) => {
    if (e.expiry <= now || e.deviceSuspended || e.region < 0 || e.region >= REGION_SLOTS || e.firstHour % H !== 0)
      return;
    e.whPerHour.forEach((wh, k) => {
      const hour = e.firstHour / H - base + k;
      const left = Number(wh - (e.soldWhPerHour?.[k] ?? 0n));
      if (hour >= 0 && hour < span && left > 0)
        all.push({ offer: i, hour, region: e.region, price: Number(e.reservePricePerKwh), left });
    });
  });
  const whSum = all.reduce((sum, s) => sum + s.left, 0);
  const meanPricePerWh = whSum > 0 ? all.reduce((sum, s) => sum + s.price * s.left, 0) / whSum / 1000 : 0;
  const slots = all.filter((s) => regions.includes(s.region));
  const cellStart = [0];
  const cellSlots: number[] = [];
  for (let r = 0; r < REGION_SLOTS; r++) {
    for (let h = 0; h < span; h++) {
      const cell = slots.flatMap((s, i) => (s.region === r && s.hour === h ? [i] : []));
      cell.sort(
        (x, y) => slots[x].price - slots[y].price || Number(offers[slots[x].offer].id - offers[slots[y].offer].id),
      );
      cellSlots.push(...cell);
      cellStart.push(cellSlots.length);
    }
  }
  const supplyRegion = new Float64Array(REGION_SLOTS * span);
  const supplyArea = new Float64Array(GRID_AREAS.length * span);
  const supplyAll = new Float64Array(span);
  for (const s of slots) {
    supplyRegion[s.region * span + s.hour] += s.left;
    if (AREA_OF_REGION[s.region] >= 0) supplyArea[AREA_OF_REGION[s.region] * span + s.hour] += s.left;
    supplyAll[s.hour] += s.left;
  }
  const energy = {
    offer: Int32Array.from(slots, (s) => s.offer),
    hour: Int32Array.from(slots, (s) => s.hour),
    region: Int8Array.from(slots, (s) => s.region),
    pricePerKwh: Float64Array.from(slots, (s) => s.price),
    left: Float64Array.from(slots, (s) => s.left),
    cellStart: Int32Array.from(cellStart),
    cellSlots: Int32Array.from(cellSlots),
    supplyRegion,
    supplyArea,
    supplyAll,
  };
  return { energy, meanPricePerWh };
}

/** The market book's energy offers, with some hours partly sold, one offer expired and one device suspended. */
function energyBook(): TimedBook {
  const book = toTimedBook({ ...marketBook({ now: NOW }), bids: [] });
  const energyOffers = book.energyOffers.map((e, i) =>
    i % 7 === 3
      ? { ...e, soldWhPerHour: e.whPerHour.map((wh, k) => (k % 3 === 0 ? wh : wh / 2n)) }
      : i === 5
        ? { ...e, expiry: NOW }
        : i === 6
          ? { ...e, deviceSuspended: true }
          : e,
  );
  return { ...book, energyOffers };
}

/**
 * Compute offers of region 8 cut to [from, from + hours × H), and a bid for them with `origin`: the
 * schedule then spans those hours.
 */
function window(
  book: TimedBook,
  from: number,
  hours: number,
  origin: number = ORIGIN.Anywhere,
  minGreenBps = 5_000,
): TimedBook {
  const computeOffers = book.computeOffers
    .filter((o) => o.region === 8 && o.hardwareClass === 0)
    .map((o) => ({ ...o, windowStart: from, windowEnd: from + hours * H }));
  const bid: TimedBid = {
    id: 1n,
    buyer: "0x0000000000000000000000000000000000000b01",
    hardwareClass: 0,
    acceptableRegions: 1n << 8n,
    buyerRegion: 8,
    earliestStart: from,
    latestEnd: from + hours * H,
    durationHours: 1,
    vcu: 1,
    filledVcu: 0,
    start: 0,
    limitPricePerVcuHour: 10n ** 9n,
    minGreenBps,
    certificateOrigin: origin,
    bandwidthMbps: 0n,
    maxLatencyMs: 1_000,
    expiry: from + hours * H,
  };
  return { ...book, bids: [bid], computeOffers };
}

const ALL_REGIONS = Array.from({ length: REGION_SLOTS }, (_, r) => r);

describe("certificate slots from the energy hours index", () => {
  it("are the slots a plain walk over every offer's hours lays out, for windows anywhere in and around the book", () => {
    const book = energyBook();
    let windows = 0;
    for (let offset = -30; offset < 8 * 24 + 30; offset += 11) {
      for (const hours of [1, 5, 24, 61]) {
        const from = (Math.floor(NOW / H) + offset) * H;
        const prepared = prepareSchedule(window(book, from, hours), RULES);
        if (prepared.bids.length === 0) continue; // no compute offer open in those hours
        const expected = plainSlots(book.energyOffers, NOW, prepared.base, prepared.span, ALL_REGIONS);
        assert.deepEqual(prepared.energy, expected.energy, `window of ${hours} h at ${offset} h`);
        assert.equal(prepared.meanPricePerWh, expected.meanPricePerWh);
        windows++;
      }
    }
    assert.ok(windows > 50, `${windows} windows`);
  });

  it("lays out only the regions whose certificates the bids' origin rules let them buy, and none without a green share", () => {
    const book = energyBook();
    const from = (Math.floor(NOW / H) + 20) * H;
    // Region 8 (宁夏) sits in the northwest grid area with region 7 (甘肃).
    for (const [origin, minGreenBps, regions] of [
      [ORIGIN.ComputeRegion, 5_000, [8]],
      [ORIGIN.GridArea, 5_000, [7, 8]],
      [ORIGIN.Anywhere, 5_000, ALL_REGIONS],
      [ORIGIN.Anywhere, 0, []],
    ] as const) {
      const prepared = prepareSchedule(window(book, from, 12, origin, minGreenBps), RULES);
      assert.equal(prepared.bids.length, 1);
      const expected = plainSlots(book.energyOffers, NOW, prepared.base, prepared.span, [...regions]);
      assert.deepEqual(prepared.energy, expected.energy, `origin ${origin}, ${minGreenBps} bps`);
      assert.ok(regions.length === 0 || prepared.energy.left.length > 0);
      // The energy estimate still counts every region's certificates.
      assert.equal(prepared.meanPricePerWh, expected.meanPricePerWh);
    }
  });

  it("is built once per offer list, and a replaced list is laid out afresh", () => {
    const book = energyBook();
    assert.equal(energyHoursOf(book.energyOffers), energyHoursOf(book.energyOffers));
    const from = (Math.floor(NOW / H) + 20) * H;
    const before = prepareSchedule(window(book, from, 6), RULES).energy;
    assert.ok(before.left.length > 0);
    // Every Wh of every offer sold: the next book (a new list, as sources replace books) has no slot left.
    const soldOut = { ...book, energyOffers: book.energyOffers.map((e) => ({ ...e, soldWhPerHour: e.whPerHour })) };
    assert.notEqual(energyHoursOf(soldOut.energyOffers), energyHoursOf(book.energyOffers));
    const after = prepareSchedule(window(soldOut, from, 6), RULES).energy;
    assert.equal(after.left.length, 0);
    assert.ok(after.supplyAll.every((wh) => wh === 0));
  });
});
