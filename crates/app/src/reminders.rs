//! Reminders: due and overdue tasks and reports become notifications and daily e-mail digests.
