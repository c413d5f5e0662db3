-- A log entry is mostly digests, which PostgreSQL's TOAST compression
-- (pglz) never shrinks: `bench ingest` wrote an `events` table of the same
-- size either way, but with compression the append's insert of 10,000
-- records took 440-530 ms instead of 320-370 ms. EXTERNAL keeps a large
-- entry out of line without trying to compress it. Only rows written from
-- now on are affected, and the bytes stored are the same.
ALTER TABLE events ALTER COLUMN entry SET STORAGE EXTERNAL;
