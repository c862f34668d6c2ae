//! HTTP tests over real TCP, on SQLite and (when `CHISO_TEST_PG` is set) PostgreSQL, plus a real browser.

mod api;
mod auth;
mod browser;
mod continuity;
mod hardening;
mod helpers;
mod my_work;
mod overview;
mod periods;
mod plans;
mod reports;
mod results;
mod scheduler;
mod scope;
mod surveys;
mod units;
