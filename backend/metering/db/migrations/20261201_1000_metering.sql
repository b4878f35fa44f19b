-- Metered power series, one row per sample; docs/metering.md. The metering tables share a
-- PostgreSQL with the indexer when DATABASE_URL is set, hence the prefix.

-- One row per metered deal: the last stored second, locked while a batch is appended, so batches of
-- one deal are stored one after the other and the series only grows forward.
CREATE TABLE metering_deals (
  deal_id        numeric PRIMARY KEY,
  stored_until   int8,                    -- unix seconds of the last sample; null before the first
  samples        int8 NOT NULL DEFAULT 0
);

CREATE TABLE metering_samples (
  deal_id  numeric NOT NULL,
  t        int8 NOT NULL,                 -- unix seconds
  w        int8 NOT NULL CHECK (w >= 0),  -- grid draw, whole watts
  PRIMARY KEY (deal_id, t)
);

-- Every accepted batch with the compute supplier's EIP-712 signature, so anyone can check later
-- that the supplier, not the exchange, said these samples.
CREATE TABLE metering_batches (
  deal_id       numeric NOT NULL,
  first_t       int8 NOT NULL,
  last_t        int8 NOT NULL,
  count         int4 NOT NULL,
  samples_hash  text NOT NULL,
  signature     text NOT NULL,
  signer        text NOT NULL,
  received_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (deal_id, first_t)
);
