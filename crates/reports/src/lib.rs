//! Deterministic reports: a pure function of the read-model rows at a position and the
//! rule-set version, rendered as a terminal table, CSV or canonical JSON with its SHA-256.
//!
//! Architecture invariant: no clock, no hash-map order, no floats; percentages to one
//! decimal place as the packs print them; refs in natural order.

pub mod canonical;
pub mod diff;
pub mod quarter;
pub mod render;
pub mod summary;

pub use canonical::{canonical_json, sha256_hex};
pub use diff::{diff, CellChange};
pub use quarter::{build_quarter_report, first_difference, QuarterReport, ReportRow};
pub use summary::{PriorityMeasureSummary, PrioritySummary, Share, Summary, Tally};
