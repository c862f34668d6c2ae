-- Lists that page, filter and sort in SQL (issue 12).
-- The audit log is read newest first and filtered by who made the change.
CREATE INDEX audit_at ON audit_log(at);
CREATE INDEX audit_actor ON audit_log(actor, at);
-- A plan is found by any part of its document number, without diacritics ("qd-ubnd" finds "QĐ-UBND"):
-- the number folded as the title is (chiso_core::text::fold). Filled for older rows at start
-- (Store::fold_plan_numbers), written with every number afterwards.
ALTER TABLE plan ADD COLUMN number_fold TEXT;
