-- `serve` reads at start the records that bar 告知承诺
-- (`commitments::barring_records`): public records of legal persons that are
-- pledges (CNSX) or serious. Through the index on (public, item,
-- decision_date) that walked every public record, all of them at ten
-- million records, to find the few that bar. This partial index holds only
-- those rows, in the order the query pages them, so start-up reads in
-- proportion to them. Its condition is the query's, term for term: both
-- planners use a partial index only when the query's WHERE implies it.
-- `public` leads the key although every row in it is public: without
-- statistics SQLite prefers an index matching an equality (`public = 1`)
-- to one matching only the range on `id`, and took the old index.
CREATE INDEX records_commitment_bars ON records (public, id)
    WHERE public = 1 AND subject_kind = 'legal_person'
      AND (item = 'CNSX' OR severity IN ('serious', 'specific_serious'));
