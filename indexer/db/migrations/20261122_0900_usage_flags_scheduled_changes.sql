-- A report the market flagged (UsageFlagged: far from the deal's declared energy profile, or
-- retiring less than the bid's minimum green share) finalises only by the buyer's confirmation
-- after the challenge period or through the arbiter. NULL until flagged (docs/market-rules.md).
ALTER TABLE deals ADD COLUMN flagged_outside_profile boolean;
ALTER TABLE deals ADD COLUMN flagged_below_green_minimum boolean;
ALTER TABLE deals ADD COLUMN expected_wh numeric;

-- Parameter changes the admin scheduled and nobody has applied or withdrawn yet: what will bind
-- users from `effective_at` on. One pending change per parameter and key (scheduling again
-- replaces it). parameter: IMarket.Parameter (0 Fee, 1 ChallengePeriod, 2 ReportGracePeriod,
-- 3 ArbitrationPeriod, 4 GridFactor keyed by region, 5 SourceFactor keyed by source).
CREATE TABLE scheduled_changes (
  parameter     int2 NOT NULL,
  key           numeric NOT NULL,
  value         numeric NOT NULL,
  effective_at  int8 NOT NULL,
  block_number  int8 NOT NULL,
  block_time    int8 NOT NULL,
  tx_hash       text NOT NULL,
  log_index     int4 NOT NULL,
  PRIMARY KEY (parameter, key)
);
