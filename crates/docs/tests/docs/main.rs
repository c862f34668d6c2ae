//! Integration tests of chiso-docs: the seeds against their expected extraction, round trips
//! through DOCX and XLSX, appendix tables, bad input, randomized input, PDF export.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod bad_input;
mod classify;
mod duties;
mod expected;
mod layout;
mod ooxml;
mod pdf;
mod random;
mod roundtrip;
mod seeds;
mod support;
mod tables;
