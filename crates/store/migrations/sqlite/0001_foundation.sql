-- Foundation: unit levels, units (with validity and merge history), agencies, accounts, sessions, audit.
-- Timestamps are INTEGER unix milliseconds (UTC); dates are ISO 'YYYY-MM-DD' text. Both sort correctly and
-- are written the same way on SQLite and PostgreSQL, so every query text is shared by both backends.

CREATE TABLE unit_level (
    code      TEXT PRIMARY KEY,
    name_vi   TEXT NOT NULL,
    name_en   TEXT NOT NULL,
    depth     INTEGER NOT NULL
);

CREATE TABLE unit (
    id            INTEGER PRIMARY KEY,
    code          TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    name_fold     TEXT NOT NULL,
    level         TEXT NOT NULL REFERENCES unit_level(code),
    parent_id     INTEGER REFERENCES unit(id),
    path          TEXT NOT NULL,
    valid_from    TEXT NOT NULL,
    valid_to      TEXT,
    successor_id  INTEGER REFERENCES unit(id),
    created_at    INTEGER NOT NULL
);
CREATE INDEX unit_parent ON unit(parent_id);
CREATE INDEX unit_path ON unit(path);

CREATE TABLE agency (
    id         INTEGER PRIMARY KEY,
    unit_id    INTEGER NOT NULL REFERENCES unit(id),
    name       TEXT NOT NULL,
    name_fold  TEXT NOT NULL,
    kind       TEXT NOT NULL,
    UNIQUE (unit_id, name_fold)
);

CREATE TABLE app_user (
    id             INTEGER PRIMARY KEY,
    username       TEXT NOT NULL UNIQUE,
    full_name      TEXT NOT NULL,
    password_hash  TEXT NOT NULL,
    role           TEXT NOT NULL,
    unit_id        INTEGER REFERENCES unit(id),
    agency_id      INTEGER REFERENCES agency(id),
    active         BOOLEAN NOT NULL,
    created_at     INTEGER NOT NULL
);

CREATE TABLE session (
    token_hash    TEXT PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES app_user(id),
    csrf_token    TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL
);
CREATE INDEX session_expires ON session(expires_at);

CREATE TABLE login_attempt (
    id         INTEGER PRIMARY KEY,
    username   TEXT NOT NULL,
    client     TEXT NOT NULL,
    at         INTEGER NOT NULL,
    success    BOOLEAN NOT NULL
);
CREATE INDEX login_attempt_user_at ON login_attempt(username, at);
CREATE INDEX login_attempt_client_at ON login_attempt(client, at);

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    user_id     INTEGER,
    actor       TEXT NOT NULL,
    unit_id     INTEGER,
    entity      TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    action      TEXT NOT NULL,
    field       TEXT,
    old_value   TEXT,
    new_value   TEXT,
    reason      TEXT
);
CREATE INDEX audit_entity ON audit_log(entity, entity_id);
CREATE INDEX audit_unit ON audit_log(unit_id, at);
