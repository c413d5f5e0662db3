-- The subject's written waiver of its objection to a proposed listing: the
-- decision need not wait for the window to end.
ALTER TABLE listings ADD COLUMN objection_waived_on TEXT;
