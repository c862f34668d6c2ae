//! Task updates with evidence, returns for correction, and the notifications of a person.

use super::Reports;
use crate::ServiceResult;
use chiso_core::access::Scope;
use chiso_store::notifications::Notification;
use chiso_store::plans::{Plan, Task};
use chiso_store::progress::{EvidenceRow, NewUpdate, UpdateRow, UpdateWithEvidence};

/// A task with its plan and its updates (newest first), as its page shows them.
pub struct TaskView {
    pub task: Task,
    pub plan: Plan,
    pub updates: Vec<UpdateWithEvidence>,
}

impl Reports<'_> {
    pub async fn task(&self, scope: &Scope, task_id: i64) -> ServiceResult<TaskView> {
        let store = &self.app.store;
        let task = store.task(scope, task_id).await?;
        let plan = store.plan(scope, task.row.plan_id).await?;
        let updates = store.task_updates(scope, task_id).await?;
        Ok(TaskView { task, plan, updates })
    }

    /// Record progress on a task now, with evidence files. Checked by core's rules (fields, file types) before
    /// anything is written; a stale `expected_version` is a conflict (kind `Conflict`), a refused field or file
    /// is `Unprocessable`.
    /// An update that corrects one returned for correction tells the level that reviews it.
    pub async fn add_update(&self, scope: &Scope, task_id: i64, new: NewUpdate, expected_version: i64) -> ServiceResult<UpdateRow> {
        let store = &self.app.store;
        let before = store.task_updates(scope, task_id).await?.into_iter().next().map(|u| u.update);
        let up = store.record_update_at(scope, task_id, new, expected_version, self.app.now_ms()).await?;
        if let Some(returned) = before.filter(|u| u.returned_reason.is_some()) {
            let task = store.task(scope, task_id).await?;
            crate::notices::update_corrected(self.app, scope, &up, &returned, &task.row.code).await;
        }
        Ok(up)
    }

    /// Return an update for correction (it counts as not done until corrected); the accounts that update the
    /// task are notified.
    pub async fn return_update(&self, scope: &Scope, update_id: i64, reason: &str) -> ServiceResult<()> {
        let up = self.app.store.return_update(scope, update_id, reason, self.app.now_ms()).await?;
        let task = self.app.store.task(scope, up.task_id).await?;
        crate::notices::update_returned(self.app, scope, &up, &task.row.code, reason.trim()).await;
        Ok(())
    }

    /// An evidence file and its bytes, within the scope.
    pub async fn evidence(&self, scope: &Scope, evidence_id: i64) -> ServiceResult<(EvidenceRow, Vec<u8>)> {
        Ok(self.app.store.evidence_file(scope, evidence_id).await?)
    }

    /// The caller's notifications, newest first (at most 200).
    pub async fn notifications(&self, scope: &Scope) -> ServiceResult<Vec<Notification>> {
        Ok(self.app.store.my_notifications(scope, 200).await?)
    }

    pub async fn mark_notifications_read(&self, scope: &Scope) -> ServiceResult<()> {
        Ok(self.app.store.mark_notifications_read(scope, self.app.now_ms()).await?)
    }
}
