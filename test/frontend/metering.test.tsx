// A deal's metered energy on its trace page and the supplier's report form filled from the meter,
// with the metering service answered here as it answers (docs/metering.md, "Routes"): the badge
// says whether the series matches the on-chain report, each hour's Wh sits beside the certificate
// batches generated in it, and a series with gaps fills nothing in and says why.
import { readFileSync } from "node:fs";
import { act, screen, within } from "@testing-library/react";
import { userEvent } from "@testing-library/user-event";
import type uPlot from "uplot";
import { describe, expect, it, vi } from "vitest";

import { ReportUsageForm } from "../../frontend/src/pages/account/DealActions.tsx";
import { certificatesByHour, seriesPath, whToKwhText } from "../../frontend/src/pages/metering/api.ts";
import TracePage from "../../frontend/src/pages/trace/index.tsx";
import type { ProvenanceData } from "../../frontend/src/pages/trace/queries.ts";
import { repoFile } from "./paths.ts";
import { renderPage, stubNetwork } from "./render-page.tsx";

// jsdom has no canvas: a chart stands in as its text summary, and the last chart's options are kept
// so a test can drive the load curve's drag-to-zoom hook as uPlot would.
const charts = vi.hoisted(() => ({ options: [] as Omit<uPlot.Options, "width" | "height">[] }));
vi.mock("../../frontend/src/components/charts/UPlotChart.tsx", () => ({
  UPlotChart: ({ summary, options }: { summary: string; options: Omit<uPlot.Options, "width" | "height"> }) => {
    charts.options.push(options);
    return <div role="img" aria-label={summary} />;
  },
  chartColor: () => "#888",
}));
vi.mock("uplot", () => ({ default: { paths: { bars: () => () => null } } }));

const byDeal: ProvenanceData = JSON.parse(
  readFileSync(repoFile("test/frontend/fixtures", "provenance-deal.json"), "utf8"),
);
// The metered hours: the captured deal's last hour, whose certificates one batch of the capture holds,
// and the hour after the job, which none covers.
const captured = byDeal.provenance.steps.find((s) => s.stage === "DEAL")!.deal!;
const START = captured.start + (captured.durationHours - 1) * 3_600;
const lastHourBatch = byDeal.provenance.steps.find(
  (s) => s.batch !== null && s.batch!.periodStart <= START && START < s.batch!.periodEnd,
)!.batch!;
const ROOT = `0x${"cd".repeat(32)}`;

function series(matches: boolean | null) {
  return {
    dealId: "1",
    samples: 721,
    complete: true,
    root: ROOT,
    totalWh: 150_000,
    hours: [
      { start: START, wh: 90_500 },
      { start: START + 3_600, wh: 59_500 },
    ],
    gaps: [],
    windowStart: START,
    windowEnd: START + 7_200,
    computeSupplier: "0x90f79bf6eb2c4f870365e785982e1f101e93b906",
    storedUntil: START + 7_200,
    onChain:
      matches === null
        ? null
        : {
            vcuDelivered: "60",
            whConsumed: matches ? "150000" : "160000",
            meteringHash: matches ? ROOT : `0x${"ab".repeat(32)}`,
          },
    matchesOnChain: matches,
    downsampled: { bucketSeconds: 12 },
    series: Array.from({ length: 600 }, (_, i) => ({ t: START + 12 * i, w: 75_000 + i, min: 74_000, max: 76_000 + i })),
    next: null,
  };
}

async function renderTrace(answer: (url: URL) => { status?: number; body: unknown } | undefined) {
  const api = vi.fn(answer);
  stubNetwork({ graphql: { Provenance: byDeal }, api });
  await renderPage(TracePage, { path: "/trace/deal/1", route: "/trace/:kind?/:id?" });
  return api;
}

describe("a deal's metered energy", () => {
  it("says the series matches the on-chain report and puts each hour beside the certificates generated in it", async () => {
    const api = await renderTrace((url) => (url.pathname === "/api/metering/1" ? { body: series(true) } : undefined));
    const card = await screen.findByRole("region", { name: "Metered energy" });
    expect(await within(card).findByText("Matches the on-chain report")).toBeTruthy();
    const asked = new URL(api.mock.calls[0][0]);
    expect(asked.searchParams.get("points")).toBe("600");

    const table = await within(card).findByRole("table", {
      name: "Metered energy per hour with the certificate batches covering it",
    });
    const rows = within(table).getAllByRole("row").slice(1);
    expect(rows).toHaveLength(2);
    expect(rows[0].textContent).toMatch(/90\.5\s*kWh/);
    const source = lastHourBatch.source[0].toUpperCase() + lastHourBatch.source.slice(1);
    expect(rows[0].textContent).toContain(`#${lastHourBatch.id} (${source})`);
    expect(rows[1].textContent).toMatch(/59\.5\s*kWh/);
    expect(rows[1].textContent).toContain("none");
    expect(within(card).getByText(ROOT)).toBeTruthy();
    expect(
      within(card).getByRole("img", { name: /Load curve of the deal's metered power in 600 points/ }),
    ).toBeTruthy();
  });

  it("zooms by asking the service for the dragged stretch alone, and shows the whole window again", async () => {
    const api = await renderTrace((url) => (url.pathname === "/api/metering/1" ? { body: series(true) } : undefined));
    const card = await screen.findByRole("region", { name: "Metered energy" });
    await within(card).findByRole("img", { name: /Load curve/ });
    const setSelect = charts.options.findLast((o) => o.bands !== undefined)?.hooks?.setSelect?.[0];
    expect(setSelect).toBeTypeOf("function");
    // uPlot calls setSelect when a drag ends: pixels 100–300 are these seconds.
    const plot = {
      select: { left: 100, width: 200, top: 0, height: 0 },
      posToVal: (px: number) => START + px * 10,
      setSelect: vi.fn(),
    } as unknown as uPlot;
    await act(async () => setSelect?.(plot));
    const zoomed = api.mock.calls.map(([u]) => new URL(u)).find((u) => u.searchParams.has("from"))!;
    expect(zoomed.searchParams.get("from")).toBe(String(START + 1_000));
    expect(zoomed.searchParams.get("to")).toBe(String(START + 3_000));
    expect(zoomed.searchParams.get("points")).toBe("600");
    const user = userEvent.setup();
    await user.click(await within(card).findByRole("button", { name: "Show the whole window" }));
    expect(within(card).queryByRole("button", { name: "Show the whole window" })).toBeNull();
  });

  it("warns when the report on chain is not what the series gives", async () => {
    await renderTrace((url) => (url.pathname === "/api/metering/1" ? { body: series(false) } : undefined));
    const card = await screen.findByRole("region", { name: "Metered energy" });
    expect(await within(card).findByText("Does not match the on-chain report")).toBeTruthy();
    expect(within(card).getByRole("alert").textContent).toContain(`0x${"ab".repeat(32)}`);
  });

  it("says a deal not reported yet has no report to match it", async () => {
    await renderTrace((url) => (url.pathname === "/api/metering/1" ? { body: series(null) } : undefined));
    expect(await screen.findByText("No usage report on chain yet")).toBeTruthy();
  });

  it("says so when the exchange runs no metering service", async () => {
    await renderTrace(() => undefined);
    expect(await screen.findByText(/no metering service running/)).toBeTruthy();
  });
});

describe("the usage report form", () => {
  // A 10-VCU job of three hours from START, needing 25 kWh in each.
  const START = 1_796_356_800;
  const deal = {
    id: "7",
    vcu: 10,
    durationHours: 3,
    start: START,
    hours: [0, 1, 2].map((h) => ({
      start: START + h * 3600,
      vcu: 10,
      vcuDelivered: null,
      needWh: "25000",
      greenWh: "0",
      meteredWh: null,
      retiredWh: null,
    })),
  };

  async function renderForm(answer: { status?: number; body: unknown }) {
    const onSubmit = vi.fn();
    stubNetwork({ graphql: {}, api: (url) => (url.pathname === "/api/metering/7/report" ? answer : undefined) });
    await renderPage(() => <ReportUsageForm deal={deal} until={null} busy={false} onSubmit={onSubmit} />, {
      path: "/",
      route: "/",
    });
    return { onSubmit, user: userEvent.setup(), form: await screen.findByRole("form", { name: "Usage report" }) };
  }

  it("fills each job hour's energy and the metering root in from the meter's series", async () => {
    // The meter's hours, one outside the job: only the job's hours count, in order, a silent hour as 0.
    const hours = [
      { start: START - 3600, wh: 1_000 },
      { start: START, wh: 24_537 },
      { start: START + 7200, wh: 25_000 },
    ];
    const { onSubmit, user, form } = await renderForm({
      body: { dealId: "7", samples: 1_441, complete: true, root: ROOT, totalWh: 50_537, hours, gaps: [] },
    });
    await user.click(within(form).getByRole("button", { name: "Fill in from the meter" }));
    expect(await within(form).findByText(/Filled in from 1441 metered samples: 50\.537 kWh/)).toBeTruthy();
    const kwh = within(form).getByRole("textbox", { name: "Energy consumed per hour" }) as HTMLTextAreaElement;
    expect(kwh.value).toBe("24.537 0 25");
    expect((within(form).getByRole("textbox", { name: "Metering root" }) as HTMLInputElement).value).toBe(ROOT);
    await user.click(within(form).getByRole("button", { name: "Report usage" }));
    expect(onSubmit).toHaveBeenCalledWith({
      vcuPerHour: [10, 10, 10],
      whPerHour: [24_537n, 0n, 25_000n],
      meteringRoot: ROOT,
    });
  });

  it("fills nothing in from a series with gaps, and names them", async () => {
    const { onSubmit, user, form } = await renderForm({
      status: 409,
      body: {
        type: "/problems/series-incomplete",
        title: "Series incomplete",
        status: 409,
        detail: "deal 7's series has gaps no report can bridge: 1796356803–1796357403",
      },
    });
    await user.click(within(form).getByRole("button", { name: "Fill in from the meter" }));
    expect(await within(form).findByText(/not complete yet.*1796356803–1796357403/)).toBeTruthy();
    expect((within(form).getByRole("textbox", { name: "Energy consumed per hour" }) as HTMLInputElement).value).toBe(
      "",
    );
    expect(onSubmit).not.toHaveBeenCalled();
  });
});

describe("metering helpers", () => {
  it("writes whole Wh as exact kWh", () => {
    expect(whToKwhText(0)).toBe("0");
    expect(whToKwhText(150_000)).toBe("150");
    expect(whToKwhText(99_537)).toBe("99.537");
    expect(whToKwhText(1_050)).toBe("1.05");
    expect(whToKwhText(7)).toBe("0.007");
  });

  it("asks for a zoomed stretch in whole seconds, downsampled again", () => {
    expect(seriesPath("3", null)).toBe("3?points=600");
    expect(seriesPath("3", { from: 100.7, to: 200.2 }, 50)).toBe("3?points=50&from=100&to=201");
  });

  it("finds the batches whose generation period overlaps each hour, touching ends excluded", () => {
    const batches = [
      { id: "1", source: "wind", periodStart: 0, periodEnd: 3_600 },
      { id: "2", source: "solar", periodStart: 3_000, periodEnd: 4_000 },
    ];
    const covered = certificatesByHour(
      [
        { start: 0, wh: 1 },
        { start: 3_600, wh: 2 },
        { start: 7_200, wh: 3 },
      ],
      batches,
    );
    expect(covered.map((c) => c.batches.map((b) => b.id))).toEqual([["1", "2"], ["2"], []]);
  });
});
