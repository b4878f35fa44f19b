// The trace page drawn from provenance answers captured off a real indexer
// (test/frontend/fixtures/capture.ts): one card per step in stage order, one SVG link per
// provenance link, each step linked to its transaction page, and the URL as the subject.

import { readFileSync } from "node:fs";
import { screen, within } from "@testing-library/react";
import { userEvent } from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { formatBps, formatCarbon, formatEnergy, formatTime } from "../../frontend/src/lib/format.ts";
import TracePage from "../../frontend/src/pages/trace/index.tsx";
import { layoutProvenance, linkPath, STAGES } from "../../frontend/src/pages/trace/layout.ts";
import type { ProvenanceData } from "../../frontend/src/pages/trace/queries.ts";
import { repoFile } from "./paths.ts";
import { renderPage, stubNetwork } from "./render-page.tsx";

// jsdom has no canvas: a chart stands in as its text summary, which is what assistive tech gets anyway.
vi.mock("../../frontend/src/components/charts/UPlotChart.tsx", () => ({
  UPlotChart: ({ summary }: { summary: string }) => <div role="img" aria-label={summary} />,
  chartColor: () => "#888",
}));
vi.mock("uplot", () => ({ default: { paths: { bars: () => () => null } } }));

const fixture = (name: string): ProvenanceData =>
  JSON.parse(readFileSync(repoFile("test/frontend/fixtures", name), "utf8"));
const byDeal = fixture("provenance-deal.json");
const byBatch = fixture("provenance-batch.json");
const finalised = byDeal.provenance.steps.find((st) => st.stage === "DEAL")!.deal!;

/** An amount as a step's links name it ("75 kWh"). */
const spaced = ({ text, unit }: { text: string; unit: string }) => `${text} ${unit}`;

describe("trace page", () => {
  it("draws a deal's whole chain: a card per step, a link per provenance link, each step's transaction", async () => {
    const seen = stubNetwork({ graphql: { Provenance: byDeal } });
    const { container } = await renderPage(TracePage, { path: "/trace/deal/1", route: "/trace/:kind?/:id?" });

    const chain = await screen.findByRole("list", { name: "Provenance chain, from generation to retirement" });
    expect(seen.graphql).toContainEqual({ operation: "Provenance", variables: { dealId: "1" } });
    const cards = within(chain).getAllByRole("listitem");
    const steps = byDeal.provenance.steps;
    expect(cards).toHaveLength(steps.length);
    // Cards follow the chain's own order, device first, credit retirement last.
    expect(cards.map((c) => c.dataset.key)).toEqual(
      [...steps].sort((a, b) => STAGES.indexOf(a.stage) - STAGES.indexOf(b.stage)).map((s) => s.key),
    );

    for (const step of steps) {
      const card = cards.find((c) => c.dataset.key === step.key)!;
      const tx = within(card).getByRole("link", { name: /^Transaction 0x/ });
      expect(tx.getAttribute("href")).toBe(`/tx/${step.at.txHash}`);
    }

    const links = [...container.querySelectorAll("g.trace-link")].map(
      (g) => `${g.getAttribute("data-from")}>${g.getAttribute("data-to")}`,
    );
    expect(links.sort()).toEqual(byDeal.provenance.links.map((l) => `${l.from}>${l.to}`).sort());
    expect(screen.getByText("Complete chain")).toBeTruthy();
  });

  it("shows the deal's hours: energy needed, certificates of the same hour, metered and retired", async () => {
    stubNetwork({ graphql: { Provenance: byDeal } });
    await renderPage(TracePage, { path: "/trace/deal/1", route: "/trace/:kind?/:id?" });
    const card = (await screen.findByRole("heading", { name: `Deal #${finalised.id} hour by hour` })).closest(
      "section, article, div",
    )!;
    expect(
      within(card as HTMLElement).getByText(
        `${finalised.vcu} VCU for ${finalised.durationHours} hour(s); certificates from the same grid area, each counting only in the hour it was generated.`,
      ),
    ).toBeTruthy();
    // The share of the metered energy that certificates of the very same hour cover.
    const metered = finalised.hours.map((h) => BigInt(h.meteredWh!));
    const covered = finalised.hours.reduce((sum, h, i) => {
      const green = BigInt(h.greenWh);
      return sum + (green < metered[i] ? green : metered[i]);
    }, 0n);
    const share = formatBps((covered * 10_000n) / metered.reduce((a, b) => a + b), "en");
    const full = finalised.hours.filter((h, i) => BigInt(h.greenWh) >= metered[i]).length;
    const summary = `4 hour(s) from ${formatTime(finalised.start, "en", "UTC")}: certificates of the same hours cover ${share} of the metered energy; ${full} hour(s) fully green.`;
    expect(screen.getByRole("img", { name: summary })).toBeTruthy();
    const table = screen.getByRole("table", { name: `Hourly matching of deal #${finalised.id}` });
    expect(
      within(table)
        .getAllByRole("columnheader")
        .map((h) => h.textContent),
    ).toEqual(["Hour", "Energy needed", "Green certificates", "Metered", "Retired"]);
    expect(within(table).getAllByRole("row")).toHaveLength(5);
  });

  it("shows each step's key facts in the market's units", async () => {
    stubNetwork({ graphql: { Provenance: byDeal } });
    await renderPage(TracePage, { path: "/trace/deal/1", route: "/trace/:kind?/:id?" });
    const chain = await screen.findByRole("list", { name: /Provenance chain/ });
    const card = (key: string) =>
      within(chain)
        .getAllByRole("listitem")
        .find((c) => c.dataset.key === key)!;

    // Device 1: a 10 MW wind farm; its batch generated what the deal's wind lots took, all retired for the deal.
    expect(card("DEVICE:1").textContent).toContain("10 MW");
    expect(card("DEVICE:1").textContent).toContain("Wind");
    const batch = byDeal.provenance.steps.find((s) => s.key === "CERTIFICATE_BATCH:1")!.batch!;
    expect(card("CERTIFICATE_BATCH:1").textContent).toContain(spaced(formatEnergy(BigInt(batch.issuedWh), "en", 3)));
    const usage = byDeal.provenance.steps.find((s) => s.stage === "USAGE_REPORT")!.usageReport!;
    const report = card(`USAGE_REPORT:${finalised.id}`).textContent!;
    expect(report).toContain(usage.vcuDelivered);
    expect(report).toContain(spaced(formatEnergy(BigInt(usage.whConsumed), "en", 3)));
    const retirement = byDeal.provenance.steps.find((s) => s.stage === "RETIREMENT")!;
    expect(card(retirement.key).textContent).toContain(
      spaced(formatEnergy(BigInt(retirement.retirement!.wh), "en", 3)),
    );
    // Credits: gCO2e as kg.
    const creditRetirement = byDeal.provenance.steps.find((s) => s.stage === "CREDIT_RETIREMENT")!;
    expect(card(creditRetirement.key).textContent).toContain(
      spaced(formatCarbon(BigInt(creditRetirement.creditRetirement!.amount), "en")),
    );
    expect(card(creditRetirement.key).textContent).toContain("scope 2 offset");
    // The deal is fed by two energy offers (wind, then solar); its card says so with the Wh of each one's lots.
    const fed = (offer: string) => {
      const link = byDeal.provenance.links.find((l) => l.from === offer && l.to === `DEAL:${finalised.id}`)!;
      return spaced(formatEnergy(BigInt(link.quantity!), "en", 3)).replace(".", "\\.");
    };
    expect(card(`DEAL:${finalised.id}`).textContent).toMatch(
      new RegExp(`From.*Energy offer 1 \\(${fed("ENERGY_OFFER:1")}\\).*Energy offer 2 \\(${fed("ENERGY_OFFER:2")}\\)`),
    );
  });

  it("fans a batch out to every deal it fed, links re-root the trace, and the chain is ordered by stage", async () => {
    stubNetwork({ graphql: { Provenance: byBatch } });
    await renderPage(TracePage, { path: "/trace/batch/1", route: "/trace/:kind?/:id?" });
    const chain = await screen.findByRole("list", { name: /Provenance chain/ });
    const deals = within(chain).getAllByRole("link", { name: /^Deal \d+$/ });
    expect(deals.map((d) => d.getAttribute("href")).sort()).toEqual(["/trace/deal/1", "/trace/deal/2"]);

    // Both deals share one row, side by side; the single cards of the other rows sit centred above and below.
    const layout = layoutProvenance(byBatch.provenance);
    expect(layout.columns).toBe(2);
    const dealNodes = layout.nodes.filter((n) => n.stage === "DEAL");
    expect(dealNodes.map((n) => [n.row, n.gridColumn])).toEqual([
      [3, 1],
      [3, 3],
    ]);
    expect(layout.nodes.find((n) => n.stage === "ENERGY_OFFER")!.gridColumn).toBe(2);
  });

  it("marks the stages a running deal has not reached", () => {
    const running = {
      steps: byDeal.provenance.steps.filter((s) =>
        ["DEVICE", "CERTIFICATE_BATCH", "ENERGY_OFFER", "DEAL"].includes(s.stage),
      ),
      links: byDeal.provenance.links.filter((l) => !/^(USAGE_REPORT|RETIREMENT|CREDIT)/.test(l.to)),
      missing: ["USAGE_REPORT", "RETIREMENT", "CREDIT_MINT", "CREDIT_RETIREMENT"] as const,
    };
    const layout = layoutProvenance({ ...running, missing: [...running.missing] });
    expect(layout.nodes.filter((n) => n.missing).map((n) => n.stage)).toEqual([
      "USAGE_REPORT",
      "RETIREMENT",
      "CREDIT_MINT",
      "CREDIT_RETIREMENT",
    ]);
    // A dashed link hangs the first missing stage under the deal.
    expect(layout.links).toContainEqual({ from: "DEAL:1", to: "USAGE_REPORT:missing", pending: true });
  });

  it("draws a link from the bottom of one card to the top of the next", () => {
    const { path, mid } = linkPath(
      { left: 0, top: 0, width: 200, height: 100 },
      { left: 300, top: 160, width: 200, height: 80 },
    );
    expect(path).toBe("M100,100 C100,130 400,130 400,160");
    expect(mid).toEqual({ x: 250, y: 130 });
  });

  it("opens a trace from the search box and says what a valid id looks like", async () => {
    stubNetwork({ graphql: { Provenance: byBatch } });
    const { router } = await renderPage(TracePage, { path: "/trace", route: "/trace/:kind?/:id?" });
    const user = userEvent.setup();
    const search = await screen.findByRole("search", { name: "Open a trace" });
    await user.selectOptions(within(search).getByRole("combobox", { name: "Trace a" }), "batch");
    await user.type(within(search).getByRole("textbox", { name: "Id" }), "x1");
    await user.click(within(search).getByRole("button", { name: "Trace" }));
    expect(within(search).getByText("A certificate batch number, e.g. 3.")).toBeTruthy();
    expect(router.state.location.pathname).toBe("/trace");

    await user.clear(within(search).getByRole("textbox", { name: "Id" }));
    await user.type(within(search).getByRole("textbox", { name: "Id" }), "1{Enter}");
    expect(router.state.location.pathname).toBe("/trace/batch/1");
    expect(await screen.findByRole("list", { name: /Provenance chain/ })).toBeTruthy();
  });

  it("reads in Chinese", async () => {
    stubNetwork({ graphql: { Provenance: byDeal } });
    await renderPage(TracePage, { path: "/trace/deal/1", route: "/trace/:kind?/:id?", language: "zh-CN" });
    const chain = await screen.findByRole("list", { name: "从发电到注销的溯源链" });
    expect(within(chain).getByRole("heading", { name: "发电设备 1" })).toBeTruthy();
    expect(within(chain).getAllByText("能源类型").length).toBeGreaterThan(0);
    expect(screen.getByText("完整链条")).toBeTruthy();
  });

  it("says so when the indexer knows no such subject", async () => {
    stubNetwork({
      graphql: { Provenance: { errors: [{ message: "no deal 42", extensions: { code: "NOT_FOUND" } }] } },
    });
    await renderPage(TracePage, { path: "/trace/deal/42", route: "/trace/:kind?/:id?" });
    expect((await screen.findByRole("alert")).textContent).toMatch(/knows no such deal/);
  });
});
