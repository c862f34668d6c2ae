-- no-transaction
-- A unit is its code AND its validity: the GSO reuses codes across the 2025 reform (commune 00004 is
-- Phường Trúc Bạch until 2025-06-30 and Phường Ba Đình from 2025-07-01), so `code UNIQUE` becomes
-- `UNIQUE (code, valid_from)`. SQLite cannot drop a constraint: the table is rebuilt (the documented
-- 12-step procedure). Foreign keys must be off while `unit` is dropped and its copy renamed — a PRAGMA that
-- is a no-op inside a transaction, hence `no-transaction` above and the explicit BEGIN/COMMIT below.
-- Every other table keeps referencing `unit(id)` by name; ids are copied unchanged.
PRAGMA foreign_keys = OFF;

BEGIN;

CREATE TABLE unit_new (
    id            INTEGER PRIMARY KEY,
    code          TEXT NOT NULL,
    name          TEXT NOT NULL,
    name_fold     TEXT NOT NULL,
    level         TEXT NOT NULL REFERENCES unit_level(code),
    parent_id     INTEGER REFERENCES unit(id),
    path          TEXT NOT NULL,
    valid_from    TEXT NOT NULL,
    valid_to      TEXT,
    successor_id  INTEGER REFERENCES unit(id),
    created_at    INTEGER NOT NULL,
    UNIQUE (code, valid_from)
);
INSERT INTO unit_new (id, code, name, name_fold, level, parent_id, path, valid_from, valid_to, successor_id, created_at)
    SELECT id, code, name, name_fold, level, parent_id, path, valid_from, valid_to, successor_id, created_at FROM unit;
DROP TABLE unit;
ALTER TABLE unit_new RENAME TO unit;
CREATE INDEX unit_parent ON unit(parent_id);
CREATE INDEX unit_path ON unit(path);

-- Where a unit came from: every (new unit, old unit) pair of a merger or division, with the old unit's share
-- (`whole`: all of it went into the new unit; `part`: it was divided) and `main` = 1 for the new unit that got
-- the largest part. A commune divided between three new ones has three rows.
CREATE TABLE unit_predecessor (
    unit_id         INTEGER NOT NULL REFERENCES unit(id),
    predecessor_id  INTEGER NOT NULL REFERENCES unit(id),
    share           TEXT NOT NULL CHECK (share IN ('whole', 'part')),
    main            INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (unit_id, predecessor_id)
);
CREATE INDEX unit_predecessor_old ON unit_predecessor(predecessor_id);

-- Refuse to commit a broken reference (a CHECK on a temporary table turns the check's rows into an error).
CREATE TEMP TABLE unit_fk_check (broken INTEGER NOT NULL CHECK (broken = 0));
INSERT INTO unit_fk_check SELECT count(*) FROM pragma_foreign_key_check;
DROP TABLE unit_fk_check;

COMMIT;

PRAGMA foreign_keys = ON;
