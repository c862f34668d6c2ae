-- Owners read from a plan's document are proposals until a person confirms them (issue 10): the lead as the
-- parser read it carries the sentence it came from and how sure the reading is; `lead_proposed` is cleared
-- when a person saves the task's owners. `notes` (JSON array of Vietnamese texts) says what the importer could
-- not resolve (an agency not among the unit's agencies, a time that is not a date, …). Existing tasks were
-- entered by people: not proposals.
ALTER TABLE task ADD COLUMN lead_proposed BOOLEAN NOT NULL DEFAULT 0;
ALTER TABLE task ADD COLUMN lead_evidence TEXT;
ALTER TABLE task ADD COLUMN lead_confidence REAL;
ALTER TABLE task ADD COLUMN source TEXT;
ALTER TABLE task ADD COLUMN notes TEXT NOT NULL DEFAULT '[]';
