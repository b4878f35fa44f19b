// The matcher under test, in this process, wired to a node through a transport the test may wrap
// (to inject faults or act between the matcher's requests), with its log lines captured.
import { pino } from "pino";
import { type Address, http, type LocalAccount, type Transport } from "viem";
import type { MatcherBookSource } from "../../../../backend/book/book-source.ts";
import { ChainBookSource } from "../../../../backend/book/chain-book-source.ts";
import { createChainClients } from "../../../../backend/chain/create-clients.ts";
import type { RetryPolicy } from "../../../../backend/chain/retry.ts";
import { Matcher, type MatcherParameters } from "../../../../backend/matcher/matcher.ts";
import { clearAndPrice } from "../../../../backend/matcher/price-batch.ts";
import { SubmissionStore } from "../../../../backend/matcher/submission-store.ts";
import { InMemoryProposalStore } from "../../../../backend/proposals/proposal-store.ts";
import type { Deployment } from "./exchange.ts";

export type LogLine = { level: number; msg: string; [field: string]: unknown };

/**
 * A transport that hands every request to `hook` first. The hook may throw (a failing node), act
 * before the request goes on (another party's transaction landing first), or answer in the node's
 * place by returning `{ result }`.
 */
export function hookedTransport(
  url: string,
  // biome-ignore lint/suspicious/noConfusingVoidType: a hook that returns nothing lets the call through
  hook: (method: string, params: unknown) => Promise<{ result: unknown } | void> | { result: unknown } | void,
  timeoutMs = 5_000,
): Transport {
  const inner = http(url, { retryCount: 0, timeout: timeoutMs });
  return (options) => {
    const transport = inner({ ...options, retryCount: 0 });
    return {
      ...transport,
      async request(args: { method: string; params?: unknown }) {
        const answer = await hook(args.method, args.params);
        if (answer !== undefined) return answer.result;
        return transport.request(args as never);
      },
    } as typeof transport;
  };
}

export type TestMatcher = {
  matcher: Matcher;
  store: SubmissionStore;
  proposals: InMemoryProposalStore;
  book: MatcherBookSource;
  logs: LogLine[];
};

export async function createTestMatcher(o: {
  url: string;
  deployment: Deployment;
  account: LocalAccount;
  storeFile: string;
  transport?: Transport;
  book?: (chainBook: ChainBookSource) => MatcherBookSource;
  retry?: RetryPolicy;
  overrides?: Partial<MatcherParameters>;
}): Promise<TestMatcher> {
  const { publicClient } = createChainClients({
    chainId: o.deployment.chainId,
    transport: o.transport ?? http(o.url, { retryCount: 0 }),
    account: o.account,
    pollingIntervalMs: 50,
  });
  const retry = o.retry ?? { retries: 3, baseDelayMs: 10, maxDelayMs: 50 };
  const chainBook = new ChainBookSource({
    client: publicClient,
    market: o.deployment.market as Address,
    startBlock: o.deployment.startBlock,
    retry,
  });
  const book = o.book?.(chainBook) ?? chainBook;
  const store = await SubmissionStore.open({ file: o.storeFile });
  const proposals = new InMemoryProposalStore();
  const logs: LogLine[] = [];
  const logger = pino({ level: "debug" }, { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) });
  const matcher = new Matcher({
    publicClient,
    account: o.account,
    market: o.deployment.market,
    book,
    price: clearAndPrice,
    store,
    proposals,
    logger,
    intervalMs: 100,
    expiryMarginSeconds: 30,
    retry,
    receiptTimeoutMs: 10_000,
    failureBackoff: { baseDelayMs: 50, maxDelayMs: 400 },
    ...o.overrides,
  });
  return { matcher, store, proposals, book, logs };
}
