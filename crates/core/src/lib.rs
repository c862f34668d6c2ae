//! Domain types and rules of chiso. Everything here is pure: no files, no network, no database.
//! Data flows request → web → core (decide) → store (persist).

pub mod access;
pub mod agency;
pub mod audit;
pub mod calendar;
pub mod evidence;
pub mod framework;
pub mod limits;
pub mod list;
pub mod period;
pub mod plan;
pub mod progress;
pub mod results;
pub mod text;
pub mod unit;
pub mod weakness;
