-- Issue 12: a report returned for correction keeps why, by whom and when (the page of the reporting unit and
-- the parent's list say it was returned and why), and a submission records how many days after its due date
-- it came in (a returned report may be corrected and sent again after its period's lock; its lateness shows).
ALTER TABLE report ADD COLUMN returned_reason TEXT;
ALTER TABLE report ADD COLUMN returned_by TEXT;
ALTER TABLE report ADD COLUMN returned_at INTEGER;
ALTER TABLE report ADD COLUMN days_late INTEGER;
