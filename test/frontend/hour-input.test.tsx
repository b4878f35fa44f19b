// The one field for a whole hour (Buy's earliest start and latest end, the compute and bandwidth
// offers' windows): it names the UTC hour a time stands for and says in words when it is not on the hour.
import { fireEvent, render, screen } from "@testing-library/react";
import { useState } from "react";
import { afterEach, describe, expect, it } from "vitest";

import { HourInput } from "../../frontend/src/components/HourInput.tsx";
import { readHourInput } from "../../frontend/src/lib/format.ts";

function Form({ initial, error = null }: { initial: string; error?: string | null }) {
  const [value, setValue] = useState(initial);
  return <HourInput label="Earliest start" hint="On the hour." error={error} value={value} onChange={setValue} />;
}

const zone = process.env.TZ;
afterEach(() => {
  process.env.TZ = zone;
});

describe("hour input", () => {
  it("reads a time on the hour as that UTC hour, and refuses an empty or half-typed one", () => {
    process.env.TZ = "UTC";
    expect(readHourInput("2026-12-06T14:00")).toEqual({ ok: true, hour: Date.UTC(2026, 11, 6, 14) / 1000 });
    expect(readHourInput("2026-12-06T14:30")).toEqual({ ok: false, error: "notOnHour" });
    expect(readHourInput("")).toEqual({ ok: false, error: "dateMissing" });
    expect(readHourInput("2026-12-06")).toEqual({ ok: false, error: "dateMissing" });
  });

  it("refuses a local :00 that is no whole UTC hour (a half-hour time zone)", () => {
    process.env.TZ = "Asia/Kolkata";
    expect(readHourInput("2026-12-06T14:00")).toEqual({ ok: false, error: "notOnHour" });
    expect(readHourInput("2026-12-06T14:30")).toEqual({ ok: true, hour: Date.UTC(2026, 11, 6, 9) / 1000 });
  });

  it("names the UTC hour it stands for under the field", () => {
    process.env.TZ = "UTC";
    render(<Form initial="2026-12-06T14:00" />);
    const input = screen.getByLabelText("Earliest start") as HTMLInputElement;
    expect(input.type).toBe("datetime-local");
    expect(input.step).toBe("3600");
    expect(input.getAttribute("aria-invalid")).toBe("false");
    expect(screen.getByText("On the hour. That is Dec 6, 2026, 14:00 UTC.")).toBeTruthy();
  });

  it("says in words which time is not on the hour, tied to the field for assistive tech", () => {
    process.env.TZ = "UTC";
    render(<Form initial="2026-12-06T14:00" error="The form's own message" />);
    const input = screen.getByLabelText("Earliest start") as HTMLInputElement;
    fireEvent.change(input, { target: { value: "2026-12-06T14:30" } });
    const message =
      "14:30 is not on the hour: the market trades whole UTC hours, so choose one with minutes :00 in UTC.";
    const shown = screen.getByText(message);
    expect(input.getAttribute("aria-invalid")).toBe("true");
    expect(input.getAttribute("aria-describedby")).toContain(shown.id);
    // The hour it would name is gone, and the form's message gives way to the one naming the time.
    expect(screen.queryByText(/That is/)).toBeNull();
    expect(screen.queryByText("The form's own message")).toBeNull();
  });

  it("shows the form's own message for an hour on the hour", () => {
    process.env.TZ = "UTC";
    render(<Form initial="2026-12-06T14:00" error="Latest end must be in the future." />);
    expect(screen.getByText("Latest end must be in the future.")).toBeTruthy();
    expect((screen.getByLabelText("Earliest start") as HTMLInputElement).getAttribute("aria-invalid")).toBe("true");
  });
});
