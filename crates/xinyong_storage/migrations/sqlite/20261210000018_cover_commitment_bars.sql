-- The records that bar 告知承诺 (`commitments::barring_records`), read at
-- every start of `serve`, came through records_commitment_bars
-- (20261210000017), but each row was then fetched from the table: one
-- lookup per barring record, scattered over the whole of `records`. The
-- index now holds every column the query reads or tests, so start-up reads
-- the index alone (a covering index). Key and condition are as before.
DROP INDEX records_commitment_bars;
CREATE INDEX records_commitment_bars
    ON records (public, id, subject_kind, subject_key, item, document_number, decision_date, severity, latest_end)
    WHERE public = 1 AND subject_kind = 'legal_person'
      AND (item = 'CNSX' OR severity IN ('serious', 'specific_serious'));
