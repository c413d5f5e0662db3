-- Four eyes on listing decisions: who proposed (a console user), so that the
-- decision is someone else's. NULL for proposals written before and for the
-- platform's own.
ALTER TABLE listings ADD COLUMN proposed_by TEXT;
