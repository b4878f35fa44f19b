-- A batch's samples are stored in its row, as the arrays of its seconds and watts, instead of one
-- row per sample: an append writes one row per batch, not sixty index entries keyed by a numeric
-- deal id, which is what an ingest into PGlite spent most of its time on (docs/metering.md, "Measured").
-- A batch is what the compute supplier signed, so the row is also the unit anyone checks.
ALTER TABLE metering_batches ADD COLUMN t int8[], ADD COLUMN w int8[];

UPDATE metering_batches b
SET t = s.t, w = s.w
FROM (
  SELECT b2.deal_id, b2.first_t, array_agg(s.t ORDER BY s.t) AS t, array_agg(s.w ORDER BY s.t) AS w
  FROM metering_batches b2
  JOIN metering_samples s ON s.deal_id = b2.deal_id AND s.t BETWEEN b2.first_t AND b2.last_t
  GROUP BY b2.deal_id, b2.first_t
) s
WHERE s.deal_id = b.deal_id AND s.first_t = b.first_t;

-- The arrays agree with the batch's range and count, and no watt is negative. That the seconds
-- strictly increase, within a batch and from one batch to the next, the service checks under the
-- deal's row lock (backend/metering/store.ts).
ALTER TABLE metering_batches
  ALTER COLUMN t SET NOT NULL,
  ALTER COLUMN w SET NOT NULL,
  ADD CONSTRAINT metering_batches_samples_check CHECK (
    cardinality(t) = count AND cardinality(w) = count AND t[1] = first_t AND t[count] = last_t AND 0 <= ALL (w)
  );

DROP TABLE metering_samples;
