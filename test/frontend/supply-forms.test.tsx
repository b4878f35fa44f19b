import { screen, waitFor, within } from "@testing-library/react";
import { userEvent } from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { toLocalDateTimeInput } from "../../frontend/src/lib/format.ts";
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
