//! The quarterly pack as a PDF, the document councils circulate: a cover with the summary box,
//! the executive summary, the dashboard chart and the counts by priority, then the scorecard
//! table of each priority.
//!
//! Typeset by the Typst compiler, used as a library, from a template compiled into the binary
//! and the fonts Typst bundles. The report's words reach the template as JSON data, never as
//! markup. The PDF carries no date and its identifier derives from the report's SHA-256, so
//! the same report, a published one rebuilt years later included, gives the same bytes.

mod data;
mod world;

use typst::diag::SourceDiagnostic;
use typst::foundations::Smart;
use typst_layout::PagedDocument;
use typst_pdf::PdfOptions;

use scoreledger_reports::QuarterReport;

use crate::data::Pack;
use crate::world::PackWorld;

/// Why the pack could not be typeset. Not expected of any report: the template is fixed and
/// the data are strings and numbers; the messages are Typst's own, for the bug report.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// The template did not lay out.
    #[error("the pack did not typeset: {0}")]
    Typeset(String),
    /// The laid-out pages did not export.
    #[error("the pack did not export as PDF: {0}")]
    Export(String),
}

fn messages(diagnostics: &[SourceDiagnostic]) -> String {
    diagnostics
        .iter()
        .map(|d| d.message.as_str())
        .collect::<Vec<_>>()
        .join("; ")
}

/// The pack of `report`, as PDF bytes.
pub fn pack(report: &QuarterReport) -> Result<Vec<u8>, PdfError> {
    let world = PackWorld::new(Pack::of(report).to_json());
    let document: PagedDocument = typst::compile(&world)
        .output
        .map_err(|errors| PdfError::Typeset(messages(&errors)))?;
    let options = PdfOptions {
        // The document's identifier, which a PDF otherwise draws at random or from the time.
        ident: Smart::Custom(report.sha256()),
        creator: Smart::Custom(Some("Scoreledger".to_owned())),
        timestamp: None,
        ..PdfOptions::default()
    };
    typst_pdf::pdf(&document, &options).map_err(|errors| PdfError::Export(messages(&errors)))
}
