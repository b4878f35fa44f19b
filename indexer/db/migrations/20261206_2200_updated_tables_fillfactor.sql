-- The rows the market updates after writing them (an order as it fills, a deal at each step and its
-- hours and lots at its report and end) get room on their page for the new version: an update that
-- fits on the page and changes no indexed column writes no index entry (a HOT update; most of a
-- backfill's updates are, docs/indexer.md, Backfill speed). Tables written once keep full pages.
ALTER TABLE orders SET (fillfactor = 70);
ALTER TABLE deals SET (fillfactor = 70);
ALTER TABLE deal_lots SET (fillfactor = 70);
ALTER TABLE deal_hours SET (fillfactor = 70);
