//! The use cases of chiso — the one API that the web server and the command line call.
//!
//! Data flows one way: a caller (web handler, CLI command) asks a use case here; the use case reads what it
//! needs through the store (which enforces the caller's scope), lets core decide (pure rules, no I/O, no
//! clock), writes through the store (one transaction, audited) and returns typed results. Nothing here knows
//! about HTTP or the terminal; nothing below here reads the clock — [`App::clock`] does.
//!
//! Where to add a use case: a function (or method on [`App`]) in the module of its domain, with its own error
//! enum implementing [`Failure`] when it can fail in ways a person must be told about.

pub mod assessments;
pub mod clock;
pub mod demo;
pub mod error;
pub mod figures;
pub mod lists;
pub mod my_work;
mod notices;
pub mod plans;
pub mod reminders;
pub mod reports;
pub mod results;
pub mod surveys;
pub mod units;

pub use clock::Clock;
pub use error::{ErrorKind, Failure, ServiceError, ServiceResult};

use chiso_core::calendar::Calendar;
use chiso_core::framework::FrameworkSet;
use chiso_store::Store;
use std::sync::Arc;

/// Settings that use cases need and that the operator sets (the command line, the environment).
#[derive(Clone, Debug, Default)]
pub struct Settings {
    /// The address people reach the server at (e.g. "https://chiso.sonla.gov.vn"), for links in invitations
    /// and e-mails. Never taken from a request's Host header.
    pub base_url: Option<String>,
}

/// Everything a use case needs, built once per process: the store, the frameworks, the holiday calendar
/// (parsed once), the clock and the settings. Cheap to clone.
#[derive(Clone)]
pub struct App {
    pub store: Store,
    pub frameworks: Arc<FrameworkSet>,
    pub calendar: Arc<Calendar>,
    pub clock: Clock,
    pub settings: Arc<Settings>,
    /// Figures computed from rows, kept while their subtree's revision stays the same ([`figures`]), shared
    /// by the clones of this `App`.
    pub figures: Arc<figures::FiguresCache>,
}

impl App {
    pub fn new(store: Store, frameworks: Arc<FrameworkSet>) -> App {
        App {
            store,
            frameworks,
            calendar: Arc::new(Calendar::vietnam()),
            clock: Clock::System,
            settings: Arc::new(Settings::default()),
            figures: Arc::default(),
        }
    }

    pub fn with_clock(mut self, clock: Clock) -> App {
        self.clock = clock;
        self
    }

    pub fn with_settings(mut self, settings: Settings) -> App {
        self.settings = Arc::new(settings);
        self
    }

    /// Now, in Unix milliseconds, by the application's clock.
    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    /// Today in Vietnam, by the application's clock.
    pub fn today(&self) -> time::Date {
        self.clock.today()
    }
}
