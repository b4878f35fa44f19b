-- Secondary indexes no query of the index reads (indexer/graphql/*; no other program reads these
-- tables): a backfill builds each of them at its end and every later write keeps them up to date
-- for nothing (docs/indexer.md, Backfill speed).
--   deal_payments (account), deal_hours (hour), deals (buyer): no query filters or joins on them
--   (payments and hours are read by deal, deals of an account through deal_parties).
--   retirements (beneficiary), credit_retirements (holder): an account's retirements are asked for
--   as `holder = $1 OR beneficiary = $1`, which an index on one of the two columns cannot serve.
-- A backfill in progress keeps the definitions of the indexes it dropped in deferred_indexes, to
-- build at its end: they are dropped from there too.
DROP INDEX IF EXISTS deal_payments_account;
DROP INDEX IF EXISTS deal_hours_hour;
DROP INDEX IF EXISTS deals_buyer;
DROP INDEX IF EXISTS retirements_beneficiary;
DROP INDEX IF EXISTS credit_retirements_holder;
DELETE FROM deferred_indexes
WHERE name IN ('deal_payments_account', 'deal_hours_hour', 'deals_buyer', 'retirements_beneficiary', 'credit_retirements_holder');
