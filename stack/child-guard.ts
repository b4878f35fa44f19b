// Preloaded into every child of the stack (`node --import stack/child-guard.ts …`): the stack holds
// the write end of the child's stdin, so when the stack dies in any way (even SIGKILL) the pipe
// closes and the child stops itself instead of living on without its supervisor.
process.stdin.on("end", () => {
  process.kill(process.pid, "SIGTERM");
  // A child that ignores SIGTERM or hangs in its shutdown still goes.
  setTimeout(() => process.exit(1), 10_000).unref();
});
process.stdin.resume();
// The guard must not by itself keep a child alive that would otherwise exit.
(process.stdin as unknown as { unref?: () => void }).unref?.();
