-- Index results: published official results (PAPI, …) per framework, year, unit and leaf, and the
-- PAR-style score sheets (self score → appraisal → finalised). Inner-node scores, ranks and percentages
-- are computed from the leaves (chiso-core), never stored, so they cannot drift from the leaves.

-- One imported year of one framework (the whole year is replaced on re-import).
CREATE TABLE result_year (
    framework    TEXT NOT NULL,
    year         INTEGER NOT NULL,
    source       TEXT NOT NULL,
    imported_at  INTEGER NOT NULL,
    actor        TEXT NOT NULL,
    PRIMARY KEY (framework, year)
);

-- Every unit listed that year. published = FALSE: listed with no value at all ("not published"),
-- which is not a score of zero. source_code is the unit's code in the file (PAPI: P14).
CREATE TABLE result_unit (
    framework    TEXT NOT NULL,
    year         INTEGER NOT NULL,
    unit_id      INTEGER NOT NULL REFERENCES unit(id),
    source_code  TEXT NOT NULL,
    published    BOOLEAN NOT NULL,
    PRIMARY KEY (framework, year, unit_id),
    FOREIGN KEY (framework, year) REFERENCES result_year(framework, year)
);
CREATE INDEX result_unit_unit ON result_unit(unit_id);

-- Published leaf scores. A leaf absent from that year's framework has no row (not a missing value).
CREATE TABLE result_score (
    framework  TEXT NOT NULL,
    year       INTEGER NOT NULL,
    unit_id    INTEGER NOT NULL,
    node       TEXT NOT NULL,
    score      REAL NOT NULL,
    PRIMARY KEY (framework, year, unit_id, node),
    FOREIGN KEY (framework, year, unit_id) REFERENCES result_unit(framework, year, unit_id)
);

-- A unit's score sheet for one framework and year.
CREATE TABLE assessment (
    id          INTEGER PRIMARY KEY,
    unit_id     INTEGER NOT NULL REFERENCES unit(id),
    framework   TEXT NOT NULL,
    year        INTEGER NOT NULL,
    status      TEXT NOT NULL,
    round       INTEGER NOT NULL,
    version     INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    UNIQUE (unit_id, framework, year)
);
CREATE INDEX assessment_framework_year ON assessment(framework, year);

-- One leaf criterion of a sheet: the unit's self score with its evidence (a note or reference; files
-- come with progress tracking) or the reason evidence is missing; the appraisal (accept / adjust with a
-- reason; survey leaves get their survey score); the unit's explanation in the second round.
CREATE TABLE assessment_item (
    assessment_id     INTEGER NOT NULL REFERENCES assessment(id),
    node              TEXT NOT NULL,
    self_score        REAL,
    evidence          TEXT,
    missing_reason    TEXT,
    appraised_score   REAL,
    decision          TEXT,
    appraisal_reason  TEXT,
    explanation       TEXT,
    updated_at        INTEGER NOT NULL,
    PRIMARY KEY (assessment_id, node)
);
