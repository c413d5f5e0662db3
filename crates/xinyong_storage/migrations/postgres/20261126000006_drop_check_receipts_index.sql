-- Nothing reads check_receipts by (department, case_ref): the closed-loop
-- metrics read the table whole and everything else reads it by receipt id.
-- The index only slowed down every receipt batch, the bottleneck of
-- POST /api/v1/checks under load (`xinyong bench check`). When coverage moves
-- into SQL aggregation (see loop_metrics.rs), an index that query needs
-- comes back with it. (The SQLite migration of the same name also turns the
-- table into a rowid table; PostgreSQL tables are heaps already.)
DROP INDEX check_receipts_department_case_ref;
