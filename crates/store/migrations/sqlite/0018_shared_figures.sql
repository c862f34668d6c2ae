-- Figures computed from rows, shared by every `chiso serve` process on this database: the process that
-- computes a figure first stores it here with the revision it was computed at (`chiso_store::revision`);
-- another process whose subtree revision is the same reads it instead of computing it again (the national
-- overview's province lines take seconds each on a cold process). Derived data: not backed up, and a row
-- whose revision is old is simply computed again and replaced.
CREATE TABLE shared_figure (
    kind         TEXT NOT NULL,
    key_id       INTEGER NOT NULL,
    detail       TEXT NOT NULL,
    revision     TEXT NOT NULL,
    body         TEXT NOT NULL,
    computed_at  INTEGER NOT NULL,
    PRIMARY KEY (kind, key_id, detail)
);
