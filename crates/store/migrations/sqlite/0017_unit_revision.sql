-- Unit revisions: a number per unit that grows whenever anything the progress figures of that unit read
-- changes (its plans, tasks, task dimensions, updates, evidence, reports, agencies, or the unit itself).
-- Bumped by triggers in the same transaction as the write, so no write path can forget it. A subtree's
-- revision (its units' count, the sum of their revisions and of their ids: `Store::subtree_revision`) changes
-- with any write below it; figures computed from rows are kept while it stays the same (`chiso_app::figures`).


CREATE TABLE unit_revision (
    unit_id  INTEGER PRIMARY KEY REFERENCES unit(id),
    rev      INTEGER NOT NULL
);

INSERT INTO unit_revision (unit_id, rev) SELECT id, 1 FROM unit;

-- The unit tree's own revision (one row): grows with any change to the units themselves, so lists of units
-- (the unit selector) are kept while the tree is unchanged.
CREATE TABLE unit_tree_revision (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    rev  INTEGER NOT NULL
);
INSERT INTO unit_tree_revision (id, rev) VALUES (1, 1);

CREATE TRIGGER unit_revision_unit_insert AFTER INSERT ON unit BEGIN
    INSERT INTO unit_revision (unit_id, rev) VALUES (NEW.id, 1);
    UPDATE unit_revision SET rev = rev + 1 WHERE unit_id = NEW.parent_id;
    UPDATE unit_tree_revision SET rev = rev + 1;
END;

CREATE TRIGGER unit_revision_unit_update AFTER UPDATE ON unit BEGIN
    UPDATE unit_revision SET rev = rev + 1 WHERE unit_id IN (NEW.id, OLD.parent_id, NEW.parent_id);
    UPDATE unit_tree_revision SET rev = rev + 1;
END;

CREATE TRIGGER unit_revision_task_update_insert AFTER INSERT ON task_update BEGIN
    UPDATE unit_revision SET rev = rev + 1 WHERE unit_id = NEW.unit_id;
END;

CREATE TRIGGER unit_revision_task_update_update AFTER UPDATE ON task_update BEGIN
    UPDATE unit_revision SET rev = rev + 1 WHERE unit_id IN (NEW.unit_id, OLD.unit_id);
END;

CREATE TRIGGER unit_revision_task_update_delete AFTER DELETE ON task_update BEGIN
    UPDATE unit_revision SET rev = rev + 1 WHERE unit_id = OLD.unit_id;
END;

CREATE TRIGGER unit_revision_evidence_insert AFTER INSERT ON evidence BEGIN
    UPDATE unit_revision SET rev = rev + 1 WHERE unit_id = NEW.unit_id;
END;

CREATE TRIGGER unit_revision_evidence_update AFTER UPDATE ON evidence BEGIN
    UPDATE unit_revision SET rev = rev + 1 WHERE unit_id IN (NEW.unit_id, OLD.unit_id);
END;

CREATE TRIGGER unit_revision_evidence_delete AFTER DELETE ON evidence BEGIN
    UPDATE unit_revision SET rev = rev + 1 WHERE unit_id = OLD.unit_id;
END;

CREATE TRIGGER unit_revision_report_insert AFTER INSERT ON report BEGIN
    UPDATE unit_revision SET rev = rev + 1 WHERE unit_id = NEW.unit_id;
END;

CREATE TRIGGER unit_revision_report_update AFTER UPDATE ON report BEGIN
    UPDATE unit_revision SET rev = rev + 1 WHERE unit_id IN (NEW.unit_id, OLD.unit_id);
END;

CREATE TRIGGER unit_revision_report_delete AFTER DELETE ON report BEGIN
    UPDATE unit_revision SET rev = rev + 1 WHERE unit_id = OLD.unit_id;
END;

CREATE TRIGGER unit_revision_agency_insert AFTER INSERT ON agency BEGIN
    UPDATE unit_revision SET rev = rev + 1 WHERE unit_id = NEW.unit_id;
END;

CREATE TRIGGER unit_revision_agency_update AFTER UPDATE ON agency BEGIN
    UPDATE unit_revision SET rev = rev + 1 WHERE unit_id IN (NEW.unit_id, OLD.unit_id);
END;

CREATE TRIGGER unit_revision_agency_delete AFTER DELETE ON agency BEGIN
    UPDATE unit_revision SET rev = rev + 1 WHERE unit_id = OLD.unit_id;
END;

CREATE TRIGGER unit_revision_plan_insert AFTER INSERT ON plan BEGIN
    UPDATE unit_revision SET rev = rev + 1 WHERE unit_id = NEW.unit_id;
END;

CREATE TRIGGER unit_revision_plan_update AFTER UPDATE ON plan BEGIN
    UPDATE unit_revision SET rev = rev + 1 WHERE unit_id IN (NEW.unit_id, OLD.unit_id);
END;

CREATE TRIGGER unit_revision_plan_delete AFTER DELETE ON plan BEGIN
    UPDATE unit_revision SET rev = rev + 1 WHERE unit_id = OLD.unit_id;
END;

CREATE TRIGGER unit_revision_task_insert AFTER INSERT ON task BEGIN
    UPDATE unit_revision SET rev = rev + 1 WHERE unit_id = (SELECT p.unit_id FROM plan p WHERE p.id = NEW.plan_id);
END;

CREATE TRIGGER unit_revision_task_update AFTER UPDATE ON task BEGIN
    UPDATE unit_revision SET rev = rev + 1 WHERE unit_id IN ((SELECT p.unit_id FROM plan p WHERE p.id = NEW.plan_id), (SELECT p.unit_id FROM plan p WHERE p.id = OLD.plan_id));
END;

CREATE TRIGGER unit_revision_task_delete AFTER DELETE ON task BEGIN
    UPDATE unit_revision SET rev = rev + 1 WHERE unit_id = (SELECT p.unit_id FROM plan p WHERE p.id = OLD.plan_id);
END;

CREATE TRIGGER unit_revision_task_node_insert AFTER INSERT ON task_node BEGIN
    UPDATE unit_revision SET rev = rev + 1 WHERE unit_id = (SELECT p.unit_id FROM task t JOIN plan p ON p.id = t.plan_id WHERE t.id = NEW.task_id);
END;

CREATE TRIGGER unit_revision_task_node_update AFTER UPDATE ON task_node BEGIN
    UPDATE unit_revision SET rev = rev + 1 WHERE unit_id IN ((SELECT p.unit_id FROM task t JOIN plan p ON p.id = t.plan_id WHERE t.id = NEW.task_id), (SELECT p.unit_id FROM task t JOIN plan p ON p.id = t.plan_id WHERE t.id = OLD.task_id));
END;

CREATE TRIGGER unit_revision_task_node_delete AFTER DELETE ON task_node BEGIN
    UPDATE unit_revision SET rev = rev + 1 WHERE unit_id = (SELECT p.unit_id FROM task t JOIN plan p ON p.id = t.plan_id WHERE t.id = OLD.task_id);
END;
