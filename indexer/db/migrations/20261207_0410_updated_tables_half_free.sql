-- The rows a backfill updates after writing them (orders, deals, deal_lots, deal_hours) get half of
-- each page free instead of 30 % (20261206_2200): with 30 %, a fifth to a half of the updates of
-- deal hours, lots and orders found no room on the row's page and wrote an index entry too; with
-- half, all of the recording's updates are HOT (docs/indexer.md, Backfill speed).
ALTER TABLE orders SET (fillfactor = 50);
ALTER TABLE deals SET (fillfactor = 50);
ALTER TABLE deal_lots SET (fillfactor = 50);
ALTER TABLE deal_hours SET (fillfactor = 50);
