import { screen, waitFor, within } from "@testing-library/react";
import { userEvent } from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { toLocalDateTimeInput } from "../../frontend/src/lib/format.ts";
import {
  maxIssuableWh,
  validateBandwidthOffer,
  validateComputeOffer,
  validateDevice,
  validateIssue,
} from "../../frontend/src/pages/supply/forms.ts";
import SupplyPage from "../../frontend/src/pages/supply/index.tsx";
import { renderInApp } from "./render.tsx";

// Minute-aligned, as datetime-local inputs carry no seconds.
const NOW = 1_899_999_960;
const HOUR = 3600;
const at = (t: number) => toLocalDateTimeInput(t);

describe("certificate batch rules", () => {
  const device = { id: "4", capacityW: "250000", commissionedAt: NOW - 100 * HOUR, issuedUntil: NOW - 10 * HOUR };

  it("allows at most capacity × hours, rounded down like the registry", () => {
    expect(maxIssuableWh(250_000n, 0, 2 * HOUR)).toBe(500_000n);
    expect(maxIssuableWh(1_000n, 0, 1)).toBe(0n);
    const ok = validateIssue(
      { periodStart: at(NOW - 10 * HOUR), periodEnd: at(NOW - 8 * HOUR), kwh: "500" },
      device,
      NOW,
    );
    expect(ok.errors).toEqual({});
    expect(ok.params).toEqual({ deviceId: 4n, periodStart: NOW - 10 * HOUR, periodEnd: NOW - 8 * HOUR, wh: 500_000n });
    const over = validateIssue(
      { periodStart: at(NOW - 10 * HOUR), periodEnd: at(NOW - 8 * HOUR), kwh: "500.001" },
      device,
      NOW,
    );
    expect(over.errors).toEqual({ kwh: { key: "aboveCapacity", values: { maxWh: "500000" } } });
  });

  it("refuses periods that overlap issued certificates, are not over, or run backwards", () => {
    const { errors } = validateIssue(
      { periodStart: at(NOW - 11 * HOUR), periodEnd: at(NOW + HOUR), kwh: "1" },
      device,
      NOW,
    );
    expect(errors).toEqual({ periodStart: { key: "overlapsIssued" }, periodEnd: { key: "periodNotOver" } });
    const backwards = validateIssue(
      { periodStart: at(NOW - 5 * HOUR), periodEnd: at(NOW - 6 * HOUR), kwh: "1" },
      device,
      NOW,
    );
    expect(backwards.errors).toEqual({ periodEnd: { key: "endBeforeStart" } });
  });
});

describe("offer rules", () => {
  it("reads PUE as thousandths and refuses one below 1", () => {
    const form = {
      hardwareClass: "gpu-training",
      region: "4",
      windowStart: at(NOW + HOUR),
      windowEnd: at(NOW + 25 * HOUR),
      vcuHours: "500",
      reservePrice: "0.8",
      whPerVcuHour: "300",
      pue: "1.25",
      expiry: "",
    };
    expect(validateComputeOffer(form, NOW).params).toEqual({
      hardwareClass: 3,
      region: 4,
      windowStart: NOW + HOUR,
      windowEnd: NOW + 25 * HOUR,
      vcuHours: 500,
      reservePricePerVcuHour: 800_000n,
      whPerVcuHour: 300,
      pueMilli: 1250,
      expiry: NOW + 25 * HOUR,
    });
    expect(validateComputeOffer({ ...form, pue: "0.9" }, NOW).errors).toEqual({
      pue: { key: "atLeast", values: { min: "1.000" } },
    });
  });

  it("wants a link between two different regions", () => {
    const { errors } = validateBandwidthOffer(
      {
        fromRegion: "2",
        toRegion: "2",
        mbps: "1000",
        latencyMs: "30",
        windowStart: at(NOW),
        windowEnd: at(NOW + HOUR),
        reservePrice: "0.002",
        expiry: at(NOW + 2 * HOUR),
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
