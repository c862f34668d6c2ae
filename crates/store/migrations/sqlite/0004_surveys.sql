-- Citizen surveys (issue 6): a survey belongs to the unit that runs it and to a framework and year; its
-- questionnaire is stored as its indicators; respondent groups; invitations (a random token, one response
-- each); responses; and stored estimates (the engine's JSON report with the B and seed used).
-- Answers are kept as one JSON object per response ({"q001": 3, ...}; a missing answer is absent): one row per
-- respondent makes imports of thousands of rows one statement each, and estimates always read whole responses.

CREATE TABLE survey (
    id                   INTEGER PRIMARY KEY,
    unit_id              INTEGER NOT NULL REFERENCES unit(id),
    framework            TEXT NOT NULL,
    year                 INTEGER NOT NULL,
    title                TEXT NOT NULL,
    title_fold           TEXT NOT NULL,
    questionnaire_title  TEXT,
    status               TEXT NOT NULL,
    created_by           TEXT NOT NULL,
    created_at           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL
);
CREATE INDEX survey_unit ON survey(unit_id, year);

CREATE TABLE survey_indicator (
    id          INTEGER PRIMARY KEY,
    survey_id   INTEGER NOT NULL REFERENCES survey(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    code        TEXT NOT NULL,
    node        TEXT NOT NULL,
    min_value   REAL NOT NULL,
    max_value   REAL NOT NULL,
    direction   INTEGER NOT NULL,
    text        TEXT,
    options     TEXT NOT NULL,
    groups      TEXT NOT NULL,
    UNIQUE (survey_id, code)
);

CREATE TABLE survey_group (
    survey_id  INTEGER NOT NULL REFERENCES survey(id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    code       TEXT NOT NULL,
    PRIMARY KEY (survey_id, code)
);

CREATE TABLE survey_import (
    id           INTEGER PRIMARY KEY,
    survey_id    INTEGER NOT NULL REFERENCES survey(id) ON DELETE CASCADE,
    source_name  TEXT NOT NULL,
    row_count    INTEGER NOT NULL,
    actor        TEXT NOT NULL,
    created_at   INTEGER NOT NULL
);
CREATE INDEX survey_import_survey ON survey_import(survey_id);

CREATE TABLE survey_response (
    id             INTEGER PRIMARY KEY,
    survey_id      INTEGER NOT NULL REFERENCES survey(id) ON DELETE CASCADE,
    respondent_id  TEXT NOT NULL,
    unit_id        INTEGER NOT NULL REFERENCES unit(id),
    group_code     TEXT,
    weight         REAL NOT NULL,
    answers        TEXT NOT NULL,
    source         TEXT NOT NULL,
    import_id      INTEGER REFERENCES survey_import(id) ON DELETE CASCADE,
    created_at     INTEGER NOT NULL,
    UNIQUE (survey_id, respondent_id)
);
CREATE INDEX survey_response_unit ON survey_response(survey_id, unit_id);

CREATE TABLE survey_invitation (
    id           INTEGER PRIMARY KEY,
    survey_id    INTEGER NOT NULL REFERENCES survey(id) ON DELETE CASCADE,
    unit_id      INTEGER NOT NULL REFERENCES unit(id),
    group_code   TEXT,
    token        TEXT NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    used_at      INTEGER,
    response_id  INTEGER REFERENCES survey_response(id) ON DELETE SET NULL
);
CREATE INDEX survey_invitation_survey ON survey_invitation(survey_id, unit_id);

CREATE TABLE survey_estimate (
    id           INTEGER PRIMARY KEY,
    survey_id    INTEGER NOT NULL REFERENCES survey(id) ON DELETE CASCADE,
    bootstrap    INTEGER NOT NULL,
    seed         INTEGER NOT NULL,
    by_group     BOOLEAN NOT NULL,
    responses    INTEGER NOT NULL,
    report       TEXT NOT NULL,
    computed_at  INTEGER NOT NULL,
    actor        TEXT NOT NULL
);
CREATE INDEX survey_estimate_survey ON survey_estimate(survey_id, computed_at);
