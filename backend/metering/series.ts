// A deal's metered power series: what a sample is, and the rules every sample must satisfy before it
// is stored. The rules are one pure function so the API, the agent and the verifier judge alike.
// docs/metering.md, "Samples".

/** One power reading: unix seconds and the facility's grid draw in whole watts. */
export type Sample = { t: number; w: number };

/** Gaps up to this many seconds are bridged by the trapezoid rule; a longer gap makes a report impossible. */
export const MAX_GAP_SECONDS = 300;
/** No single site draws a gigawatt: a reading above this is a broken meter or a forged one. */
export const MAX_WATTS = 1_000_000_000;
/** Most samples one signed batch may carry (ten minutes at 1 Hz). */
export const MAX_BATCH_SAMPLES = 600;
/** How far ahead of the server's clock a sample may be stamped (clock skew between site and exchange). */
export const FUTURE_SKEW_SECONDS = 30;

/** The part of a deal the series is judged against. */
export type MeteredWindow = { windowStart: number; windowEnd: number };

/** Why one sample of a batch was refused: its index in the batch and what is wrong with it. */
export type SampleFault = { index: number; reason: SampleFaultReason; detail: string };
export type SampleFaultReason = "malformed" | "negative" | "absurd" | "out-of-window" | "future" | "late" | "duplicate";

/**
 * Checks a batch before anything of it is stored: every sample an integer second inside the deal's
 * window and not in the future, watts a non-negative integer up to {@link MAX_WATTS}, times strictly
 * increasing and after the last stored sample (`storedUntil`). A batch with any fault is refused
 * whole, so what is stored is always a strictly increasing series.
 *
 * @example
 * checkBatch([{ t: 100, w: 5 }], { windowStart: 0, windowEnd: 3600 }, null, 200) // → []
 */
export function checkBatch(
  samples: readonly Sample[],
  window: MeteredWindow,
  storedUntil: number | null,
  now: number,
): SampleFault[] {
  const faults: SampleFault[] = [];
  let previous = storedUntil;
  samples.forEach(({ t, w }, index) => {
    const fault = (reason: SampleFaultReason, detail: string) => faults.push({ index, reason, detail });
    if (!Number.isSafeInteger(t) || !Number.isFinite(w)) return fault("malformed", "t and w must be numbers");
    if (!Number.isInteger(w)) return fault("malformed", `w ${w} is not a whole number of watts`);
    if (w < 0) return fault("negative", `w ${w} is negative: the meter reads grid draw, never export`);
    if (w > MAX_WATTS) return fault("absurd", `w ${w} is above ${MAX_WATTS} W`);
    if (t < window.windowStart || t > window.windowEnd) {
      return fault("out-of-window", `t ${t} is outside the deal's window ${window.windowStart}–${window.windowEnd}`);
    }
    if (t > now + FUTURE_SKEW_SECONDS) return fault("future", `t ${t} is ahead of the exchange's clock (${now})`);
    if (previous !== null && t === previous) return fault("duplicate", `t ${t} is already metered`);
    if (previous !== null && t < previous) {
      return fault("late", `t ${t} is before ${previous}, the last metered second: the series only grows forward`);
    }
    previous = t;
  });
  return faults;
}
