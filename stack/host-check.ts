// Which names the origin answers to. A page on any site can make a visitor's browser resolve its own
// name to 127.0.0.1 (DNS rebinding) and then read the stack as "same origin": the Host header is what
// gives it away, so a request for a name the stack does not serve is refused (docs/security.md,
// "The origin").
import { networkInterfaces } from "node:os";

const LOOPBACK_NAMES = ["localhost", "127.0.0.1", "::1"];

/** Whether `host` is a loopback interface (nobody else on the network can reach it). */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

function isWildcard(host: string): boolean {
  return host === "0.0.0.0" || host === "::" || host === "[::]";
}

/**
 * The host names (without port) the origin serves: loopback names, the bound address (every address
 * of the machine when bound to all), and the operator's ALLOWED_HOSTS.
 */
export function servedHostNames(bindHost: string, allowed: readonly string[]): Set<string> {
  const names = new Set([...LOOPBACK_NAMES, ...allowed.map((n) => n.replace(/^\[|\]$/g, "").toLowerCase())]);
  if (isWildcard(bindHost)) {
    for (const addresses of Object.values(networkInterfaces()))
      for (const a of addresses ?? []) names.add(a.address.toLowerCase());
  } else names.add(bindHost.replace(/^\[|\]$/g, "").toLowerCase());
  return names;
}

/** The name in a Host header, without port or IPv6 brackets; undefined when there is none. */
export function hostName(header: string | undefined): string | undefined {
  if (header === undefined || header === "") return undefined;
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(header);
  if (bracketed) return bracketed[1].toLowerCase();
  return header.replace(/:\d+$/, "").toLowerCase();
}
