// The dashboard from a `stats` answer captured off a real indexer (test/frontend/fixtures/capture.ts:
// two deals of one bid, one finalised with half its credits retired, one open): headline figures,
// the per-resource series the charts draw, and the window the range buttons ask for. The expected
// figures are read from the capture, so a recapture moves them with it.

import { readFileSync } from "node:fs";
import { screen, waitFor, within } from "@testing-library/react";
import { userEvent } from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { formatBps, formatCarbon, formatEnergy, formatToken } from "../../frontend/src/lib/format.ts";
import {
  candleVolume,
  fittingRange,
  headline,
  resourceSeries,
  windowStart,
} from "../../frontend/src/pages/dashboard/figures.ts";
import DashboardPage from "../../frontend/src/pages/dashboard/index.tsx";
import type { Candle, SpanData, StatsData } from "../../frontend/src/pages/dashboard/queries.ts";
import { repoFile } from "./paths.ts";
import { renderPage, stubNetwork } from "./render-page.tsx";

// jsdom has no canvas: the chart stands in as its text summary, which is what assistive tech gets anyway.
vi.mock("../../frontend/src/components/charts/UPlotChart.tsx", () => ({
  UPlotChart: ({ summary }: { summary: string }) => <div role="img" aria-label={summary} />,
  chartColor: () => "#888",
}));
vi.mock("uplot", () => ({ default: { paths: { bars: () => () => null } } }));

const fixture = (name: string) => JSON.parse(readFileSync(repoFile(`test/frontend/fixtures/${name}`), "utf8"));
const stats: StatsData = fixture("stats.json");
const span: SpanData = fixture("stats-span.json");
/** Compute prices per hardware class, as DashboardClassPrices answers them. */
const classPrices: Record<string, { stats: { priceHistory: Candle[] } }> = fixture("stats-class-prices.json");
const computePrices = classPrices["gpu-inference"].stats.priceHistory;

const captured = stats.stats;
const total = (resource: string) => captured.totals.find((t) => t.resource === resource)!;
/** Every resource's traded value, in token base units. */
const TRADED = captured.totals.reduce((sum, t) => sum + BigInt(t.value), 0n);
/** Token base units (6 decimals) as the charts' plain numbers. */
const tokens = (base: string) => Number(base) / 1e6;
const shown = ({ text, unit }: { text: string; unit: string }) => `${text}${unit}`;

const pricesOfClass = (v: Record<string, unknown>) => classPrices[v.hardwareClass as string];

/** The indexer's answers to the dashboard's queries (by operation name). */
const answers = (dashboard: StatsData = stats) => ({
  Dashboard: dashboard,
  DashboardSpan: span,
  DashboardClassPrices: pricesOfClass,
  ChainTime: { status: { chainTime: stats.status.chainTime } },
  DashboardRegionHours: regionHours,
});

/** Two hours of Gansu (3 kWh of green offered, 1 sold, 2.5 kWh needed) and one of Beijing (demand only). */
function regionHours(v: Record<string, unknown>) {
  const from = v.from as number;
  const hour = (region: number, start: number, greenOfferedWh: string, greenSoldWh: string, demandWh: string) => ({
    region,
    start: from + start,
    greenOfferedWh,
    greenSoldWh,
    demandWh,
  });
  return {
    regionHours: [
      hour(1, 3_600, "0", "0", "4000"),
      hour(7, 3_600, "2000", "1000", "1500"),
      hour(7, 7_200, "1000", "0", "1000"),
    ],
  };
}

// The page takes the later of chain time and the visitor's clock. The fixture was captured on a
// chain at a fixed time: put the visitor's clock before it, so the fixture's chain time decides the
// window the page asks for, today and in a year.
beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(new Date("2000-01-01T00:00:00Z"));
});
afterEach(() => vi.useRealTimers());

describe("dashboard figures", () => {
  it("adds up the headline figures exactly", () => {
    expect(headline(stats.stats)).toEqual({
      tradedValue: TRADED,
      dealsOpened: captured.deals.opened,
      dealsFinalized: captured.deals.finalized,
      vcuHours: BigInt(total("COMPUTE").quantity),
      greenShareBps: captured.greenShareBps,
      timeMatchedGreenBps: captured.timeMatchedGreenBps,
      contractedGreenShareBps: captured.contractedGreenShareBps,
      whRetired: BigInt(captured.whRetired),
      gCo2eAvoided: BigInt(captured.gCo2eAvoided),
      creditsRetired: BigInt(captured.creditsRetired),
    });
    // All three resources traded, so the sum is not any one of them.
    expect(captured.totals.every((t) => BigInt(t.value) > 0n && BigInt(t.value) < TRADED)).toBe(true);
  });

  it("turns buckets into chart series in display units (kWh and tokens per kWh for energy)", () => {
    const energy = resourceSeries(stats.stats.energyVolume, stats.stats.energyPrice, "ENERGY");
    expect(energy.x).toEqual([stats.stats.energyVolume[0].start]);
    // Wh → kWh; prices are base units per kWh.
    expect(energy.quantity).toEqual([Number(captured.energyVolume[0].quantity) / 1000]);
    expect(energy.value).toEqual([tokens(captured.energyVolume[0].value)]);
    expect(energy.close).toEqual([tokens(captured.energyPrice[0].close)]);
    expect(energy.high).toEqual([tokens(captured.energyPrice[0].high)]);
    const compute = resourceSeries(candleVolume(computePrices), computePrices, "COMPUTE");
    expect(compute.close).toEqual([tokens(computePrices[0].close)]);
    expect(compute.value).toEqual([tokens(total("COMPUTE").value)]);
  });

  it("puts every bucket of the window on the axis, quiet ones at zero volume and no price", () => {
    const start = stats.stats.computeVolume[0].start;
    const day = 86_400;
    const s = resourceSeries(stats.stats.computeVolume, computePrices, "COMPUTE", {
      from: start - 2 * day,
      to: start + day + 5,
      step: day,
    });
    expect(s.x).toEqual([start - 2 * day, start - day, start, start + day]);
    expect(s.value).toEqual([0, 0, tokens(total("COMPUTE").value), 0]);
    expect(s.close).toEqual([null, null, tokens(computePrices[0].close), null]);
  });

  it("opens on the shortest period that holds the whole history", () => {
    const now = span.status.chainTime!;
    const startedAgo = (seconds: number): SpanData => ({
      ...span,
      stats: { ...span.stats, computeVolume: [{ start: now - seconds }], energyVolume: [], bandwidthVolume: [] },
    });
    expect(fittingRange(startedAgo(3_600))).toBe("day");
    expect(fittingRange(startedAgo(3 * 86_400))).toBe("week");
    expect(fittingRange(startedAgo(20 * 86_400))).toBe("month");
    expect(fittingRange(startedAgo(90 * 86_400))).toBe("all");
    expect(fittingRange({ ...span, stats: { computeVolume: [], energyVolume: [], bandwidthVolume: [] } })).toBe(
      "month",
    );
  });

  it("starts a window on whole buckets so the query does not change every second", () => {
    expect(windowStart(90_000 + 59, 86_400, 3_600)).toBe(3_600);
    expect(windowStart(90_000 + 3_599, 86_400, 3_600)).toBe(3_600);
    expect(windowStart(90_000, null, 3_600)).toBeNull();
  });
});

describe("dashboard page", () => {
  it("shows the headline figures with their units and a chart per measure", async () => {
    stubNetwork({
      graphql: answers(),
      calls: { symbol: "USDC" },
    });
    await renderPage(DashboardPage, { path: "/dashboard", route: "/dashboard" });
    const figure = async (label: string) => (await screen.findByText(label)).nextElementSibling!.textContent;
    // The token's symbol is read from the chain, after the figures arrive.
    await waitFor(async () => expect(await figure("Traded value")).toBe(`${formatToken(TRADED, "en", 2)}USDC`));
    expect(await figure("Compute traded")).toBe(`${total("COMPUTE").quantity}VCU·h`);
    expect(await figure("Green share by volume")).toBe(formatBps(captured.greenShareBps!, "en"));
    // Beside it, the share certified in the very hours the energy was used.
    expect(await figure("Time-matched green share")).toBe(formatBps(captured.timeMatchedGreenBps!, "en"));
    expect(await figure("Certified energy retired")).toBe(shown(formatEnergy(BigInt(captured.whRetired), "en")));
    expect(await figure("CO₂e avoided")).toBe(shown(formatCarbon(BigInt(captured.gCo2eAvoided), "en")));
    expect(
      screen.getByText(`${captured.deals.opened} deals opened, ${captured.deals.finalized} finalised`),
    ).toBeTruthy();
    expect(
      screen.getByText(`${formatBps(captured.contractedGreenShareBps!, "en")} contracted at opening`),
    ).toBeTruthy();
    const computeValue = formatToken(BigInt(total("COMPUTE").value), "en");
    expect(
      screen.getByRole("img", { name: `Compute: ${computeValue} USDC traded; 1 of the periods shown had trades.` }),
    ).toBeTruthy();
    // Across classes, one price line per hardware class that traded.
    const computeClose = formatToken(BigInt(computePrices[0].close), "en");
    expect(
      screen.getByRole("img", { name: `Last close per hardware class: GPU, inference ${computeClose} USDC / VCU·h.` }),
    ).toBeTruthy();
  });

  it("opens on the period that fits the history and filters compute by hardware class", async () => {
    const seen = stubNetwork({ graphql: answers(), calls: { symbol: "USDC" } });
    await renderPage(DashboardPage, { path: "/dashboard", route: "/dashboard" });
    const periods = await screen.findByRole("group", { name: "Period" });
    // The fixture's history is a day and a bit old: the week, in hours, not a month of empty days.
    await waitFor(() =>
      expect(within(periods).getByRole("button", { name: "7 days" }).getAttribute("aria-pressed")).toBe("true"),
    );
    const user = userEvent.setup();
    await user.selectOptions(await screen.findByRole("combobox", { name: "Hardware class" }), "gpu-inference");
    expect(
      await screen.findByRole("img", {
        name: `Compute · GPU, inference: last close ${formatToken(BigInt(computePrices[0].close), "en")} USDC / VCU·h.`,
      }),
    ).toBeTruthy();
    const asked = seen.graphql
      .filter((g) => g.operation === "DashboardClassPrices")
      .map((g) => g.variables.hardwareClass);
    expect(new Set(asked)).toEqual(new Set(["cpu-general", "cpu-hpc", "gpu-inference", "gpu-training"]));
  });

  it("switches resource and period with buttons that say which is on", async () => {
    const seen = stubNetwork({
      graphql: answers(),
      calls: { symbol: "USDC" },
    });
    await renderPage(DashboardPage, { path: "/dashboard", route: "/dashboard" });
    const user = userEvent.setup();
    const resources = await screen.findByRole("group", { name: "Resource" });
    await user.click(within(resources).getByRole("button", { name: "Green power" }));
    expect(within(resources).getByRole("button", { name: "Green power" }).getAttribute("aria-pressed")).toBe("true");
    const energyClose = formatToken(BigInt(captured.energyPrice[0].close), "en");
    expect(screen.getByRole("img", { name: `Green power: last close ${energyClose} USDC / kWh.` })).toBeTruthy();

    await user.click(within(screen.getByRole("group", { name: "Period" })).getByRole("button", { name: "30 days" }));
    await waitFor(() =>
      expect(seen.graphql.filter((g) => g.operation === "Dashboard").at(-1)!.variables).toEqual({
        from: windowStart(stats.status.chainTime!, 30 * 86_400, 86_400),
        interval: "DAY",
      }),
    );
  });

  it("shows a region's green power against the demand of deals computing there, a day back to a day ahead", async () => {
    const seen = stubNetwork({ graphql: answers(), calls: { symbol: "USDC" } });
    await renderPage(DashboardPage, { path: "/dashboard", route: "/dashboard" });
    const card = (await screen.findByRole("heading", { name: "Green power and demand by hour" })).closest(
      "section",
    ) as HTMLElement;
    // It opens on the region offering the most green power in these hours.
    expect(
      await within(card).findByRole("img", {
        name: /^Gansu, .*: 3 kWh of green power offered, 1 kWh sold to deals, 2\.5 kWh needed by deals computing there\.$/,
      }),
    ).toBeTruthy();
    const region = within(card).getByRole("combobox", { name: "Region" }) as HTMLSelectElement;
    expect(region.value).toBe("7");
    await userEvent.setup().selectOptions(region, "1");
    expect(
      within(card).getByRole("img", {
        name: /^Beijing–Tianjin–Hebei, .*: 0 kWh of green power offered, 0 kWh sold to deals, 4 kWh needed/,
      }),
    ).toBeTruthy();
    // One question for every region: 48 whole hours around chain time.
    const asked = seen.graphql.filter((g) => g.operation === "DashboardRegionHours").map((g) => g.variables);
    const hour = Math.floor(stats.status.chainTime! / 3_600) * 3_600;
    expect(asked.at(-1)).toEqual({ from: hour - 86_400, to: hour + 86_400 });
  });

  it("says when a resource has no trades in the period", async () => {
    const empty = structuredClone(stats);
    empty.stats.bandwidthVolume = [];
    empty.stats.bandwidthPrice = [];
    stubNetwork({
      graphql: answers(empty),
      calls: { symbol: "USDC" },
    });
    await renderPage(DashboardPage, { path: "/dashboard", route: "/dashboard" });
    await userEvent
      .setup()
      .click(within(await screen.findByRole("group", { name: "Resource" })).getByRole("button", { name: "Bandwidth" }));
    expect(screen.getByText("No Bandwidth trades in this period.")).toBeTruthy();
  });
});
