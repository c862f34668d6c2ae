//! Importing one year of published results: parse (core), map the file's unit codes (core), store the
//! year (the store checks who may — core's `check_may_import` — and what would be removed).

use super::Results;
use crate::{ErrorKind, Failure};
use chiso_core::access::Scope;
use chiso_core::framework::Framework;
use chiso_core::results::{ResultsError, ResultsFormat, default_mapping, map_unit_codes, parse_results, parse_unit_mapping};
use chiso_store::StoreError;
use chiso_store::results::{ResultsImport, ResultsImportError, ResultsImportSummary, UnitName};

/// How the file's unit codes become the system's.
#[derive(Debug, Clone, Copy)]
pub enum Mapping<'a> {
    /// The framework's shipped mapping (PAPI province codes), none for other frameworks.
    Default,
    /// A mapping file: its name and text.
    File { name: &'a str, text: &'a str },
    /// The file uses the system's unit codes.
    None,
}

/// One results file to import.
#[derive(Debug, Clone, Copy)]
pub struct ImportRequest<'a> {
    pub framework: &'a Framework,
    pub year: i32,
    pub text: &'a str,
    pub format: ResultsFormat,
    pub mapping: Mapping<'a>,
    /// Where the data came from (file name).
    pub source: &'a str,
    /// The person confirmed that the import may remove results already published for the year.
    pub confirm_removal: bool,
}

/// Why an import was refused. Nothing is stored in every case.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The mapping file is wrong (every problem with line and column).
    #[error("tệp ánh xạ '{name}' có lỗi, chưa nhập gì: {error}")]
    Mapping { name: String, error: ResultsError },
    /// The results file is wrong (every problem with line and column), including a header-only file.
    #[error("{0}")]
    File(ResultsError),
    /// The import would remove the published results of these units and was not confirmed.
    #[error("{}", ResultsImportError::RemovalNotConfirmed(.0.clone()))]
    RemovalNotConfirmed(Vec<UnitName>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Failure for ImportError {
    fn kind(&self) -> ErrorKind {
        match self {
            ImportError::Mapping { .. } | ImportError::File(_) => ErrorKind::Unprocessable,
            ImportError::RemovalNotConfirmed(_) => ErrorKind::Conflict,
            ImportError::Store(e) => e.kind(),
        }
    }
    fn code(&self) -> &'static str {
        match self {
            ImportError::Mapping { .. } => "bad_mapping",
            ImportError::File(_) => "bad_file",
            ImportError::RemovalNotConfirmed(_) => "removal_not_confirmed",
            ImportError::Store(e) => e.code(),
        }
    }
}

impl From<ResultsImportError> for ImportError {
    fn from(e: ResultsImportError) -> Self {
        match e {
            ResultsImportError::File(e) => ImportError::File(e),
            ResultsImportError::RemovalNotConfirmed(u) => ImportError::RemovalNotConfirmed(u),
            ResultsImportError::Store(e) => ImportError::Store(e),
        }
    }
}

impl Results<'_> {
    /// Import one year: all rows or none; re-importing replaces the year (audited); removing published
    /// units needs `confirm_removal`. Only an administrator of the whole system may (national data).
    pub async fn import(&self, scope: &Scope, req: ImportRequest<'_>) -> Result<ResultsImportSummary, ImportError> {
        // Who may import is checked before any file is read (the store checks it again when writing).
        chiso_core::results::check_may_import(scope).map_err(StoreError::Forbidden)?;
        let fw = req.framework;
        let map_text = match req.mapping {
            Mapping::Default => default_mapping(fw).map(|t| ("province-units.csv", t)),
            Mapping::File { name, text } => Some((name, text)),
            Mapping::None => None,
        };
        let map = match map_text {
            Some((name, text)) => Some(parse_unit_mapping(text).map_err(|error| ImportError::Mapping { name: name.to_string(), error })?),
            None => None,
        };
        let parsed = parse_results(fw, req.year, req.text, req.format).map_err(ImportError::File)?;
        let data = match &map {
            Some(m) => map_unit_codes(parsed, m).map_err(ImportError::File)?,
            None => parsed,
        };
        let store_req = ResultsImport {
            framework: fw,
            year: req.year,
            data: &data,
            mapping: map.as_ref(),
            source: req.source,
            confirm_removal: req.confirm_removal,
        };
        Ok(self.app.store.import_results(scope, store_req).await?)
    }
}
