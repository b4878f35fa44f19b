import { screen, waitFor, within } from "@testing-library/react";
import { userEvent } from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { formatTime, toLocalDateTimeInput } from "../../frontend/src/lib/format.ts";
import {
  dayStart,
  firstIssuableHour,
  presetAmounts,
  validateBandwidthOffer,
  validateComputeOffer,
  validateDevice,
  validateEnergyOffer,
  validateIssue,
} from "../../frontend/src/pages/supply/forms.ts";
import SupplyPage from "../../frontend/src/pages/supply/index.tsx";
import { renderInApp } from "./render.tsx";
import { renderPage, stubNetwork } from "./render-page.tsx";

// Minute-aligned, as datetime-local inputs carry no seconds.
const NOW = 1_899_999_960;
const HOUR = 3600;
/** NOW's hour: windows and certificate hours are whole hours. */
const H = Math.floor(NOW / HOUR) * HOUR;
const at = (t: number) => toLocalDateTimeInput(t);
const dayInput = (t: number) => at(t).slice(0, 10);

describe("hourly certificate rules", () => {
  // Three days back: a whole local day that has ended, right where the device's certificates stop.
  const day = dayInput(NOW - 3 * 86_400);
  const D = dayStart(day)!;
  const device = { id: "4", source: "solar", capacityW: "250000", commissionedAt: D - 100 * HOUR, issuedUntil: D };
  const hours = (amounts: (string | number)[]) => amounts.join(" ");
  const shape = [0, 0, 0, 0, 0, 0, 10, 50, 120, 200, 250, 250, 240, 180, 90, 20, 0, 0, 0, 0, 0, 0, 0, 0];

  it("issues a day's hours from its first to its last hour with energy, each at most capacity × 1 h", () => {
    const ok = validateIssue({ day, amounts: hours(shape) }, device, NOW);
    expect(ok.errors).toEqual({});
    expect(ok.params).toEqual({
      deviceId: 4n,
      firstHour: D + 6 * HOUR,
      whPerHour: [10_000n, 50_000n, 120_000n, 200_000n, 250_000n, 250_000n, 240_000n, 180_000n, 90_000n, 20_000n],
    });
    const over = validateIssue({ day, amounts: hours(shape.map((a, h) => (h === 12 ? "250.001" : a))) }, device, NOW);
    expect(over.errors).toEqual({ amounts: { key: "hourAboveCapacity", values: { hour: 12, maxWh: "250000" } } });
  });

  it("wants exactly 24 amounts, pasted from a column or a row, and some energy", () => {
    expect(validateIssue({ day, amounts: shape.slice(1).join("\n") }, device, NOW).errors).toEqual({
      amounts: { key: "hourCount", values: { count: 23, hours: 24 } },
    });
    expect(validateIssue({ day, amounts: shape.join("\t") }, device, NOW).params?.whPerHour).toHaveLength(10);
    expect(validateIssue({ day, amounts: hours(Array(24).fill(0)) }, device, NOW).errors).toEqual({
      amounts: { key: "allZero" },
    });
    expect(validateIssue({ day: "", amounts: hours(shape) }, device, NOW).errors).toEqual({
      day: { key: "dayMissing" },
    });
  });

  it("refuses hours already issued or not over yet", () => {
    const issued = { ...device, issuedUntil: D + 8 * HOUR };
    expect(validateIssue({ day, amounts: hours(shape) }, issued, NOW).errors).toEqual({
      amounts: { key: "overlapsIssued", values: { time: D + 8 * HOUR } },
    });
    expect(firstIssuableHour({ ...device, issuedUntil: null, commissionedAt: D + 90 })).toBe(D + HOUR);
    const tomorrow = dayInput(NOW + 86_400);
    expect(validateIssue({ day: tomorrow, amounts: hours(shape) }, device, NOW).errors).toEqual({
      amounts: { key: "hoursNotOver" },
    });
  });
});

describe("energy offer rules", () => {
  const day = dayInput(NOW + 86_400);
  const D = dayStart(day)!;
  const device = { id: "4", source: "solar", capacityW: "250000", commissionedAt: NOW - 100 * HOUR, issuedUntil: null };

  it("sells forward hours of a solar day shape, expiring by default when its last hour ends", () => {
    const amounts = presetAmounts("solar", 250_000n);
    expect(amounts).toHaveLength(24);
    const { errors, params } = validateEnergyOffer(
      { day, amounts: amounts.join(" "), reservePrice: "0.05", expiry: "" },
      device,
      NOW,
    );
    expect(errors).toEqual({});
    // Sunrise at 6, sunset at 18: twelve hours, the two around noon the strongest (80 % of capacity).
    expect(params!.firstHour).toBe(D + 6 * HOUR);
    expect(params!.whPerHour).toHaveLength(12);
    expect(params!.whPerHour[5]).toBe(params!.whPerHour[6]);
    expect(params!.whPerHour[5]).toBe(BigInt(Math.floor(250_000 * 0.8 * Math.sin((Math.PI * 5.5) / 12))));
    expect(params).toMatchObject({ deviceId: 4, reservePricePerKwh: 50_000n, expiry: D + 18 * HOUR });
  });

  it("blows wind all day, strongest around midnight", () => {
    const wind = presetAmounts("wind", 100_000n).map(Number);
    expect(wind.every((kwh) => kwh > 0)).toBe(true);
    expect(Math.max(...wind)).toBe(wind[0]);
    expect(Math.min(...wind)).toBe(wind[12]);
  });

  it("refuses hours that are over and an expiry after them", () => {
    const amounts = presetAmounts("wind", 100_000n).join(" ");
    const past = dayInput(NOW - 3 * 86_400);
    expect(validateEnergyOffer({ day: past, amounts, reservePrice: "0.05", expiry: "" }, device, NOW).errors).toEqual({
      amounts: { key: "hoursPast" },
    });
    const late = validateEnergyOffer({ day, amounts, reservePrice: "0.05", expiry: at(D + 25 * HOUR) }, device, NOW);
    expect(late.errors).toEqual({ expiry: { key: "expiryAfterHours" } });
  });
});

describe("offer rules", () => {
  it("sells VCU per hour over a whole-hour window, reads PUE as thousandths and refuses one below 1", () => {
    const form = {
      hardwareClass: "gpu-training",
      region: "4",
      windowStart: at(H + HOUR),
      windowEnd: at(H + 25 * HOUR),
      vcu: "8",
      reservePrice: "0.8",
      whPerVcuHour: "300",
      pue: "1.25",
      expiry: "",
    };
    expect(validateComputeOffer(form, NOW).params).toEqual({
      hardwareClass: 3,
      region: 4,
      windowStart: H + HOUR,
      windowEnd: H + 25 * HOUR,
      vcu: 8,
      reservePricePerVcuHour: 800_000n,
      whPerVcuHour: 300,
      pueMilli: 1250,
      expiry: H + 25 * HOUR,
    });
    expect(validateComputeOffer({ ...form, pue: "0.9" }, NOW).errors).toEqual({
      pue: { key: "atLeast", values: { min: "1.000" } },
    });
    expect(validateComputeOffer({ ...form, vcu: "0", windowStart: at(H + HOUR + 60) }, NOW).errors).toEqual({
      vcu: { key: "atLeast", values: { min: "1" } },
      windowStart: { key: "notOnHour" },
    });
    expect(validateComputeOffer({ ...form, windowEnd: at(H + HOUR + 745 * HOUR) }, NOW).errors).toEqual({
      windowEnd: { key: "windowTooLong", values: { max: 744 } },
    });
  });

  it("wants a link between two different regions", () => {
    const { errors } = validateBandwidthOffer(
      {
        fromRegion: "2",
        toRegion: "2",
        mbps: "1000",
        latencyMs: "30",
        windowStart: at(H + HOUR),
        windowEnd: at(H + 2 * HOUR),
        reservePrice: "0.002",
        expiry: at(H + 3 * HOUR),
      },
      NOW,
    );
    expect(errors).toEqual({ toRegion: { key: "sameRegion" }, expiry: { key: "expiryAfterEnd" } });
  });

  it("reads a device's capacity in kW to whole watts and refuses a future commissioning", () => {
    expect(
      validateDevice(
        { source: "wind", region: "4", capacityKw: "2,500.5", commissionedAt: at(NOW - HOUR), metadataUri: " " },
        NOW,
      ).params,
    ).toEqual({
      source: 1,
      region: 4,
      capacityW: 2_500_500n,
      commissionedAt: NOW - HOUR,
      metadataUri: "",
    });
    expect(
      validateDevice(
        { source: "wind", region: "4", capacityKw: "1", commissionedAt: at(NOW + HOUR), metadataUri: "" },
        NOW,
      ).errors,
    ).toEqual({
      commissionedAt: { key: "commissionedFuture" },
    });
  });
});

describe("supply page", () => {
  it("opens on the demo role's tab and names the wrong fields of an offer before signing", async () => {
    const user = userEvent.setup();
    localStorage.setItem("ccex.wallet", JSON.stringify({ kind: "demo", role: "networkSupplier" }));
    await renderInApp(<SupplyPage />, { path: "/supply" });
    expect(await screen.findByRole("tab", { name: "Bandwidth offers", selected: true })).toBeTruthy();
    const form = screen.getByRole("form", { name: "Post a bandwidth offer" });
    const submit = within(form).getByRole("button", { name: "Post bandwidth offer" });
    await waitFor(() => expect(submit.hasAttribute("disabled")).toBe(false));
    await user.click(submit);
    const items = within(within(form).getByRole("alert"))
      .getAllByRole("listitem")
      .map((li) => li.textContent);
    expect(items).toEqual([
      "From region: Choose a region.",
      "To region: Choose a region.",
      "Bandwidth: Enter a value.",
      "Guaranteed latency: Enter a value.",
      "Reserve price per Mbps-hour: Enter a value.",
    ]);
    expect(within(form).getByRole("combobox", { name: "From region" }).getAttribute("aria-invalid")).toBe("true");
  });

  it("switches tabs with the arrow keys and shows the energy forms", async () => {
    const user = userEvent.setup();
    await renderInApp(<SupplyPage />, { path: "/supply" });
    (await screen.findByRole("tab", { name: "Compute offers" })).focus();
    await user.keyboard("{ArrowLeft}");
    expect(screen.getByRole("tab", { name: "Green power", selected: true })).toBeTruthy();
    expect(screen.getByRole("form", { name: "Register a generation device" })).toBeTruthy();
    expect(screen.getByRole("textbox", { name: "Capacity" })).toBeTruthy();
  });
});

describe("the supplier's capacity calendar and day shapes", () => {
  it("lays the offers' hours out as days × hours: free, partly sold, sold out or not offered", async () => {
    // One compute offer of 10 VCU over the calendar's first day: 4 VCU sold from 8:00, all of it from 16:00.
    const offerHours = ({ from }: Record<string, unknown>) => ({
      orders: {
        nodes: [
          {
            id: "3",
            hours: Array.from({ length: 24 }, (_, h) => {
              const used = h < 8 ? 0 : h < 16 ? 4 : 10;
              return {
                start: (from as number) + h * HOUR,
                capacity: "10",
                used: String(used),
                free: String(10 - used),
              };
            }),
          },
        ],
      },
    });
    const seen = stubNetwork({
      graphql: {
        OwnOrders: { orders: { nodes: [] } },
        OwnOfferHours: offerHours,
      },
    });
    await renderPage(SupplyPage, { path: "/supply?tab=compute", route: "/supply", as: "computeSupplier" });
    const table = await screen.findByRole("table", { name: "Your capacity, hour by hour" });
    const asked = seen.graphql.find((q) => q.operation === "OwnOfferHours")!.variables;
    // A week of local days from today's midnight.
    expect((asked.to as number) - (asked.from as number)).toBe(7 * 86_400);
    expect(asked.from).toBe(dayStart(dayInput(Math.floor(Date.now() / 1000))));
    const rows = within(table).getAllByRole("row").slice(1);
    expect(rows).toHaveLength(7);
    const levels = (row: HTMLElement) => [...row.querySelectorAll("td")].map((c) => c.getAttribute("data-level"));
    await waitFor(() => expect(levels(rows[0])[0]).toBe("free"));
    expect(levels(rows[0])).toEqual([...Array(8).fill("free"), ...Array(8).fill("partly"), ...Array(8).fill("full")]);
    expect(new Set(levels(rows[1]))).toEqual(new Set(["none"]));
    const nine = rows[0].querySelectorAll("td")[9];
    expect(nine.getAttribute("title")).toBe(
      `${formatTime((asked.from as number) + 9 * HOUR, "en")}: 4 VCU of 10 VCU sold, 6 VCU free`,
    );
    // The same words for assistive tech inside the cell.
    expect(nine.textContent).toBe(nine.getAttribute("title"));
  });

  it("fills a device's day from the solar preset and says which hours it offers", async () => {
    const D = dayStart(dayInput(Math.floor(Date.now() / 1000) + 86_400))!;
    stubNetwork({
      graphql: {
        OwnOrders: { orders: { nodes: [] } },
        OwnOfferHours: { orders: { nodes: [] } },
        Holdings: { account: { certificates: [] } },
        OwnDevices: {
          devices: {
            nodes: [
              {
                id: "5",
                source: "solar",
                region: 7,
                capacityW: "100000",
                commissionedAt: 1_700_000_000,
                status: "APPROVED",
                issuedWh: "0",
                issuedUntil: null,
                batchCount: 0,
              },
            ],
          },
        },
      },
    });
    const user = userEvent.setup();
    await renderPage(SupplyPage, { path: "/supply?tab=energy", route: "/supply", as: "energySupplier" });
    await user.click(await screen.findByText("Offer hours", { selector: "button", exact: false }));
    const form = screen.getByRole("form", { name: "Offer green power of device 5" });
    expect((within(form).getByLabelText("Day") as HTMLInputElement).value).toBe(dayInput(D));
    await user.click(within(form).getByRole("button", { name: "Solar day shape" }));
    const amounts = within(form).getByRole("textbox", { name: "Energy per hour (24 hours)" }) as HTMLTextAreaElement;
    expect(amounts.value.split(" ")).toEqual(presetAmounts("solar", 100_000n));
    expect(within(form).getByText(/^24 of 24 amounts, hour 0 first/)).toBeTruthy();
    await user.type(within(form).getByRole("textbox", { name: "Reserve price per kWh" }), "0.05");
    expect(
      within(form).getByText(`12 hour(s) from ${formatTime(D + 6 * HOUR, "en")}, 612.898 kWh in all.`),
    ).toBeTruthy();
  });
});
