-- The 双公示 lists filtered by a department or by a county: written as
-- `($3 = '' OR department = $3)`, the filters served no index, and the lists
-- walked `records_public_item` newest first until a page was found, through
-- every public licence when the department or county had few (16 s among a
-- million licences for a department with none). The filters are now bound
-- only when chosen (`xinyong_storage::portal`), and each has its index, read
-- newest first like the unfiltered list. The county is USCC positions 3-8,
-- the expression the queries use.
CREATE INDEX records_public_department ON records (public, item, department, decision_date);
CREATE INDEX records_public_division ON records (public, item, substr(subject_key, 3, 6), decision_date);
