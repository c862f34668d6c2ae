-- The report deadlines read from a plan's document once, when the plan is stored (JSON array of
-- {"day", "month", "year" (null when the text gives none), "text"}), so report schedules do not re-read the
-- document on every request. A plan without a row here was stored before: its deadlines are computed and
-- recorded the first time a schedule needs them. A row with "[]" means the plan sets none.
CREATE TABLE plan_report_deadlines (
    plan_id      BIGINT PRIMARY KEY REFERENCES plan(id) ON DELETE CASCADE,
    deadlines    TEXT NOT NULL,
    computed_at  BIGINT NOT NULL
);
