-- Unit revisions: a number per unit that grows whenever anything the progress figures of that unit read
-- changes (its plans, tasks, task dimensions, updates, evidence, reports, agencies, or the unit itself).
-- Bumped by triggers in the same transaction as the write, so no write path can forget it. A subtree's
-- revision (its units' count, the sum of their revisions and of their ids: `Store::subtree_revision`) changes
-- with any write below it; figures computed from rows are kept while it stays the same (`chiso_app::figures`).
-- PostgreSQL: statement-level triggers with transition tables (one UPDATE per statement, not per row, so the
-- bulk build's multi-row INSERTs stay cheap); a C-collation index on the path for the subtree's range scan.


CREATE TABLE unit_revision (
    unit_id  BIGINT PRIMARY KEY REFERENCES unit(id),
    rev      BIGINT NOT NULL
);

INSERT INTO unit_revision (unit_id, rev) SELECT id, 1 FROM unit;

-- The unit tree's own revision (one row): grows with any change to the units themselves, so lists of units
-- (the unit selector) are kept while the tree is unchanged.
CREATE TABLE unit_tree_revision (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    rev  BIGINT NOT NULL
);
INSERT INTO unit_tree_revision (id, rev) VALUES (1, 1);

CREATE INDEX unit_path_c ON unit (path COLLATE "C");

CREATE FUNCTION unit_revision_unit_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO unit_revision (unit_id, rev) SELECT id, 1 FROM new_rows ON CONFLICT (unit_id) DO NOTHING;
    UPDATE unit_revision SET rev = rev + 1 WHERE unit_id IN (SELECT parent_id FROM new_rows);
    UPDATE unit_tree_revision SET rev = rev + 1;
    RETURN NULL;
END $$;

CREATE TRIGGER unit_revision_unit_insert AFTER INSERT ON unit REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION unit_revision_unit_insert();

CREATE FUNCTION unit_revision_unit_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE unit_revision SET rev = rev + 1 WHERE unit_id IN (
        SELECT id FROM new_rows UNION SELECT parent_id FROM new_rows UNION SELECT parent_id FROM old_rows);
    UPDATE unit_tree_revision SET rev = rev + 1;
    RETURN NULL;
END $$;

CREATE TRIGGER unit_revision_unit_update AFTER UPDATE ON unit REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION unit_revision_unit_update();

CREATE FUNCTION unit_revision_task_update_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE unit_revision SET rev = rev + 1 WHERE unit_id IN (SELECT unit_id FROM new_rows);
    RETURN NULL;
END $$;

CREATE TRIGGER unit_revision_task_update_insert AFTER INSERT ON task_update REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION unit_revision_task_update_insert();

CREATE FUNCTION unit_revision_task_update_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE unit_revision SET rev = rev + 1 WHERE unit_id IN (SELECT unit_id FROM new_rows UNION SELECT unit_id FROM old_rows);
    RETURN NULL;
END $$;

CREATE TRIGGER unit_revision_task_update_update AFTER UPDATE ON task_update REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION unit_revision_task_update_update();

CREATE FUNCTION unit_revision_task_update_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE unit_revision SET rev = rev + 1 WHERE unit_id IN (SELECT unit_id FROM old_rows);
    RETURN NULL;
END $$;

CREATE TRIGGER unit_revision_task_update_delete AFTER DELETE ON task_update REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION unit_revision_task_update_delete();

CREATE FUNCTION unit_revision_evidence_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE unit_revision SET rev = rev + 1 WHERE unit_id IN (SELECT unit_id FROM new_rows);
    RETURN NULL;
END $$;

CREATE TRIGGER unit_revision_evidence_insert AFTER INSERT ON evidence REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION unit_revision_evidence_insert();

CREATE FUNCTION unit_revision_evidence_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE unit_revision SET rev = rev + 1 WHERE unit_id IN (SELECT unit_id FROM new_rows UNION SELECT unit_id FROM old_rows);
    RETURN NULL;
END $$;

CREATE TRIGGER unit_revision_evidence_update AFTER UPDATE ON evidence REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION unit_revision_evidence_update();

CREATE FUNCTION unit_revision_evidence_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE unit_revision SET rev = rev + 1 WHERE unit_id IN (SELECT unit_id FROM old_rows);
    RETURN NULL;
END $$;

CREATE TRIGGER unit_revision_evidence_delete AFTER DELETE ON evidence REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION unit_revision_evidence_delete();

CREATE FUNCTION unit_revision_report_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE unit_revision SET rev = rev + 1 WHERE unit_id IN (SELECT unit_id FROM new_rows);
    RETURN NULL;
END $$;

CREATE TRIGGER unit_revision_report_insert AFTER INSERT ON report REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION unit_revision_report_insert();

CREATE FUNCTION unit_revision_report_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE unit_revision SET rev = rev + 1 WHERE unit_id IN (SELECT unit_id FROM new_rows UNION SELECT unit_id FROM old_rows);
    RETURN NULL;
END $$;

CREATE TRIGGER unit_revision_report_update AFTER UPDATE ON report REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION unit_revision_report_update();

CREATE FUNCTION unit_revision_report_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE unit_revision SET rev = rev + 1 WHERE unit_id IN (SELECT unit_id FROM old_rows);
    RETURN NULL;
END $$;

CREATE TRIGGER unit_revision_report_delete AFTER DELETE ON report REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION unit_revision_report_delete();

CREATE FUNCTION unit_revision_agency_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE unit_revision SET rev = rev + 1 WHERE unit_id IN (SELECT unit_id FROM new_rows);
    RETURN NULL;
END $$;

CREATE TRIGGER unit_revision_agency_insert AFTER INSERT ON agency REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION unit_revision_agency_insert();

CREATE FUNCTION unit_revision_agency_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE unit_revision SET rev = rev + 1 WHERE unit_id IN (SELECT unit_id FROM new_rows UNION SELECT unit_id FROM old_rows);
    RETURN NULL;
END $$;

CREATE TRIGGER unit_revision_agency_update AFTER UPDATE ON agency REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION unit_revision_agency_update();

CREATE FUNCTION unit_revision_agency_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE unit_revision SET rev = rev + 1 WHERE unit_id IN (SELECT unit_id FROM old_rows);
    RETURN NULL;
END $$;

CREATE TRIGGER unit_revision_agency_delete AFTER DELETE ON agency REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION unit_revision_agency_delete();

CREATE FUNCTION unit_revision_plan_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE unit_revision SET rev = rev + 1 WHERE unit_id IN (SELECT unit_id FROM new_rows);
    RETURN NULL;
END $$;

CREATE TRIGGER unit_revision_plan_insert AFTER INSERT ON plan REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION unit_revision_plan_insert();

CREATE FUNCTION unit_revision_plan_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE unit_revision SET rev = rev + 1 WHERE unit_id IN (SELECT unit_id FROM new_rows UNION SELECT unit_id FROM old_rows);
    RETURN NULL;
END $$;

CREATE TRIGGER unit_revision_plan_update AFTER UPDATE ON plan REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION unit_revision_plan_update();

CREATE FUNCTION unit_revision_plan_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE unit_revision SET rev = rev + 1 WHERE unit_id IN (SELECT unit_id FROM old_rows);
    RETURN NULL;
END $$;

CREATE TRIGGER unit_revision_plan_delete AFTER DELETE ON plan REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION unit_revision_plan_delete();

CREATE FUNCTION unit_revision_task_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE unit_revision SET rev = rev + 1 WHERE unit_id IN (SELECT p.unit_id FROM new_rows x JOIN plan p ON p.id = x.plan_id);
    RETURN NULL;
END $$;

CREATE TRIGGER unit_revision_task_insert AFTER INSERT ON task REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION unit_revision_task_insert();

CREATE FUNCTION unit_revision_task_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE unit_revision SET rev = rev + 1 WHERE unit_id IN (SELECT p.unit_id FROM new_rows x JOIN plan p ON p.id = x.plan_id UNION SELECT p.unit_id FROM old_rows x JOIN plan p ON p.id = x.plan_id);
    RETURN NULL;
END $$;

CREATE TRIGGER unit_revision_task_update AFTER UPDATE ON task REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION unit_revision_task_update();

CREATE FUNCTION unit_revision_task_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE unit_revision SET rev = rev + 1 WHERE unit_id IN (SELECT p.unit_id FROM old_rows x JOIN plan p ON p.id = x.plan_id);
    RETURN NULL;
END $$;

CREATE TRIGGER unit_revision_task_delete AFTER DELETE ON task REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION unit_revision_task_delete();

CREATE FUNCTION unit_revision_task_node_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE unit_revision SET rev = rev + 1 WHERE unit_id IN (SELECT p.unit_id FROM new_rows x JOIN task t ON t.id = x.task_id JOIN plan p ON p.id = t.plan_id);
    RETURN NULL;
END $$;

CREATE TRIGGER unit_revision_task_node_insert AFTER INSERT ON task_node REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION unit_revision_task_node_insert();

CREATE FUNCTION unit_revision_task_node_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE unit_revision SET rev = rev + 1 WHERE unit_id IN (SELECT p.unit_id FROM new_rows x JOIN task t ON t.id = x.task_id JOIN plan p ON p.id = t.plan_id UNION SELECT p.unit_id FROM old_rows x JOIN task t ON t.id = x.task_id JOIN plan p ON p.id = t.plan_id);
    RETURN NULL;
END $$;

CREATE TRIGGER unit_revision_task_node_update AFTER UPDATE ON task_node REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION unit_revision_task_node_update();

CREATE FUNCTION unit_revision_task_node_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE unit_revision SET rev = rev + 1 WHERE unit_id IN (SELECT p.unit_id FROM old_rows x JOIN task t ON t.id = x.task_id JOIN plan p ON p.id = t.plan_id);
    RETURN NULL;
END $$;

CREATE TRIGGER unit_revision_task_node_delete AFTER DELETE ON task_node REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION unit_revision_task_node_delete();
