// How handlers are registered: per contract, one entry per event, keyed by the event names of the
// contract's ABI. A handler sees its event's arguments typed from the ABI (in stored form) and
// writes typed rows through the store, so renaming an event, an argument or a column breaks the build.
import type { EventNameOf, IndexedContract } from "../contracts.ts";
import type { Store } from "../db/store.ts";
import type { KeyOf, TableName } from "../db/tables.ts";
import type { ContractEvent, DecodedEvent } from "../sync/decode.ts";

export type HandlerContext = {
  store: Store;
  /** Deployed addresses by contract name, lower case (e.g. to tell the market's escrow apart). */
  addresses: Readonly<Record<string, string>>;
};

/** A row an event's handler will read: prefetched for a whole step in one query per table. */
export type RowRef = { [T in TableName]: readonly [table: T, key: KeyOf<T>] }[TableName];

export type EventHandler<C extends IndexedContract, N extends EventNameOf<C>> = {
  /** Rows `handle` will read, so that a whole step loads them in one query per table. */
  prefetch?: (event: ContractEvent<C, N>) => RowRef[];
  handle: (event: ContractEvent<C, N>, ctx: HandlerContext) => Promise<void>;
};

/** The handlers of one contract's events; events left out are kept in the event log only. */
export type ContractHandlers<C extends IndexedContract> = {
  readonly [N in EventNameOf<C>]?: EventHandler<C, N>;
};

/** Handlers by contract name as it appears in the deployment. */
export type HandlerSet = { readonly [C in IndexedContract]: ContractHandlers<C> };

/** A handler as the sync loop calls it, for an event it has decoded with that contract's ABI. */
export type AnyEventHandler = {
  prefetch?: (event: DecodedEvent) => RowRef[];
  handle: (event: DecodedEvent, ctx: HandlerContext) => Promise<void>;
};

/**
 * The handler of a decoded event, if any. The one place where an event's type is taken on trust:
 * the decoder decoded it with the ABI of the contract it names, which is what the handler's type says.
 */
export function handlerOf(set: HandlerSet, event: DecodedEvent): AnyEventHandler | undefined {
  const byEvent = set[event.contract as IndexedContract] as Readonly<Record<string, unknown>> | undefined;
  return byEvent?.[event.name] as AnyEventHandler | undefined;
}
