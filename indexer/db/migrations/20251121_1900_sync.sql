-- Bookkeeping of the sync loop: where it stands, the blocks it has seen, the raw event log and the
-- journal that makes re-org rollback exact. Times are unix seconds (int8), like on chain.

-- One row: the checkpoint, written in the same transaction as the block it names.
CREATE TABLE sync_state (
  singleton     boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  chain_id      int8 NOT NULL,
  deployment    text NOT NULL,          -- chain, start block and contract addresses this index follows
  block_number  int8 NOT NULL,          -- every effect of blocks up to here is written, none beyond
  block_hash    text NOT NULL,
  journal_floor int8 NOT NULL,          -- blocks at or below this cannot be rolled back block by block
  head_block    int8 NOT NULL,          -- the chain head when the checkpoint was written (finality)
  updated_at    timestamptz NOT NULL DEFAULT now()
);

-- Blocks that carry events, and every checkpoint block: their times, and the hashes a re-org is
-- detected and resolved by.
CREATE TABLE blocks (
  number      int8 PRIMARY KEY,
  hash        text NOT NULL UNIQUE,
  parent_hash text NOT NULL,
  timestamp   int8 NOT NULL
);

-- Append-only log of every decoded event, keyed by where it happened on chain.
CREATE TABLE events (
  block_hash   text NOT NULL,
  log_index    int4 NOT NULL,
  block_number int8 NOT NULL,
  block_time   int8 NOT NULL,
  tx_hash      text NOT NULL,
  tx_index     int4 NOT NULL,
  contract     text NOT NULL,
  address      text NOT NULL,
  name         text NOT NULL,
  args         json NOT NULL,           -- json, not jsonb: stored as sent, cheaper to write
  PRIMARY KEY (block_hash, log_index)
);
CREATE INDEX events_position ON events (block_number, log_index);

-- Which events name which address (any address argument): "everything one account did".
CREATE TABLE account_events (
  account      text NOT NULL,
  block_number int8 NOT NULL,
  log_index    int4 NOT NULL,
  PRIMARY KEY (account, block_number, log_index)
);
CREATE INDEX account_events_position ON account_events (block_number);

-- Each row's state before a step of not-yet-final blocks changed it, or (key: an array of keys,
-- before: NULL) the rows the step created; labelled with the step's last block, remembering its first.
CREATE TABLE reorg_journal (
  block_number int8 NOT NULL,
  step_from    int8 NOT NULL,
  seq          int4 NOT NULL,
  table_name   text NOT NULL,
  key          jsonb NOT NULL,
  before       jsonb,
  PRIMARY KEY (block_number, seq)
);
