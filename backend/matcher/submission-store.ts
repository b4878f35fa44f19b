// The matcher's memory of what it has broadcast, in one JSON file under the data folder, so that
// neither a second round nor a restart submits a match again. A submission is written (and synced
// to disk) before its transaction is broadcast, with the signed bytes, so after a crash the same
// transaction — same nonce, same hash — can be looked up or re-sent, never a new one.
import { mkdir, open, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";

import type { Hex } from "viem";
import { z } from "zod";

import { SKIP_REASONS, type SkipReason } from "../../protocol/orders.ts";
import { FatalChainError } from "../chain/errors.ts";

/**
 * pending: broadcast (or about to be), no receipt yet. mined: included, success. reverted: included,
 * reverted: nothing settled, so its matches may be cleared again. dropped: its nonce went to another
 * transaction, so it can never be included.
 */
export type SubmissionStatus = "pending" | "mined" | "reverted" | "dropped";

/** What one submitted match came to on chain. */
export type MatchOutcome = { key: string; dealId?: bigint; skipReason?: SkipReason };

export type Submission = {
  txHash: Hex;
  nonce: number;
  rawTransaction: Hex;
  matchKeys: string[];
  status: SubmissionStatus;
  /** Unix ms when it was recorded. */
  createdAt: number;
  blockNumber?: bigint;
  outcomes?: MatchOutcome[];
};

/** Statuses whose matches count as submitted: they have settled or still may. */
const HOLDS_KEYS: ReadonlySet<SubmissionStatus> = new Set(["pending", "mined"]);

export type OpenSubmissionStoreParameters = {
  /** The JSON file; its folder is created if missing. */
  file: string;
  /** How long finished submissions are kept, ms. Their keys name fill states that are long gone. */
  retainMs?: number;
  now?: () => number;
};

export class SubmissionStore {
  readonly file: string;
  readonly #retainMs: number;
  readonly #now: () => number;
  #submissions: Submission[];
  #keys = new Map<string, Submission>();

  private constructor(file: string, submissions: Submission[], retainMs: number, now: () => number) {
    this.file = file;
    this.#submissions = submissions;
    this.#retainMs = retainMs;
    this.#now = now;
    this.#reindex();
  }

  /**
   * Opens (or creates) the store and takes its lock: a second matcher on the same file would not
   * see the first one's pending transactions.
   *
   * @example
   * const store = await SubmissionStore.open({ file: ".data/matcher/submissions-31337-0xabc….json" })
   */
  static async open({
    file,
    retainMs = 7 * 24 * 3_600_000,
    now = Date.now,
  }: OpenSubmissionStoreParameters): Promise<SubmissionStore> {
    await mkdir(path.dirname(file), { recursive: true });
    await takeLock(`${file}.lock`);
    let submissions: Submission[] = [];
    try {
      submissions = StoredFile.parse(JSON.parse(await readFile(file, "utf8"))).submissions;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") {
        await rm(`${file}.lock`, { force: true });
        // Starting empty would forget pending transactions and could submit their matches again.
        throw new FatalChainError(`submission store ${file} is unreadable`, {
          details: (err as Error).message,
          cause: err,
        });
      }
    }
    return new SubmissionStore(file, submissions, retainMs, now);
  }

  /** Whether a match with this key was submitted and has settled or may still settle. */
  has(key: string): boolean {
    return this.#keys.has(key);
  }

  /** Submissions still waiting for a receipt, oldest nonce first. */
  pending(): Submission[] {
    return this.#submissions.filter((s) => s.status === "pending").sort((a, b) => a.nonce - b.nonce);
  }

  all(): readonly Submission[] {
    return this.#submissions;
  }

  /** Records a submission about to be broadcast; resolves once it is on disk. */
  async add(submission: Omit<Submission, "status" | "createdAt">): Promise<void> {
    const taken = submission.matchKeys.filter((k) => this.#keys.has(k));
    if (taken.length > 0) {
      throw new FatalChainError("refusing to submit matches already submitted", { details: taken.join("; ") });
    }
    this.#submissions.push({ ...submission, status: "pending", createdAt: this.#now() });
    await this.#save();
  }

  /** Records how a pending submission ended. */
  async finish(
    txHash: Hex,
    update: { status: Exclude<SubmissionStatus, "pending">; blockNumber?: bigint; outcomes?: MatchOutcome[] },
  ): Promise<void> {
    const submission = this.#submissions.find((s) => s.txHash === txHash);
    if (submission === undefined) throw new FatalChainError(`no submission ${txHash} in the store`);
    Object.assign(submission, update);
    await this.#save();
  }

  /** Releases the lock; the file stays. */
  async close(): Promise<void> {
    await rm(`${this.file}.lock`, { force: true });
  }

  async #save(): Promise<void> {
    const cutoff = this.#now() - this.#retainMs;
    this.#submissions = this.#submissions.filter((s) => s.status === "pending" || s.createdAt >= cutoff);
    this.#reindex();
    const body = { version: 1, submissions: this.#submissions };
    const tmp = `${this.file}.tmp`;
    const handle = await open(tmp, "w");
    try {
      await handle.writeFile(JSON.stringify(body, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 1));
      await handle.sync();
    } finally {
      await handle.close();
    }
    // rename is atomic: a crash leaves either the old file or the new one, never half of one.
    await rename(tmp, this.file);
  }

  #reindex(): void {
    this.#keys = new Map();
    for (const s of this.#submissions) if (HOLDS_KEYS.has(s.status)) for (const k of s.matchKeys) this.#keys.set(k, s);
  }
}

async function takeLock(lockFile: string): Promise<void> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(lockFile, String(process.pid), { flag: "wx" });
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const holder = Number((await readFile(lockFile, "utf8").catch(() => "")).trim());
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isAlive(holder)) {
        throw new FatalChainError(`another matcher (pid ${holder}) holds ${lockFile}`);
      }
      // Left behind by a process that died: take it over.
      await rm(lockFile, { force: true });
    }
  }
  throw new FatalChainError(`could not take ${lockFile}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

const hexString = z.string().regex(/^0x[0-9a-fA-F]*$/) as unknown as z.ZodType<Hex>;
const bigintString = z
  .string()
  .regex(/^[0-9]+$/)
  .transform(BigInt);
const StoredFile = z.object({
  version: z.literal(1),
  submissions: z.array(
    z.object({
      txHash: hexString,
      nonce: z.int().min(0),
      rawTransaction: hexString,
      matchKeys: z.array(z.string()),
      status: z.enum(["pending", "mined", "reverted", "dropped"]),
      createdAt: z.number(),
      blockNumber: bigintString.optional(),
      outcomes: z
        .array(
          z.object({ key: z.string(), dealId: bigintString.optional(), skipReason: z.enum(SKIP_REASONS).optional() }),
        )
        .optional(),
    }),
  ),
});
