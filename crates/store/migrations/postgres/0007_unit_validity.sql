-- A unit is its code AND its validity: the GSO reuses codes across the 2025 reform (commune 00004 is
-- Phường Trúc Bạch until 2025-06-30 and Phường Ba Đình from 2025-07-01).
ALTER TABLE unit DROP CONSTRAINT unit_code_key;
ALTER TABLE unit ADD CONSTRAINT unit_code_valid_from_key UNIQUE (code, valid_from);

-- Where a unit came from: every (new unit, old unit) pair of a merger or division, with the old unit's share
-- (`whole`: all of it went into the new unit; `part`: it was divided) and `main` = 1 for the new unit that got
-- the largest part. A commune divided between three new ones has three rows.
CREATE TABLE unit_predecessor (
    unit_id         BIGINT NOT NULL REFERENCES unit(id),
    predecessor_id  BIGINT NOT NULL REFERENCES unit(id),
    share           TEXT NOT NULL CHECK (share IN ('whole', 'part')),
    main            INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (unit_id, predecessor_id)
);
CREATE INDEX unit_predecessor_old ON unit_predecessor(predecessor_id);
