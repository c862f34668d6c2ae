//! Index results over HTTP: published results (import, ranking of all peers, a unit's page with
//! charts and weak points) and PAR-style score sheets (self score → appraisal → finalised), as pages
//! and as the JSON API under `/api/v1/results` and `/api/v1/assessments`.
//!
//! Published official results are public: every logged-in user reads every unit's (see
//! `chiso_store::results`). Score sheets are scoped by the store. Charts are ECharts
//! (`/assets/echarts.min.js`) drawn by `/assets/results-*.js` from JSON the handler puts in the
//! page (`render::script_json`); every chart has a table beside it, so the page reads without JavaScript.

use crate::auth::{CurrentUser, urlencode};
use crate::error::{ApiError, AppError, PageError};
use crate::pages::{AuditRow, Base, audit_rows};
use crate::render::script_json;
use crate::startup::AppState;
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use chiso_app::assessments::SheetView;
use chiso_app::results::{ImportError, ImportRequest, Mapping, RankTable, WeakReport, rank_table, short_name};
use chiso_core::access::Permission;
use chiso_core::framework::{Family, Framework, Source};
use chiso_core::results::ResultsFormat;
use chiso_core::results::{NodeStats, RankedUnit, Ranking, SheetAction, SheetStatus, check_may_import, rank_change_vi};
use chiso_core::text::{fold, vn_number};
use chiso_core::weakness::TaskGroup;
use chiso_store::StoreError;
use chiso_store::assessments::{AppraisalInput, Assessment, SelfScoreInput};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

pub mod api;
mod continuity;
mod index;
mod ranking;
mod sheet;
mod sheets;
mod unit;

use continuity::*;
use index::*;
use ranking::*;
use sheet::*;
use sheets::*;
use std::collections::{BTreeMap, HashMap};
use unit::*;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/results", get(index))
        .route("/results/import", post(import_upload))
        .route("/results/{framework}/{year}", get(ranking_page))
        .route("/results/{framework}/{year}/units/{code}", get(unit_page))
        .route("/results/{framework}/units/{code}", get(continuity_page))
        .route("/assessments", get(sheets_page).post(sheet_create))
        .route("/assessments/ranking", get(sheet_ranking_page))
        .route("/assessments/{id}", get(sheet_page))
        .route("/assessments/{id}/self", post(sheet_self))
        .route("/assessments/{id}/appraise", post(sheet_appraise))
        .route("/assessments/{id}/explain", post(sheet_explain))
        .route("/assessments/{id}/status", post(sheet_status))
}

// ---------------------------------------------------------------------------------------------
// Helpers

pub(super) fn framework<'a>(state: &'a AppState, code: &str) -> Result<&'a Framework, AppError> {
    state.frameworks.get(code).ok_or_else(|| AppError::NotFound(format!("bộ chỉ số '{code}'")))
}

pub(super) fn year_of(s: &str) -> Result<i32, AppError> {
    s.trim()
        .parse::<i32>()
        .ok()
        .filter(|y| (1990..=2100).contains(y))
        .ok_or_else(|| AppError::BadRequest(format!("năm '{s}' không hợp lệ")))
}

/// "8,52"; "–" for nothing.
pub(super) fn num(x: Option<f64>) -> String {
    x.map_or_else(|| "–".to_string(), |v| vn_number(v, 2))
}

/// "88,57%".
pub(super) fn pct(x: Option<f64>) -> String {
    x.map_or_else(|| "–".to_string(), |v| format!("{}%", vn_number(v, 2)))
}

/// A score the way it was written in a form: "1,5" or "1.5"; empty = none.
pub(super) fn parse_score(raw: &str, what: &str) -> Result<Option<f64>, String> {
    let t = raw.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let normal = if t.contains(',') && !t.contains('.') { t.replace(',', ".") } else { t.to_string() };
    match normal.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(Some(v)),
        _ => Err(format!("{what}: '{t}' không phải là số (vd. 1,5)")),
    }
}

/// Rank change for people: ("tăng 6 bậc", "up"), with the year compared with when it is not the
/// year before.
pub(super) fn change_text(change: Option<i32>, previous_year: Option<i32>, year: i32) -> (String, &'static str) {
    match change {
        None => ("–".into(), ""),
        Some(c) => {
            let mut t = rank_change_vi(c);
            if let Some(py) = previous_year.filter(|py| *py != year - 1) {
                t.push_str(&format!(" (so với {py})"));
            }
            (
                t,
                if c > 0 {
                    "up"
                } else if c < 0 {
                    "down"
                } else {
                    ""
                },
            )
        }
    }
}

/// "Chỉ số 1" style short labels of the root's children, for charts and narrow table heads.
pub(super) fn dim_label(fw: &Framework, code: &str) -> String {
    let tree = fw.root();
    match tree.children.iter().position(|c| c.code == code) {
        Some(i) if fw.family == Family::Papi => format!("CS{}", i + 1),
        Some(i) => format!("LV{}", i + 1),
        None => code.to_string(),
    }
}

/// "papi.d1.s2" → "1.2", "par.a3.c4" → "3.4": the numbering people use for a node.
pub(super) fn node_number(code: &str) -> String {
    let parts: Vec<&str> = code.split('.').skip(1).map(|seg| seg.trim_start_matches(|c: char| c.is_alphabetic())).collect();
    if parts.iter().all(|p| !p.is_empty()) { parts.join(".") } else { code.to_string() }
}

pub(super) fn group_class(g: TaskGroup) -> &'static str {
    match g {
        TaskGroup::Keep => "keep",
        TaskGroup::Improve => "improve",
        TaskGroup::Survey => "survey",
    }
}

pub(super) fn check_header_csrf(me: &CurrentUser, headers: &HeaderMap) -> Result<(), AppError> {
    let token = headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).unwrap_or("");
    me.check_csrf(token)
}

/// Form fields by name (the sheet forms have one field per criterion).
pub(super) struct Fields(HashMap<String, String>);

impl Fields {
    fn new(list: Vec<(String, String)>) -> Fields {
        Fields(list.into_iter().collect())
    }
    fn get(&self, k: &str) -> &str {
        self.0.get(k).map(String::as_str).unwrap_or("")
    }
    fn has(&self, k: &str) -> bool {
        self.0.contains_key(k)
    }
    fn version(&self) -> Option<i32> {
        self.get("version").trim().parse().ok()
    }
}
