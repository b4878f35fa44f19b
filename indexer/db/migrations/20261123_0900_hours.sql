-- The time-matched market (issue 12; docs/indexer.md, "Hours"): windows, jobs and certificates are
-- whole UTC hours. Rows of the pooled model (VCU-hour pools, certificate batches held in escrow)
-- cannot be turned into hours, so the index starts again from the deployment's first block: the
-- sync state goes, and the read model with it.
DELETE FROM sync_state;
TRUNCATE blocks, events, account_events, reorg_journal, orders, deals, deal_lots, deal_parties, deal_steps,
  deal_payments, usage_reports, trades, skipped_matches, market_balances, market_params, scheduled_changes, devices,
  certificate_batches, certificate_balances, retirements, credit_mints, credit_retirements, credit_holders,
  credit_allocations;

-- Orders. Bids: a job of `vcu` units for `duration_hours` consecutive hours inside
-- [window_start, window_end) = [earliestStart, latestEnd); `start_hour` once a match fixed it.
-- Energy offers: Wh of named hours [period_start, period_end) of one device. Quantities: bids and
-- compute offers in VCU-hours, energy offers in Wh, links in Mbps (per hour); per hour in offer_hours.
ALTER TABLE orders DROP COLUMN batch_id;
ALTER TABLE orders ADD COLUMN vcu int8;
ALTER TABLE orders ADD COLUMN duration_hours int4;
ALTER TABLE orders ADD COLUMN start_hour int8;
ALTER TABLE orders ADD COLUMN certificate_origin int2;   -- IMarket.CertificateOrigin
ALTER TABLE orders ADD COLUMN device_id numeric;
CREATE INDEX orders_device ON orders (device_id) WHERE device_id IS NOT NULL;

-- Deals: the job's hours are [window_start, window_end) = [start_hour, start_hour + duration_hours h).
ALTER TABLE deals ADD COLUMN start_hour int8 NOT NULL;
ALTER TABLE deals ADD COLUMN duration_hours int4 NOT NULL;
ALTER TABLE deals ADD COLUMN vcu int8 NOT NULL;
ALTER TABLE deals ADD COLUMN need_per_hour_wh numeric NOT NULL;
ALTER TABLE deals ADD COLUMN min_green_bps int4 NOT NULL;
ALTER TABLE deals ADD COLUMN certificate_origin int2 NOT NULL;
ALTER TABLE deals ADD COLUMN matched_green_wh numeric;    -- Σ_h min(lots' Wh, metered Wh), once reported
ALTER TABLE deals ADD COLUMN undelivered_wh numeric;      -- Σ lots' undeliveredWh, once finalised

-- A lot is Wh of one device-hour; the issue holding that hour is found through certificate_hours
-- (it may be issued after the sale: forward delivery).
DROP INDEX deal_lots_batch;
ALTER TABLE deal_lots DROP COLUMN batch_id;
ALTER TABLE deal_lots ADD COLUMN device_id numeric NOT NULL;
ALTER TABLE deal_lots ADD COLUMN hour int8 NOT NULL;
ALTER TABLE deal_lots ADD COLUMN undelivered_wh numeric;
CREATE INDEX deal_lots_device_hour ON deal_lots (device_id, hour);

-- The report per job hour: JSON arrays, VCU as numbers and Wh as decimal strings.
ALTER TABLE usage_reports ADD COLUMN vcu_per_hour jsonb NOT NULL;
ALTER TABLE usage_reports ADD COLUMN wh_per_hour jsonb NOT NULL;

-- The market never holds certificates any more: it retires sold Wh from their suppliers.
ALTER TABLE certificate_batches DROP COLUMN escrowed_wh;

ALTER TABLE retirements ADD COLUMN device_id numeric NOT NULL;
ALTER TABLE retirements ADD COLUMN hour int8 NOT NULL;
ALTER TABLE retirements ADD COLUMN certificate_id numeric NOT NULL;

-- One row per issued device-hour (ERC-1155 id device_id << 32 | hour / 3600), zero hours included.
CREATE TABLE certificate_hours (
  device_id      numeric NOT NULL,
  hour           int8 NOT NULL,
  issue_id       numeric NOT NULL,
  issued_wh      numeric NOT NULL,
  retired_wh     numeric NOT NULL,
  updated_block  int8 NOT NULL,
  PRIMARY KEY (device_id, hour)
);
CREATE INDEX certificate_hours_issue ON certificate_hours (issue_id, hour);

-- Capacity and use of an offer in one hour: compute in VCU, links in Mbps, energy in Wh. Energy
-- offers have a row for every hour they name (capacity as posted, less what a cancellation freed);
-- compute and link offers only for hours something was sold in (the other hours are the offer's
-- capacity, unused).
CREATE TABLE offer_hours (
  kind           text NOT NULL,               -- compute | energy | bandwidth
  offer_id       numeric NOT NULL,
  hour           int8 NOT NULL,
  capacity       numeric NOT NULL,
  used           numeric NOT NULL,
  updated_block  int8 NOT NULL,
  PRIMARY KEY (kind, offer_id, hour)
);

-- Each hour of a deal's job: what it needs and bought, then what was metered and retired.
CREATE TABLE deal_hours (
  deal_id        numeric NOT NULL,
  hour           int8 NOT NULL,
  vcu            int8 NOT NULL,
  need_wh        numeric NOT NULL,
  green_wh       numeric NOT NULL,
  vcu_delivered  int8,
  metered_wh     numeric,
  retired_wh     numeric,
  updated_block  int8 NOT NULL,
  PRIMARY KEY (deal_id, hour)
);
CREATE INDEX deal_hours_hour ON deal_hours (hour);

-- Green supply and demand per region and hour: Wh offered by energy offers of devices in the
-- region (less what cancellations freed), Wh of those sold to deals, and the energy needed by deals
-- computing in the region.
CREATE TABLE region_hours (
  region            int2 NOT NULL,
  hour              int8 NOT NULL,
  green_offered_wh  numeric NOT NULL,
  green_sold_wh     numeric NOT NULL,
  demand_wh         numeric NOT NULL,
  updated_block     int8 NOT NULL,
  PRIMARY KEY (region, hour)
);
CREATE INDEX region_hours_hour ON region_hours (hour);
