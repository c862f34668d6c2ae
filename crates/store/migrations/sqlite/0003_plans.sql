-- Plans (Kế hoạch) and their tasks, with the cascade from parent plan to child plan.
CREATE TABLE plan (
    id              INTEGER PRIMARY KEY,
    unit_id         INTEGER NOT NULL REFERENCES unit(id),
    doc_type        TEXT NOT NULL,
    year            INTEGER NOT NULL,
    year_to         INTEGER,
    families        TEXT NOT NULL,
    number          TEXT,
    place           TEXT,
    issued_on       TEXT,
    title           TEXT NOT NULL,
    title_fold      TEXT NOT NULL,
    status          TEXT NOT NULL,
    parent_plan_id  INTEGER REFERENCES plan(id),
    child_deadline  TEXT,
    signer_authority TEXT,
    signer_position TEXT,
    signer_name     TEXT,
    recipients      TEXT NOT NULL,
    document        TEXT NOT NULL,
    source_name     TEXT,
    version         INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX plan_unit ON plan(unit_id, year);
CREATE INDEX plan_parent ON plan(parent_plan_id);
CREATE INDEX plan_number ON plan(number);

CREATE TABLE plan_basis (
    id        INTEGER PRIMARY KEY,
    plan_id   INTEGER NOT NULL REFERENCES plan(id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    number    TEXT,
    date      TEXT,
    issuer    TEXT,
    text      TEXT NOT NULL
);
CREATE INDEX plan_basis_plan ON plan_basis(plan_id);

CREATE TABLE task (
    id                INTEGER PRIMARY KEY,
    plan_id           INTEGER NOT NULL REFERENCES plan(id) ON DELETE CASCADE,
    position          INTEGER NOT NULL,
    code              TEXT NOT NULL,
    section_code      TEXT,
    text              TEXT NOT NULL,
    text_fold         TEXT NOT NULL,
    lead_agency       TEXT,
    lead_agency_id    INTEGER REFERENCES agency(id),
    coordinating      TEXT NOT NULL,
    expected_result   TEXT,
    due_date          TEXT,
    due_text          TEXT,
    recurrence        TEXT,
    task_group        TEXT,
    status            TEXT NOT NULL,
    source_task_id    INTEGER REFERENCES task(id),
    version           INTEGER NOT NULL,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    UNIQUE (plan_id, code)
);
CREATE INDEX task_plan ON task(plan_id, position);
CREATE INDEX task_lead_agency ON task(lead_agency_id);

CREATE TABLE task_node (
    task_id    INTEGER NOT NULL REFERENCES task(id) ON DELETE CASCADE,
    node_code  TEXT NOT NULL,
    PRIMARY KEY (task_id, node_code)
);
CREATE INDEX task_node_code ON task_node(node_code);
