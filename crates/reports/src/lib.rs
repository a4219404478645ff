//! Deterministic reports: a pure function of the read-model rows at a position and the
//! rule-set version, rendered as a terminal table, CSV, canonical JSON with its SHA-256, a
//! printable HTML scorecard or an Excel workbook (the PDF is `scoreledger-pdf`'s).
//!
//! Architecture invariant: no clock, no hash-map order, no floats; percentages to one
//! decimal place as the packs print them; refs in natural order.

pub mod action_rag;
pub mod audit;
pub mod canonical;
pub mod carried;
pub mod chart;
pub mod claims;
pub mod comparability;
pub mod compare;
pub mod diff;
pub mod governance;
pub mod html;
pub mod narrative;
pub mod observations;
pub mod plan_update;
pub mod printed;
pub mod priority_sets;
pub mod quarter;
pub mod refresh;
pub mod render;
pub mod restatement;
pub mod safe_csv;
pub mod sheet;
pub mod summary;
pub mod word_diff;
pub mod xlsx;

pub use canonical::{canonical_json, sha256_hex};
pub use compare::{
    compare, compare_measures, figures_shown, Figure, FigureChange, MeasureChange, MeasureFigures,
};
pub use diff::{diff, CellChange};
pub use quarter::{build_quarter_report, first_difference, QuarterReport, ReportRow};
pub use restatement::{restatements, Restatement};
pub use summary::{PriorityMeasureSummary, PrioritySummary, Share, Summary, Tally};
pub use xlsx::XlsxError;
