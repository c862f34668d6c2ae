//! The demo data: the seed plans imported as a user would, a living year of progress and reports.
