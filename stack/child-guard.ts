// Preloaded into every child of the stack (`node --import stack/child-guard.ts …`): the stack holds
// the write end of the child's stdin, so when the stack dies in any way (even SIGKILL) the pipe
// closes and the child stops itself instead of living on without its supervisor.
//
// `--import` preloads run in every worker thread too (the indexer's database thread), where
// process.stdin is the worker's own, empty stream that ends at once: only the main thread guards.
import { isMainThread } from "node:worker_threads";

if (isMainThread) {
  process.stdin.on("end", () => {
    process.kill(process.pid, "SIGTERM");
    // A child that ignores SIGTERM or hangs in its shutdown still goes.
    setTimeout(() => process.exit(1), 10_000).unref();
  });
  process.stdin.resume();
  // The guard must not by itself keep a child alive that would otherwise exit.
  (process.stdin as unknown as { unref?: () => void }).unref?.();
}
