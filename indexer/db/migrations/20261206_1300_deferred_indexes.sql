-- Secondary indexes a backfill dropped to write its rows faster, kept here (in the transaction that
-- dropped them) until the transaction that ends the backfill builds them again. A process that dies
-- in between finds them here on restart (docs/indexer.md, Backfill).
CREATE TABLE deferred_indexes (
  name       text PRIMARY KEY,
  definition text NOT NULL            -- pg_get_indexdef: the CREATE INDEX statement
);
