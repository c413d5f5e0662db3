-- The 双公示 lists (`xinyong_storage::portal`) at provincial scale.
--
-- 1. Filtered by a department or a county: written as
--    `($3 = '' OR department = $3)`, the filters served no index, and the
--    lists walked `records_public_item` newest first until a page was found,
--    through every public licence when the department or county had few
--    (16 s among a million licences for a department with none). The filters
--    are now bound only when chosen, and each has its index, read newest
--    first like the unfiltered list. The county is USCC positions 3-8, the
--    expression the queries use.
-- 2. Each list index now holds, after the date, what ordering and the
--    publicity window ask of a row: the id (the tie-break of
--    `ORDER BY decision_date DESC, id DESC`), the subject kind and the
--    window. Rows are then ruled in or out, counted and skipped (a numbered
--    page's OFFSET) in the index; only the rows shown are read. On a copy of
--    the demo city with a million licences: the capped count 0.09 s -> 0.00 s,
--    page 500 0.09-0.20 s -> 0.00 s, a year whose 137,340 licences have all
--    left their window 0.8-2.1 s -> 0.02 s (sqlite3).
DROP INDEX records_public_item;
CREATE INDEX records_public_item
    ON records (public, item, decision_date, id, subject_kind, window_start, latest_end);
CREATE INDEX records_public_department
    ON records (public, item, department, decision_date, id, subject_kind, window_start, latest_end);
CREATE INDEX records_public_division
    ON records (public, item, substr(subject_key, 3, 6), decision_date, id, subject_kind, window_start, latest_end);
