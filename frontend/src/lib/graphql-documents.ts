// Queries are written with `graphql()` beside their pages; gql.tada types each one's result and
// variables from the indexer's schema (src/graphql-env.d.ts, regenerated from
// indexer/graphql/schema.graphql by `npm run build:web` and `npm run typecheck`), so a renamed field
// breaks the type check, not the page. No React and no browser here: scripts in Node read the same
// documents (test/frontend/fixtures/capture.ts).
import { print } from "@0no-co/graphql.web";
import { initGraphQLTada, type ResultOf, type TadaDocumentNode, type VariablesOf } from "gql.tada";

import type { introspection } from "../graphql-env.d.ts";

/** Writes one typed query; BigInt fields arrive as decimal strings (docs/indexer.md). */
export const graphql = initGraphQLTada<{
  introspection: introspection;
  scalars: { BigInt: string; JSON: unknown; ID: string };
}>();
export type { ResultOf, VariablesOf };

/** A query written with `graphql()`: its result and variables types travel with it. */
export type Query<Result, Variables> = TadaDocumentNode<Result, Variables>;

const printed = new WeakMap<object, string>();

/** The query's text as sent; printed once per document. */
export function queryText<T, V>(document: Query<T, V>): string {
  let text = printed.get(document);
  if (text === undefined) printed.set(document, (text = print(document)));
  return text;
}
