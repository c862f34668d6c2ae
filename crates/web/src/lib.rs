//! The HTTP layer of chiso: Vietnamese HTML pages (English second), the JSON API under `/api/v1` with its
//! OpenAPI document, login sessions and CSRF protection. Thin by design: it parses requests, asks the store
//! (which enforces scope) and renders. Every asset is served by the binary itself.

pub mod api;
pub mod assets;
pub mod audit;
pub mod auth;
pub mod error;
pub mod extract;
pub mod form;
pub mod i18n;
pub mod labels;
pub mod lists;
pub mod my_work;
pub mod openapi;
pub mod pages;
pub mod plans;
pub mod render;
pub mod reports;
pub mod results;
pub mod startup;
pub mod state;
pub mod surveys;
pub mod unit_moves;

pub use startup::{AppState, Application, router};
