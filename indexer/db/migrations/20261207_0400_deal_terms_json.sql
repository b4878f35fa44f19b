-- A deal's terms are kept as DealOpened emitted them and only ever given back whole (GraphQL
-- `Deal.terms`, the calldata of every deal action): no query looks inside them. As json they are
-- stored as sent; as jsonb PostgreSQL parsed every deal's terms into its binary form and, at about
-- 1.5 kB, compressed them (the row went over the 2 kB at which it compresses), which made COPY
-- and UPDATE of deals about twice as dear during a backfill (docs/indexer.md, Backfill speed).
-- Values are unchanged; an object's keys come back in the order they were written instead of
-- jsonb's (by length, then bytes).
ALTER TABLE deals ALTER COLUMN terms TYPE json USING terms::json;
