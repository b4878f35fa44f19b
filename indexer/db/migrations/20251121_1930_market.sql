-- The market as the events describe it. Every table here is written only by the handlers through
-- the store, so a re-org rollback restores it row by row from reorg_journal.
--
-- Units as in protocol/units.ts: VCU-hours, Wh, settlement-token base units, gCO2e, bps, unix
-- seconds. uint256 values are numeric; `*_block`, `*_time`, `*_tx`, `*_log` say where on chain a
-- row was created or last changed; `updated_block` is what finality is judged by.

-- Offers and bids, one row per order. `price` is the order's limit (bid) or reserve (offer) per
-- unit of its resource: VCU-hour (compute), kWh (energy), Mbps-hour (bandwidth).
CREATE TABLE orders (
  kind              text NOT NULL,          -- bid | compute | energy | bandwidth
  id                numeric NOT NULL,
  owner             text NOT NULL,
  resource          text NOT NULL,          -- compute | energy | bandwidth
  side              text NOT NULL,          -- bid | ask
  price             numeric NOT NULL,
  quantity          numeric NOT NULL,       -- as posted: VCU-hours, Wh or Mbps
  remaining         numeric NOT NULL,
  cancelled         numeric NOT NULL,       -- the unfilled rest its owner took back
  status            text NOT NULL,          -- open | filled | cancelled (expiry is judged at read time)
  expiry            int8 NOT NULL,
  window_start      int8,
  window_end        int8,
  hardware_class    int2,
  region            int2,                   -- compute region, or generation region of energy
  accepted_regions  int2[],                 -- bid: the bits of acceptableRegions
  buyer_region      int2,
  min_green_bps     int4,
  bandwidth_mbps    numeric,
  max_latency_ms    int4,
  wh_per_vcu_hour   numeric,
  pue_milli         int4,
  batch_id          numeric,
  source            int2,
  period_start      int8,                   -- energy: the batch's generation period
  period_end        int8,
  from_region       int2,
  to_region         int2,
  latency_ms        int4,
  escrow            numeric,                -- bid: funds still held for the unfilled rest
  created_block     int8 NOT NULL,
  created_time      int8 NOT NULL,
  created_tx        text NOT NULL,
  created_log       int4 NOT NULL,
  updated_block     int8 NOT NULL,
  PRIMARY KEY (kind, id)
);
CREATE INDEX orders_book ON orders (resource, side, price) WHERE status = 'open';
CREATE INDEX orders_owner ON orders (owner, created_block DESC);
CREATE INDEX orders_updated ON orders (resource, updated_block);
CREATE INDEX orders_created ON orders (created_block, created_log);

CREATE TABLE deals (
  id                  numeric PRIMARY KEY,
  bid_id              numeric NOT NULL,
  buyer               text NOT NULL,
  compute_offer_id    numeric NOT NULL,
  compute_supplier    text NOT NULL,
  compute_region      int2 NOT NULL,
  hardware_class      int2,
  buyer_region        int2,
  window_start        int8 NOT NULL,
  window_end          int8 NOT NULL,
  vcu_hours           numeric NOT NULL,
  compute_payment     numeric NOT NULL,
  energy_needed_wh    numeric NOT NULL,
  green_wh            numeric NOT NULL,       -- certificate Wh locked by the deal's energy lots
  energy_payment      numeric NOT NULL,
  bandwidth_offer_id  numeric,
  bandwidth_supplier  text,
  bandwidth_mbps      numeric NOT NULL,
  bandwidth_payment   numeric NOT NULL,
  fee                 numeric NOT NULL,
  escrow              numeric NOT NULL,
  grid_factor         int4 NOT NULL,
  report_deadline     int8 NOT NULL,
  challenge_period    int8 NOT NULL,
  status              text NOT NULL,          -- Active | Reported | Disputed | Finalized | Cancelled
  challenge_end       int8,
  dispute_reason      text,
  arbiter             text,
  refund_bps          int4,
  vcu_delivered       numeric,
  wh_consumed         numeric,
  accepted_bps        int4,
  compute_paid        numeric,
  bandwidth_paid      numeric,
  energy_paid         numeric,
  fee_paid            numeric,
  refund              numeric,
  retired_wh          numeric,
  returned_wh         numeric,
  credits             numeric,
  step_count          int4 NOT NULL,          -- rows in deal_steps
  payment_count       int4 NOT NULL,          -- rows in deal_payments
  opened_block        int8 NOT NULL,
  opened_time         int8 NOT NULL,
  opened_tx           text NOT NULL,
  opened_log          int4 NOT NULL,
  closed_block        int8,
  closed_time         int8,
  closed_tx           text,
  updated_block       int8 NOT NULL
);
CREATE INDEX deals_buyer ON deals (buyer);
CREATE INDEX deals_status ON deals (status);
CREATE INDEX deals_opened ON deals (opened_time);

-- The energy lots of a deal's terms, with what each came to at the end.
CREATE TABLE deal_lots (
  deal_id        numeric NOT NULL,
  idx            int4 NOT NULL,
  offer_id       numeric NOT NULL,
  supplier       text NOT NULL,
  batch_id       numeric NOT NULL,
  wh             numeric NOT NULL,
  payment        numeric NOT NULL,
  source_factor  int4 NOT NULL,
  paid           numeric,
  retired_wh     numeric,
  returned_wh    numeric,
  updated_block  int8 NOT NULL,
  PRIMARY KEY (deal_id, idx)
);
CREATE INDEX deal_lots_batch ON deal_lots (batch_id);
CREATE INDEX deal_lots_offer ON deal_lots (offer_id);

-- Who takes part in a deal, for "every deal of this account".
CREATE TABLE deal_parties (
  deal_id  numeric NOT NULL,
  account  text NOT NULL,
  role     text NOT NULL,                     -- buyer | compute | energy | bandwidth
  PRIMARY KEY (account, deal_id, role)
);

-- The deal's lifecycle, one row per step.
CREATE TABLE deal_steps (
  deal_id       numeric NOT NULL,
  seq           int4 NOT NULL,
  action        text NOT NULL,                -- opened | reported | confirmed | disputed | resolved | finalized | cancelled
  actor         text,
  block_number  int8 NOT NULL,
  block_time    int8 NOT NULL,
  tx_hash       text NOT NULL,
  log_index     int4 NOT NULL,
  PRIMARY KEY (deal_id, seq)
);

-- Every movement of a deal's money: the escrow taken from the bid, and at the end each payment,
-- the fee and the refund (credited to withdrawable balances).
CREATE TABLE deal_payments (
  deal_id       numeric NOT NULL,
  seq           int4 NOT NULL,
  kind          text NOT NULL,                -- escrow | compute | energy | bandwidth | fee | refund
  account       text,                         -- who pays (escrow) or is credited; NULL: treasury unknown
  amount        numeric NOT NULL,
  block_number  int8 NOT NULL,
  block_time    int8 NOT NULL,
  tx_hash       text NOT NULL,
  log_index     int4 NOT NULL,
  PRIMARY KEY (deal_id, seq)
);
CREATE INDEX deal_payments_account ON deal_payments (account);

CREATE TABLE usage_reports (
  deal_id        numeric PRIMARY KEY,
  reporter       text NOT NULL,
  vcu_delivered  numeric NOT NULL,
  wh_consumed    numeric NOT NULL,
  metering_hash  text NOT NULL,
  challenge_end  int8 NOT NULL,
  block_number   int8 NOT NULL,
  block_time     int8 NOT NULL,
  tx_hash        text NOT NULL,
  log_index      int4 NOT NULL
);

-- One row per priced resource of a deal (compute, each energy lot, bandwidth): volumes and prices.
-- `price` is per VCU-hour, per kWh or per Mbps-hour, rounded down to a base unit.
CREATE TABLE trades (
  id              text PRIMARY KEY,           -- <dealId>-compute | <dealId>-energy-<lot> | <dealId>-bandwidth
  deal_id         numeric NOT NULL,
  resource        text NOT NULL,
  offer_id        numeric NOT NULL,
  supplier        text NOT NULL,
  buyer           text NOT NULL,
  quantity        numeric NOT NULL,           -- VCU-hours, Wh, or Mbps-hours (rounded down)
  value           numeric NOT NULL,
  price           numeric NOT NULL,
  hardware_class  int2,
  region          int2,
  source          int2,
  from_region     int2,
  to_region       int2,
  block_number    int8 NOT NULL,
  block_time      int8 NOT NULL,
  tx_hash         text NOT NULL,
  log_index       int4 NOT NULL
);
CREATE INDEX trades_time ON trades (resource, block_time);

CREATE TABLE skipped_matches (
  id                text PRIMARY KEY,         -- <block>-<log index>
  match_index       numeric NOT NULL,
  bid_id            numeric NOT NULL,
  compute_offer_id  numeric NOT NULL,
  reason            text NOT NULL,
  block_number      int8 NOT NULL,
  block_time        int8 NOT NULL,
  tx_hash           text NOT NULL
);

-- Withdrawable balances in the market (pull payments).
CREATE TABLE market_balances (
  account        text PRIMARY KEY,
  credited       numeric NOT NULL,
  withdrawn      numeric NOT NULL,
  updated_block  int8 NOT NULL
);

-- Fee, treasury, deal periods, emission factors, pause: the market's settings as last set.
CREATE TABLE market_params (
  name           text PRIMARY KEY,            -- feeBps | treasury | challengePeriod | gridFactor:<region> | …
  value          text NOT NULL,
  updated_block  int8 NOT NULL
);

CREATE TABLE devices (
  id               numeric PRIMARY KEY,
  owner            text NOT NULL,
  source           int2 NOT NULL,
  region           int2 NOT NULL,
  capacity_w       numeric NOT NULL,
  commissioned_at  int8 NOT NULL,
  metadata_uri     text NOT NULL,
  status           text NOT NULL,             -- Pending | Approved | Suspended
  registrar        text,
  issued_wh        numeric NOT NULL,
  issued_until     int8,
  batches          int4 NOT NULL,
  created_block    int8 NOT NULL,
  created_time     int8 NOT NULL,
  created_tx       text NOT NULL,
  created_log      int4 NOT NULL,
  approved_block   int8,
  approved_time    int8,
  approved_tx      text,
  updated_block    int8 NOT NULL
);
CREATE INDEX devices_owner ON devices (owner);

CREATE TABLE certificate_batches (
  id             numeric PRIMARY KEY,
  device_id      numeric NOT NULL,
  issuer         text NOT NULL,
  source         int2 NOT NULL,
  region         int2 NOT NULL,
  period_start   int8 NOT NULL,
  period_end     int8 NOT NULL,
  issued_wh      numeric NOT NULL,
  retired_wh     numeric NOT NULL,
  escrowed_wh    numeric NOT NULL,            -- held by the market for energy offers and open deals
  created_block  int8 NOT NULL,
  created_time   int8 NOT NULL,
  created_tx     text NOT NULL,
  created_log    int4 NOT NULL,
  updated_block  int8 NOT NULL
);
CREATE INDEX certificate_batches_device ON certificate_batches (device_id);

CREATE TABLE certificate_balances (
  batch_id       numeric NOT NULL,
  holder         text NOT NULL,
  wh             numeric NOT NULL,
  updated_block  int8 NOT NULL,
  PRIMARY KEY (batch_id, holder)
);
CREATE INDEX certificate_balances_holder ON certificate_balances (holder);

CREATE TABLE retirements (
  id            text PRIMARY KEY,             -- <block>-<log index>
  batch_id      numeric NOT NULL,
  holder        text NOT NULL,
  beneficiary   text NOT NULL,
  wh            numeric NOT NULL,
  deal_id       numeric,                      -- set when the market retired for a finalised deal
  purpose       text NOT NULL,
  block_number  int8 NOT NULL,
  block_time    int8 NOT NULL,
  tx_hash       text NOT NULL,
  log_index     int4 NOT NULL
);
CREATE INDEX retirements_batch ON retirements (batch_id);
CREATE INDEX retirements_deal ON retirements (deal_id);
CREATE INDEX retirements_beneficiary ON retirements (beneficiary);

CREATE TABLE credit_mints (
  id            text PRIMARY KEY,             -- <block>-<log index>
  deal_id       numeric NOT NULL,
  account       text NOT NULL,
  amount        numeric NOT NULL,             -- gCO2e
  block_number  int8 NOT NULL,
  block_time    int8 NOT NULL,
  tx_hash       text NOT NULL,
  log_index     int4 NOT NULL
);
CREATE INDEX credit_mints_deal ON credit_mints (deal_id);

CREATE TABLE credit_retirements (
  id            text PRIMARY KEY,             -- <block>-<log index>
  holder        text NOT NULL,
  beneficiary   text NOT NULL,
  amount        numeric NOT NULL,
  reason        text NOT NULL,
  block_number  int8 NOT NULL,
  block_time    int8 NOT NULL,
  tx_hash       text NOT NULL,
  log_index     int4 NOT NULL
);
CREATE INDEX credit_retirements_holder ON credit_retirements (holder);

-- Credits are fungible; to link a credit retirement back to the deals whose avoided emissions it
-- claims, each holder's credits are kept as first-in-first-out lots per deal. Transfers and
-- retirements consume the oldest lots first.
CREATE TABLE credit_holders (
  account        text PRIMARY KEY,
  balance        numeric NOT NULL,
  lots           jsonb NOT NULL,              -- [{ "dealId": "…", "amount": "…" }], oldest first
  updated_block  int8 NOT NULL
);

CREATE TABLE credit_allocations (
  retirement_id  text NOT NULL,
  deal_id        numeric NOT NULL,
  amount         numeric NOT NULL,
  PRIMARY KEY (retirement_id, deal_id)
);
CREATE INDEX credit_allocations_deal ON credit_allocations (deal_id);
