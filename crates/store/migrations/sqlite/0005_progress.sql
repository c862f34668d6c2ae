-- Progress of tasks (updates with evidence, returned for correction), periodic reports, notifications.
CREATE TABLE task_update (
    id               INTEGER PRIMARY KEY,
    task_id          INTEGER NOT NULL REFERENCES task(id) ON DELETE CASCADE,
    unit_id          INTEGER NOT NULL REFERENCES unit(id),
    agency_id        INTEGER REFERENCES agency(id),
    status           TEXT NOT NULL,
    percent          INTEGER,
    completed_on     TEXT,
    reason           TEXT,
    narrative        TEXT NOT NULL,
    user_id          INTEGER,
    created_by       TEXT NOT NULL,
    created_at       INTEGER NOT NULL,
    returned_reason  TEXT,
    returned_by      TEXT,
    returned_at      INTEGER
);
CREATE INDEX task_update_task ON task_update(task_id, created_at);
CREATE INDEX task_update_unit ON task_update(unit_id, created_at);

CREATE TABLE evidence (
    id              INTEGER PRIMARY KEY,
    task_update_id  INTEGER NOT NULL REFERENCES task_update(id) ON DELETE CASCADE,
    unit_id         INTEGER NOT NULL REFERENCES unit(id),
    file_name       TEXT NOT NULL,
    mime            TEXT NOT NULL,
    size            INTEGER NOT NULL,
    sha256          TEXT NOT NULL,
    uploaded_by     TEXT NOT NULL,
    uploaded_at     INTEGER NOT NULL
);
CREATE INDEX evidence_update ON evidence(task_update_id);

CREATE TABLE report (
    id            INTEGER PRIMARY KEY,
    unit_id       INTEGER NOT NULL REFERENCES unit(id),
    agency_key    INTEGER NOT NULL,
    agency_id     INTEGER REFERENCES agency(id),
    period        TEXT NOT NULL,
    window_from   TEXT NOT NULL,
    window_to     TEXT NOT NULL,
    due_date      TEXT NOT NULL,
    narrative     TEXT NOT NULL,
    status        TEXT NOT NULL,
    summary       TEXT NOT NULL,
    submitted_at  INTEGER,
    submitted_by  TEXT,
    version       INTEGER NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    UNIQUE (unit_id, agency_key, period)
);
CREATE INDEX report_period ON report(period, unit_id);

CREATE TABLE notification (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES app_user(id),
    kind        TEXT NOT NULL,
    dedup_key   TEXT NOT NULL UNIQUE,
    title       TEXT NOT NULL,
    link        TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    read_at     INTEGER,
    emailed_at  INTEGER
);
CREATE INDEX notification_user ON notification(user_id, created_at);

ALTER TABLE app_user ADD COLUMN email TEXT;
