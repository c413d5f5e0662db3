-- A password reset by an administrator is temporary: it only serves to set
-- a new password at the next login (issue 15 item 8).
ALTER TABLE users ADD COLUMN must_change_password BIGINT NOT NULL DEFAULT 0;
