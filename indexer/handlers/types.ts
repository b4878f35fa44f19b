import type { KeyValue, Store, TableKeys } from "../db/store.ts";
import type { DecodedEvent } from "../sync/decode.ts";

export type HandlerContext = {
  store: Store;
  /** Deployed addresses by contract name, lower case (e.g. to tell the market's escrow apart). */
  addresses: Readonly<Record<string, string>>;
};

export type Handler = (event: DecodedEvent, ctx: HandlerContext) => Promise<void>;

/** Rows an event's handler will read, so that a whole step loads them in one query per table. */
export type Prefetch = (event: DecodedEvent) => [table: string, key: KeyValue[]][];

export type ContractHandlers = {
  events: Readonly<Record<string, Handler>>;
  prefetch?: Readonly<Record<string, Prefetch>>;
};

export type HandlerSet = {
  /** Primary keys of every table the handlers write; these are the tables a rollback restores. */
  tables: TableKeys;
  /** Handlers by contract name as it appears in the deployment. */
  contracts: Readonly<Record<string, ContractHandlers>>;
};
