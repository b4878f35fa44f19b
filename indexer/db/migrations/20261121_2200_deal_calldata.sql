-- What a client needs to act on a deal. The market keeps only a digest of each deal's terms, so
-- every deal action (report, confirm, dispute, resolve, finalise, cancel a no-show) takes the terms
-- back as calldata: keep them as DealOpened emitted them (integers as decimal strings). A dispute's
-- arbitration deadline says when anyone may finalise it if the arbiter stays silent.
ALTER TABLE deals ADD COLUMN terms jsonb;
ALTER TABLE deals ADD COLUMN arbitration_deadline int8;
