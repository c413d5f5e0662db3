-- The first day a published rule-set version is in force (YYYY-MM-DD, China
-- Standard Time); NULL for versions in force from their publication, which is
-- every version logged before effective dates existed.
ALTER TABLE rule_sets ADD COLUMN effective TEXT;
