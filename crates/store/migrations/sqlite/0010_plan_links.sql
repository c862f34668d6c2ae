-- Child plans keep what concerns them, linked to their parent (issue 10). A child plan's task made from a
-- parent plan's task points at it (`parent_task_id`). A plan linked to its parent carries the deadline the
-- parent set for its children's plans (`parent_deadline`, ISO date), so the child knows it even where the
-- parent is outside its reader's scope. `parent_note` says, in Vietnamese, why an imported plan that cites a
-- parent plan was not linked to it (none or several stored plans match); cleared when a person links or
-- unlinks the plan.
ALTER TABLE task ADD COLUMN parent_task_id INTEGER REFERENCES task(id) ON DELETE SET NULL;
CREATE INDEX task_parent ON task(parent_task_id);
ALTER TABLE plan ADD COLUMN parent_deadline TEXT;
ALTER TABLE plan ADD COLUMN parent_note TEXT;
