//! Plan documents in and out.
//!
//! **Reading** — [`parse_plan`] takes plain text, Markdown, the text of a web page (with its
//! banners), a DOCX or an XLSX task table, decides the format by content, and returns a
//! [`ParsedPlan`]. It never panics; bad input gives a [`DocError`] that names the file.
//! Limits: input ≤ [`MAX_INPUT_BYTES`]; each ZIP entry ≤ [`zipsafe::MAX_ENTRY_BYTES`]
//! decompressed (declared sizes checked, bytes counted while inflating); XML nesting ≤
//! [`MAX_XML_DEPTH`].
//!
//! What counts as a **task**:
//! * the leaves of the numbering tree (numbered items, lettered items and bullets) under
//!   the sections whose heading names tasks ("NHIỆM VỤ…", "GIẢI PHÁP…", "NỘI DUNG…", but
//!   not "MỤC ĐÍCH, YÊU CẦU" or "TỔ CHỨC THỰC HIỆN"); an item with sub-items is a group,
//!   not a task; "… như sau:" introductions and "(…)" notes are not tasks;
//! * in a document without Roman sections (a web page's list "1. … 7."), the leaves of
//!   the whole body;
//! * a task section written as plain paragraphs: each paragraph ("II.p1", "II.p2");
//! * every row of an appendix task table ("PL.I.3": group row "I", STT 3).
//!
//! Unnumbered paragraphs under an item are its `details` when the item is a heading (no
//! final full stop, short, or bold), when the list continues after them, or when an
//! earlier sibling has details; otherwise they belong to the enclosing section. An
//! unnumbered paragraph among bullets is a bullet whose dash was lost.
//!
//! Task **codes** follow the outline (see [`Section`]): "II.1.1" ("1.1." under section II),
//! "II.3.b", "II.1.-2" (second bullet under II.1), "3" (item 3 of a document without
//! sections); a code that would repeat gets "_2".
//!
//! **Classifying** — [`classify`] / [`classify_in`] map a task to framework nodes
//! (`papi.d1` … `papi.d8`, sub-dimensions `papi.d2.2`, PAR INDEX areas `par.a1` …
//! `par.a8`) with keyword rules over folded text and the headings above the task.
//!
//! **Writing** — [`write_docx`], [`write_xlsx`] and [`write_pdf`] render a
//! [`PlanDocument`] in the layout of Nghị định 30/2020/NĐ-CP, Phụ lục I.

mod blocks;
mod classify;
mod document;
mod docx_read;
mod docx_write;
mod duties;
mod error;
mod extract;
mod frame;
mod model;
mod outline;
mod pdf;
mod plan;
mod table;
mod text_in;
mod textutil;
mod xlsx_read;
mod xlsx_write;
pub mod zipsafe;

pub use classify::{Family, classify, classify_in, dimension_of};
pub use document::{AppendixGroup, AppendixRow, PlanDocument, appendix_groups, based_on_sentence, roman, vn_date_line};
pub use docx_read::MAX_XML_DEPTH;
pub use docx_write::write_docx;
pub use error::DocError;
pub use model::{Assignment, BasedOn, Deadline, ParsedPlan, Section, Signer, Task, TaskJson};
pub use pdf::{PDF_TIMEOUT, find_libreoffice, write_pdf};
pub use plan::{MAX_INPUT_BYTES, parse_plan};
pub use xlsx_write::write_xlsx;
