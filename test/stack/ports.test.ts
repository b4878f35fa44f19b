// The stack's free-port picker: the kernel's port-0 probe hands the same port out twice in a row
// (two services of one stack collided that way), so the picker must not.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { describe, it } from "node:test";

import { freePort } from "../../stack/ports.ts";

describe("free loopback ports", () => {
  it("never hands out one port twice and draws below the kernel's ephemeral range", async () => {
    const ports = [];
    for (let i = 0; i < 200; i++) ports.push(await freePort());
    assert.equal(new Set(ports).size, ports.length);
    const low = Number(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]);
    for (const port of ports) assert.ok(port >= 10_000 && port < low, `${port} is outside [10000, ${low})`);
  });

  it("hands out a port that can be listened on", async () => {
    const port = await freePort();
    const server = createServer();
    await new Promise<void>((resolve, reject) => server.once("error", reject).listen(port, "127.0.0.1", resolve));
    await new Promise((resolve) => server.close(resolve));
  });
});
