//! Progress and periodic reports: task updates and returns, report schedules, compile/submit/return,
//! report status of a unit and its children, the data of the report page, the dashboard and the exported
//! report, and notifications.
//!
//! "Submit a report and decide on time/late" reads: [`Reports::submit`] → the unit's schedule
//! ([`Reports::schedule_for`], built by core from the deadlines stored with the plans) → core's
//! `progress::Deadline` (locked? on time?) → `Store::submit_report`.

mod export;
mod overview;
mod schedule;
mod status;
mod submit;
mod updates;
mod views;

pub use export::ExportFile;
pub use overview::{NATIONAL, Overview};
pub use submit::SubmitError;
pub use updates::TaskView;
pub use views::{
    ChildLine, DashboardData, DimensionRow, OwnReportState, PeriodChoice, ReportPageData, ReportView, dimension_label, dimension_rows,
};

use crate::App;
use time::OffsetDateTime;

/// The report use cases of an [`App`]: `app.reports().submit(…)`.
#[derive(Clone, Copy)]
pub struct Reports<'a> {
    app: &'a App,
}

impl App {
    pub fn reports(&self) -> Reports<'_> {
        Reports { app: self }
    }
}

/// A unix-millisecond time as a UTC date-time (how the status document shows submission times).
fn utc(ms: i64) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).ok()
}
