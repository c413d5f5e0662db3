-- A company account's second factor (TOTP shared secret, base32), when on.
ALTER TABLE subject_accounts ADD COLUMN totp_secret TEXT;
