// The metering agent a compute site runs for a deal: reads power once per interval, signs batches
// as the compute supplier, sends them with back-off, and never sends a sample twice: the samples it
// has read and the last second the service acknowledged live in a state file written before every
// send and after every answer, so a restart resumes exactly where it stopped.
// docs/metering.md, "The metering agent".
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";

import type { LocalAccount } from "viem";

import { backoffDelay } from "../../chain/retry.ts";
import { MAX_BATCH_SAMPLES, MAX_WATTS, type Sample } from "../series.ts";
import { type MeteringDomain, signBatch } from "../signature.ts";
import type { PowerSource } from "./power.ts";

/** What the agent keeps on disk. */
export type AgentState = { dealId: string; acknowledgedUntil: number | null; pending: [number, number][] };

/** The service refused the agent for good (wrong key, unknown deal, series closed): retrying cannot help. */
export class MeterAgentError extends Error {
  name = "MeterAgentError";
}

export type MeterAgentParameters = {
  dealId: bigint;
  /** Base URL of the API, e.g. http://127.0.0.1:8080. */
  api: string;
  account: LocalAccount;
  source: PowerSource;
  /** The EIP-712 domain; read from GET /api/metering/domain when omitted. */
  domain?: MeteringDomain;
  stateFile: string;
  /** Seconds between samples (1 = 1 Hz, the most the service takes). */
  intervalSeconds?: number;
  /** Samples per signed batch. */
  batchSize?: number;
  /** The deal's window: samples are taken only inside it. */
  window: { windowStart: number; windowEnd: number };
  clock?: () => number;
  sleep?: (ms: number) => Promise<void>;
  log?: (message: string, fields?: Record<string, unknown>) => void;
  /** Retries of one batch before the agent gives up on this round (it tries again next round). */
  maxRetries?: number;
};

export class MeterAgent {
  readonly #p: Required<Omit<MeterAgentParameters, "domain">> & { domain?: MeteringDomain };
  #state: AgentState;
  /** How many batches the service acknowledged since start. */
  acknowledged = 0;

  constructor(parameters: MeterAgentParameters) {
    this.#p = {
      intervalSeconds: 1,
      batchSize: 60,
      clock: () => Math.floor(Date.now() / 1000),
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      log: () => {},
      maxRetries: 8,
      ...parameters,
    };
    if (this.#p.batchSize < 1 || this.#p.batchSize > MAX_BATCH_SAMPLES) {
      throw new RangeError(`batchSize must be 1–${MAX_BATCH_SAMPLES}`);
    }
    this.#state = this.#load();
  }

  get state(): AgentState {
    return this.#state;
  }

  #load(): AgentState {
    const fresh: AgentState = { dealId: this.#p.dealId.toString(), acknowledgedUntil: null, pending: [] };
    if (!existsSync(this.#p.stateFile)) return fresh;
    const state = JSON.parse(readFileSync(this.#p.stateFile, "utf8")) as AgentState;
    if (state.dealId !== fresh.dealId) {
      throw new MeterAgentError(`${this.#p.stateFile} belongs to deal ${state.dealId}, not ${fresh.dealId}`);
    }
    return state;
  }

  #save(): void {
    // Written aside and renamed: a crash mid-write leaves the previous state, never half of one.
    const tmp = `${this.#p.stateFile}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.#state));
    renameSync(tmp, this.#p.stateFile);
  }

  /** The last second read (pending) or acknowledged: the next sample must come after it. */
  get #lastRead(): number | null {
    const last = this.#state.pending.at(-1);
    return last !== undefined ? last[0] : this.#state.acknowledgedUntil;
  }

  async #domain(): Promise<MeteringDomain> {
    if (this.#p.domain !== undefined) return this.#p.domain;
    const res = await fetch(new URL("/api/metering/domain", this.#p.api));
    if (!res.ok) throw new Error(`GET /api/metering/domain answered ${res.status}`);
    const { domain } = (await res.json()) as { domain: { chainId: number; verifyingContract: `0x${string}` } };
    this.#p.domain = { chainId: domain.chainId, market: domain.verifyingContract };
    return this.#p.domain;
  }

  /**
   * Takes one reading for second `t` (skipped when it is not after the last one, or unusable) and,
   * unless `save` is false, writes it to the state file before anything else happens.
   */
  async #take(t: number, save = true): Promise<void> {
    const last = this.#lastRead;
    if (last !== null && t <= last) return;
    const { source } = this.#p;
    let watts: number;
    try {
      watts = Math.round(source.source === "simulated" ? source.at(t) : await source.read());
    } catch (error) {
      this.#p.log("power reading failed", { t, error: (error as Error).message });
      return;
    }
    if (!(watts >= 0 && watts <= MAX_WATTS)) {
      this.#p.log("power reading out of range, not sent", { t, watts });
      return;
    }
    this.#state.pending.push([t, watts]);
    if (save) this.#save();
  }

  /** Sends every full batch (and, with `all`, the rest). Returns false when the service did not answer. */
  async flush(all = false): Promise<boolean> {
    while (this.#state.pending.length >= (all ? 1 : this.#p.batchSize)) {
      if (!(await this.#sendOne())) return false;
    }
    return true;
  }

  async #sendOne(): Promise<boolean> {
    const { dealId, account, api, maxRetries } = this.#p;
    const batch: Sample[] = this.#state.pending.slice(0, this.#p.batchSize).map(([t, w]) => ({ t, w }));
    const domain = await this.#domain();
    const signature = await signBatch(account, domain, dealId, batch);
    const body = JSON.stringify({ samples: batch.map((s) => [s.t, s.w]), signature });
    for (let attempt = 0; ; attempt++) {
      let res: Response | undefined;
      try {
        res = await fetch(new URL(`/api/metering/${dealId}/samples`, api), {
          method: "POST",
          headers: { "content-type": "application/json" },
          body,
          signal: AbortSignal.timeout(15_000),
        });
      } catch (error) {
        this.#p.log("send failed", { attempt, error: (error as Error).message });
      }
      if (res !== undefined && (res.status === 201 || res.status === 409 || res.status === 422)) {
        const until = res.headers.get("metering-stored-until");
        const storedUntil = until === null || until === "" ? null : Number(until);
        if (res.status === 409 && /reported/.test(await res.text())) {
          throw new MeterAgentError(`deal ${dealId} is reported: its series is closed`);
        }
        if (res.status === 422) this.#p.log("batch refused, dropped", { detail: await res.text() });
        // 201: stored. 409: what is stored already covers these seconds (an earlier send whose answer
        // was lost). 422: the service will never take them. Either way they are not sent again.
        const done = res.status === 422 ? batch[batch.length - 1].t : (storedUntil ?? batch[batch.length - 1].t);
        this.#state.acknowledgedUntil = Math.max(this.#state.acknowledgedUntil ?? done, done);
        this.#state.pending = this.#state.pending.filter(([t]) => t > done);
        this.#save();
        if (res.status === 201) this.acknowledged += 1;
        return true;
      }
      if (res !== undefined && [400, 401, 403, 404].includes(res.status)) {
        throw new MeterAgentError(`the service refused the agent: ${res.status} ${await res.text()}`);
      }
      if (attempt >= maxRetries) return false;
      await this.#p.sleep(backoffDelay(attempt, { baseDelayMs: 250, maxDelayMs: 30_000 }));
    }
  }

  /**
   * Meters until the window ends (or `signal` aborts): a simulated source first fills the seconds
   * of the window already past, at the interval, then every source reads live.
   */
  async run(signal?: AbortSignal): Promise<void> {
    const { window, intervalSeconds, clock, sleep } = this.#p;
    const resumeAt = () => {
      const last = this.#lastRead;
      return last === null ? window.windowStart : last + intervalSeconds;
    };
    if (this.#p.source.source === "simulated") {
      // The past of a simulated source can be read again at any time, so its readings are written to
      // the state file once per batch (before it is sent), not once per second.
      for (let t = resumeAt(); t <= Math.min(clock(), window.windowEnd) && !signal?.aborted; t += intervalSeconds) {
        await this.#take(t, false);
        if (this.#state.pending.length >= this.#p.batchSize) {
          this.#save();
          await this.flush();
        }
      }
      this.#save();
    }
    while (!signal?.aborted) {
      const now = clock();
      if (now > window.windowEnd) break;
      if (now >= window.windowStart) {
        await this.#take(now);
        await this.flush();
      }
      const wait = Math.max(resumeAt(), window.windowStart) - clock();
      await sleep(Math.max(wait, 0) * 1000 + 50);
    }
    await this.flush(true);
  }
}
