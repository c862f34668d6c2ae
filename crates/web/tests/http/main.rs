//! HTTP tests over real TCP, on SQLite and (when `CHISO_TEST_PG` is set) PostgreSQL, plus a real browser.

mod api;
mod auth;
mod browser;
mod continuity;
mod hardening;
mod helpers;
mod journey_score_sheet;
mod journey_survey;
mod journeys;
mod lists;
mod my_work;
mod overview;
mod periods;
mod phone;
mod picks;
mod plans;
mod report_children;
mod reports;
mod results;
mod scheduler;
mod scope;
mod surveys;
mod unit_moves;
mod units;
mod vietnamese;
#[path = "../../../cli/tests/visible/mod.rs"]
mod visible;
