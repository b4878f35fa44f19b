-- The raw event log, narrowed (docs/indexer.md, Backfill speed). An event is keyed by block number
-- and log index, as `blocks` keys its block: a block's events are only ever written and removed
-- with it. Its block hash, transaction index and emitter's address are left out (the block's hash
-- is in `blocks`, the contract's name says which address). `account_events` keeps one row per
-- account and block, with the log indexes of the block's events that name the account: a market's
-- block settles many deals for the same few accounts (about 50 links per row on the bench's history).

-- Deferred indexes of the old tables (a backfill interrupted before this migration) go with them.
DELETE FROM deferred_indexes WHERE name IN ('events_position', 'account_events_position');

ALTER TABLE events RENAME TO events_wide;
ALTER TABLE events_wide RENAME CONSTRAINT events_pkey TO events_wide_pkey;
CREATE TABLE events (
  block_number int8 NOT NULL,
  log_index    int4 NOT NULL,
  block_time   int8 NOT NULL,
  tx_hash      text NOT NULL,
  contract     text NOT NULL,
  name         text NOT NULL,
  args         json NOT NULL,           -- json, not jsonb: stored as sent, cheaper to write
  PRIMARY KEY (block_number, log_index)
);
INSERT INTO events
  SELECT block_number, log_index, block_time, tx_hash, contract, name, args FROM events_wide;
DROP TABLE events_wide;

ALTER TABLE account_events RENAME TO account_event_links;
ALTER TABLE account_event_links RENAME CONSTRAINT account_events_pkey TO account_event_links_pkey;
DROP INDEX IF EXISTS account_events_position;
CREATE TABLE account_events (
  account      text NOT NULL,
  block_number int8 NOT NULL,
  log_indexes  int4[] NOT NULL,         -- ascending
  PRIMARY KEY (account, block_number)
);
CREATE INDEX account_events_position ON account_events (block_number);
INSERT INTO account_events
  SELECT account, block_number, array_agg(log_index ORDER BY log_index) FROM account_event_links
  GROUP BY account, block_number;
DROP TABLE account_event_links;
