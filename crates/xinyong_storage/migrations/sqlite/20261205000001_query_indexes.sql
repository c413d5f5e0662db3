-- Indexes for the per-context queries (xinyong_storage::lists, ::closed_loop,
-- ::checks, ::collection, ::auth), which filter, order and page in SQL
-- instead of reading whole tables. Each comment names the query it serves.
-- Only indexes change: no table, column or row does.

-- lists::listings — the console's listings table, newest proposal first, for
-- one department, one status or all (other filters are checked along the
-- index). Listings change a few times a day, so indexes on them cost little.
-- Replaces the single-column department index.
DROP INDEX listings_department;
CREATE INDEX listings_department_proposed ON listings (department, proposed_on, seq, listing_id);
CREATE INDEX listings_proposed ON listings (proposed_on, seq, listing_id);
CREATE INDEX listings_status_proposed ON listings (status, proposed_on, seq, listing_id);

-- lists::published_listings — the portal's /lists, in-force entries newest
-- first; lists::listings_expired_by — the expiry job. Replace the
-- single-column status index, which both start with.
DROP INDEX listings_status;
CREATE INDEX listings_status_valid_from ON listings (status, valid_from, listing_id);
CREATE INDEX listings_status_valid_until ON listings (status, valid_until);

-- lists::bans and lists::interviews — newest first, per department or all.
CREATE INDEX bans_department_start ON bans (department, starts_on DESC, ban_id);
CREATE INDEX bans_start ON bans (starts_on DESC, ban_id);
CREATE INDEX interviews_department_held ON interviews (department, held_on DESC, interview_id);
CREATE INDEX interviews_held ON interviews (held_on DESC, interview_id);

-- collection::recent_batches of every department, newest first.
CREATE INDEX batches_seq ON batches (seq);

-- auth::tokens of one department.
CREATE INDEX api_tokens_department ON api_tokens (department, token_id);

-- closed_loop::push_totals / push_medians for one department and period.
-- Replaces the single-column department index.
DROP INDEX measure_pushes_department;
CREATE INDEX measure_pushes_department_pushed ON measure_pushes (department, pushed_ms);

-- checks::coverage — does a reported case have a receipt of the same
-- department and case reference? Partial: receipts without a case reference
-- (most credit checks) add nothing to it, so receipt batches, the
-- bottleneck of POST /api/v1/checks, write it only for checks tied to a case.
CREATE INDEX check_receipts_case ON check_receipts (department, case_ref) WHERE case_ref IS NOT NULL;
