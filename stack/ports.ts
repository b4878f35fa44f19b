// Free loopback ports for the stack's own services (and for tests that start servers).
//
// Asking the kernel for port 0 and closing the probe is not enough: Linux hands the same port out
// again to the next probe, and the ephemeral range it draws from is also where every outgoing
// connection takes its source port, so a probed port can be taken before the service binds it.
// Ports are therefore drawn at random from below the ephemeral range, never twice by one process,
// and each is checked by binding it for a moment.
import { readFileSync } from "node:fs";
import { createServer } from "node:net";

/** Never handed out twice by this process, even once closed. */
const handedOut = new Set<number>();

/** The lowest port of the kernel's ephemeral range (Linux), or IANA's 49152 elsewhere. */
function ephemeralLow(): number {
  try {
    const [low] = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/).map(Number);
    if (Number.isInteger(low) && low > 2048) return low;
  } catch {
    /* not Linux */
  }
  return 49_152;
}

const LOW = 10_000;

function canBind(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", () => resolve(false));
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

/** A port on `host` that nothing listens on now and that this process has not handed out before. */
export async function freePort(host = "127.0.0.1"): Promise<number> {
  const high = ephemeralLow();
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = LOW + Math.floor(Math.random() * Math.max(1, high - LOW));
    if (handedOut.has(port)) continue;
    if (await canBind(port, host)) {
      handedOut.add(port);
      return port;
    }
  }
  // A crowded range: fall back to the kernel's choice, still never repeating one.
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const probe = createServer();
      probe.once("error", reject);
      probe.listen(0, host, () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}
