-- From this migration on, a row of `events` may hold its entry in compact
-- form: for a v2 entry, `entry` is one byte naming the format (2) and the
-- row rebuilds the bytes from its columns, body and salt (docs/LOG.md, "How
-- entries are stored"). Nothing is rewritten: older rows keep their bytes.
-- The migration changes no table; it exists so that a build that cannot
-- read compact rows refuses this database at start (a newer schema) instead
-- of failing on every entry it reads.
SELECT 1;
