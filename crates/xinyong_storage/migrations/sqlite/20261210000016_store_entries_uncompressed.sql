-- PostgreSQL only: how it stores `events.entry` (TOAST, see the
-- PostgreSQL migration of the same name). SQLite never compresses a value.
-- The file exists so that both backends have the same migrations.
SELECT 1;
