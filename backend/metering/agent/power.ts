// Where a compute site's power reading comes from, best first: NVIDIA's nvidia-smi (the GPUs'
// board power), Linux RAPL (/sys/class/powercap, CPU packages), or a simulated GPU cluster.
// docs/metering.md, "The metering agent".
import { execFile } from "node:child_process";
import { accessSync, constants, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** A live power source: watts right now. */
export type PowerReader = { source: "nvidia-smi" | "rapl"; read(): Promise<number> };
/** A simulated source is a pure function of time, so it can also fill a past window (the demo). */
export type PowerProfile = { source: "simulated"; at(t: number): number };
export type PowerSource = PowerReader | PowerProfile;

/** The executable `name` on `PATH`, or undefined. */
export function onPath(name: string, pathVar = process.env.PATH ?? ""): string | undefined {
  for (const dir of pathVar.split(path.delimiter)) {
    if (dir === "") continue;
    const file = path.join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Sums power.draw over every GPU nvidia-smi lists; a GPU reporting "[N/A]" makes the reading fail. */
export function nvidiaSmiReader(executable: string): PowerReader {
  return {
    source: "nvidia-smi",
    async read() {
      const { stdout } = await run(executable, ["--query-gpu=power.draw", "--format=csv,noheader,nounits"], {
        timeout: 5_000,
      });
      const lines = stdout
        .split("\n")
        .map((l) => l.trim())
        .filter((l) => l !== "");
      const watts = lines.map(Number);
      if (lines.length === 0 || watts.some((w) => !Number.isFinite(w) || w < 0)) {
        throw new Error(`nvidia-smi gave no usable power.draw: ${JSON.stringify(stdout.slice(0, 200))}`);
      }
      return watts.reduce((a, b) => a + b, 0);
    },
  };
}

/**
 * RAPL's package domains (intel-rapl:N, not their sub-zones): energy counters in µJ, power being the
 * difference between two reads over the time between them. Undefined when none is readable.
 */
export function raplReader(root = "/sys/class/powercap"): PowerReader | undefined {
  let zones: string[];
  try {
    zones = readdirSync(root)
      .filter((z) => /^intel-rapl:\d+$/.test(z))
      .map((z) => path.join(root, z));
    for (const zone of zones) readFileSync(path.join(zone, "energy_uj"), "utf8");
  } catch {
    return undefined;
  }
  if (zones.length === 0) return undefined;
  const counter = (zone: string) => Number(readFileSync(path.join(zone, "energy_uj"), "utf8").trim());
  const range = (zone: string) => {
    try {
      return Number(readFileSync(path.join(zone, "max_energy_range_uj"), "utf8").trim());
    } catch {
      return 2 ** 32;
    }
  };
  let last = { at: performance.now(), uj: zones.map(counter) };
  return {
    source: "rapl",
    async read() {
      const now = { at: performance.now(), uj: zones.map(counter) };
      const seconds = (now.at - last.at) / 1000;
      // A counter that wrapped since the last read starts again from zero.
      const joules = now.uj.reduce((sum, uj, i) => {
        const delta = uj >= last.uj[i] ? uj - last.uj[i] : uj + range(zones[i]) - last.uj[i];
        return sum + delta / 1e6;
      }, 0);
      last = now;
      return seconds > 0 ? joules / seconds : 0;
    },
  };
}

/** A stable pseudo-random number in [0, 1) for second `t` (no state, so any second can be replayed). */
function noise(t: number, seed: number): number {
  let x = (Math.imul(t ^ seed, 0x9e3779b1) ^ (t >>> 16)) >>> 0;
  x = Math.imul(x ^ (x >>> 15), 0x85ebca6b) >>> 0;
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35) >>> 0;
  return ((x ^ (x >>> 16)) >>> 0) / 2 ** 32;
}

export type SimulatedClusterOptions = {
  /** The cluster's IT load at full training power, watts. */
  peakWatts: number;
  /** Different sites swing differently. */
  seed?: number;
  /** Hours east of UTC where the solar panels are (default 8, China). */
  utcOffsetHours?: number;
};

/**
 * A GPU training cluster as its grid meter sees it: load swinging with training steps and dipping
 * for checkpoints, a battery that shaves peaks above 85% of peak and recharges in the dips, and
 * solar behind the meter by day. What is metered is the grid draw (load − solar − battery), never
 * below zero: export is not consumption.
 *
 * @example simulatedCluster({ peakWatts: 400_000 }).at(1_767_225_600) // watts at that second
 */
export function simulatedCluster({ peakWatts, seed = 1, utcOffsetHours = 8 }: SimulatedClusterOptions): PowerProfile {
  return {
    source: "simulated",
    at(t: number): number {
      const phase = ((t % 1_800) + 1_800) % 1_800;
      const checkpoint = phase < 120;
      const swing = 0.12 * Math.sin((2 * Math.PI * t) / 600) + 0.05 * Math.sin((2 * Math.PI * t) / 97);
      const load = peakWatts * (checkpoint ? 0.4 : 0.82 + swing + 0.04 * (noise(t, seed) - 0.5));
      const hour = (((t / 3_600 + utcOffsetHours) % 24) + 24) % 24;
      const solar = hour > 6 && hour < 18 ? 0.2 * peakWatts * Math.sin((Math.PI * (hour - 6)) / 12) : 0;
      const cap = 0.85 * peakWatts;
      const battery = load > cap ? -Math.min(load - cap, 0.15 * peakWatts) : checkpoint ? 0.1 * peakWatts : 0;
      return Math.max(0, Math.round(load - solar + battery));
    },
  };
}

/**
 * The best source this machine has: nvidia-smi on PATH, else RAPL, else the simulated cluster.
 * @example const source = detectPowerSource({ peakWatts: 400_000 });
 */
export function detectPowerSource(
  simulated: SimulatedClusterOptions,
  env: { PATH?: string; powercap?: string } = {},
): PowerSource {
  const smi = onPath("nvidia-smi", env.PATH ?? process.env.PATH);
  if (smi !== undefined) return nvidiaSmiReader(smi);
  return raplReader(env.powercap) ?? simulatedCluster(simulated);
}
