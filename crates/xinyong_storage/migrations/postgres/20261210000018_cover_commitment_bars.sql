-- The records that bar 告知承诺 (`commitments::barring_records`), read at
-- every start of `serve`, came through records_commitment_bars
-- (20261210000017), but each row was then fetched from the table: one
-- lookup per barring record, scattered over the whole of `records`. The
-- index now carries every column the query reads (INCLUDE), so start-up can
-- read it with an index-only scan where the visibility map allows. Key and
-- condition are as before.
DROP INDEX records_commitment_bars;
CREATE INDEX records_commitment_bars ON records (public, id)
    INCLUDE (subject_kind, subject_key, item, document_number, decision_date, severity, latest_end)
    WHERE public = 1 AND subject_kind = 'legal_person'
      AND (item = 'CNSX' OR severity IN ('serious', 'specific_serious'));
