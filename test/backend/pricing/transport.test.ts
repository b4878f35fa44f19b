import assert from "node:assert/strict";
import { describe, it } from "node:test";
import loadHighs from "highs";
import { networkSimplex, solveTransport } from "../../../backend/pricing/clearing/transport.ts";
import { rng } from "./fixtures/books.ts";

const highs = await (loadHighs as unknown as typeof loadHighs.default)();

describe("network simplex for the transport core", () => {
  it("finds integral flows within capacities worth exactly the LP optimum (HiGHS)", () => {
    const random = rng(61);
    for (let t = 0; t < 80; t++) {
      const nb = 1 + Math.floor(random() * 25);
      const no = 1 + Math.floor(random() * 25);
      const demand = Float64Array.from({ length: nb }, () => 1 + Math.floor(random() * 40));
      const capacity = Float64Array.from({ length: no }, () => 1 + Math.floor(random() * 40));
      const arcs: [number, number, number][] = [];
      for (let b = 0; b < nb; b++) {
        for (let o = 0; o < no; o++)
          if (random() < 0.3) arcs.push([b, o, 1 + Math.floor(random() * 1000) + (random() < 0.3 ? 0.25 : 0)]);
      }
      const flow = solveTransport({
        demand,
        capacity,
        arcBid: Int32Array.from(arcs, (a) => a[0]),
        arcOffer: Int32Array.from(arcs, (a) => a[1]),
        profit: Float64Array.from(arcs, (a) => a[2]),
      });
      const usedBid = new Float64Array(nb);
      const usedOffer = new Float64Array(no);
      let value = 0;
      arcs.forEach(([b, o, p], k) => {
        assert.ok(flow[k] >= 0 && Number.isInteger(flow[k]));
        usedBid[b] += flow[k];
        usedOffer[o] += flow[k];
        value += p * flow[k];
      });
      usedBid.forEach((u, b) => assert.ok(u <= demand[b]));
      usedOffer.forEach((u, o) => assert.ok(u <= capacity[o]));
      if (arcs.length === 0) continue;
      const lp = [
        "Maximize",
        ` obj: ${arcs.map(([, , p], k) => `${p} x${k}`).join(" + ")}`,
        "Subject To",
        ...[...Array(nb).keys()].flatMap((b) => {
          const terms = arcs.flatMap(([bb], k) => (bb === b ? [`x${k}`] : []));
          return terms.length === 0 ? [] : [` b${b}: ${terms.join(" + ")} <= ${demand[b]}`];
        }),
        ...[...Array(no).keys()].flatMap((o) => {
          const terms = arcs.flatMap(([, oo], k) => (oo === o ? [`x${k}`] : []));
          return terms.length === 0 ? [] : [` o${o}: ${terms.join(" + ")} <= ${capacity[o]}`];
        }),
        "End",
      ].join("\n");
      const optimum = highs.solve(lp, { output_flag: false }).ObjectiveValue;
      assert.ok(Math.abs(value - optimum) <= 1e-6 * Math.max(1, optimum), `case ${t}: ${value} vs ${optimum}`);
    }
  });
});

describe("the transport of one bid (a quote)", () => {
  it("gives the network simplex's flows to the unit, with tied profits, shared offers and spare capacity", () => {
    const random = rng(62);
    let split = 0;
    for (let t = 0; t < 2_000; t++) {
      const no = 1 + Math.floor(random() * 12);
      const na = 1 + Math.floor(random() * 16);
      // Few distinct profits and small capacities: ties and exact fits are common.
      const problem = {
        demand: Float64Array.of(1 + Math.floor(random() * 60)),
        capacity: Float64Array.from({ length: no }, () => 1 + Math.floor(random() * 20)),
        arcBid: new Int32Array(na),
        arcOffer: Int32Array.from({ length: na }, (_, a) => (random() < 0.8 ? a % no : Math.floor(random() * no))),
        profit: Float64Array.from({ length: na }, () => 1 + Math.floor(random() * 4) + (random() < 0.2 ? 0.5 : 0)),
      };
      const flow = solveTransport(problem);
      assert.deepEqual([...flow], [...networkSimplex(problem)], `case ${t}`);
      if (flow.filter((f) => f > 0).length > 1) split++;
    }
    assert.ok(split > 200, `many cases split the bid over several offers (${split})`);
  });
});
