-- Reminders of 容缺 deadlines (issue 14 item 2): the day the commitments job
-- reminded the applicant that a deferred material is due soon.
ALTER TABLE commitment_materials ADD COLUMN reminded_on TEXT;
