-- The approval made on a broken commitment, revoked by the granting
-- department (issue 14 item 3): the day and the decision's number.
ALTER TABLE commitments ADD COLUMN approval_revoked_on TEXT;
ALTER TABLE commitments ADD COLUMN revocation_decision_no TEXT;
