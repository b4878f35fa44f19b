// CPU of a process's threads by name and of another process, read from /proc (Linux; elsewhere
// empty or NaN): on two shared cores the indexer's CPU beyond its sync loop's and database's threads
// (V8's helper threads: garbage collection, compiling JavaScript and PGlite's WebAssembly) and the
// node's CPU serving the logs compete with the backfill, so the benches print them.
import { readdirSync, readFileSync } from "node:fs";

export type ThreadTicks = Map<string, { name: string; ticks: number }>;

/**
 * CPU of this process's threads (`/proc/self/task/…/stat`, Linux; empty elsewhere), in clock ticks
 * of 1/100 s: the process's CPU beyond the sync loop's and the database's threads is V8's helpers
 * (garbage collection, compiling WebAssembly) and libuv's.
 */
export function threadsCpu(): ThreadTicks {
  const out: ThreadTicks = new Map();
  try {
    for (const tid of readdirSync("/proc/self/task")) {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
      out.set(tid, { name: stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")), ticks: statTicks(stat) });
    }
  } catch {
    // Not Linux: no breakdown.
  }
  return out;
}

/**
 * User + system CPU of a /proc `stat` line (a process's or a thread's), in clock ticks of 1/100 s:
 * after the command name come the fields from the 3rd (state) on; utime is the 14th, stime the 15th.
 */
export function statTicks(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]);
}

/** CPU seconds of a process so far (`/proc/PID/stat`, Linux; NaN elsewhere or without a pid). */
export function processCpuSeconds(pid: number | undefined): number {
  try {
    return statTicks(readFileSync(`/proc/${pid}/stat`, "utf8")) / 100;
  } catch {
    return Number.NaN;
  }
}

/** CPU seconds per thread name between two readings (threads that ended in between are left out). */
export function threadsCpuSince(before: ThreadTicks, after: ThreadTicks): Record<string, number> {
  const byName: Record<string, number> = {};
  for (const [tid, { name, ticks }] of after)
    byName[name] = (byName[name] ?? 0) + (ticks - (before.get(tid)?.ticks ?? 0)) / 100;
  for (const name in byName) byName[name] = Number(byName[name].toFixed(2));
  return byName;
}

/**
 * CPU seconds so far of a process and its children (Linux; NaN elsewhere): a PostgreSQL server's
 * postmaster and its backends. A child that has exited is no longer counted.
 */
export function processTreeCpuSeconds(pid: number): number {
  try {
    let ticks = 0;
    for (const entry of readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      let stat: string;
      try {
        stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      } catch {
        continue; // exited meanwhile
      }
      // After the command name: state, then the parent's pid.
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (Number(entry) === pid || ppid === pid) ticks += statTicks(stat);
    }
    return ticks / 100;
  } catch {
    return Number.NaN;
  }
}
