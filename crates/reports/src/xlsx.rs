//! The quarterly scorecard as an Excel workbook, for officers who sort and filter: a
//! "Summary" sheet (the summary box, the executive-summary shares and the per-priority
//! counts) and a "Scorecard" sheet with exactly the header and cells of
//! [`render::csv`](crate::render::csv), so the two exports agree.
//!
//! Deterministic: the document's creation time is a constant instead of the clock, and the
//! writer stamps every zip entry with the same fixed time, so the same report gives the same
//! bytes. Percentages stay the one-decimal text the packs print; only counts are numbers.

use rust_xlsxwriter::{
    ColNum, Color, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, RowNum,
    Workbook, Worksheet, XlsxError as WriterError,
};

use crate::quarter::QuarterReport;
use crate::render;
use crate::summary::{Share, Tally};

/// Why the workbook could not be written. Not transient: retrying gives the same error, the
/// report itself (or the writer's limits) has to change.
#[derive(Debug, thiserror::Error)]
pub enum XlsxError {
    /// The writer refused part of the workbook — most often a text over Excel's limit of
    /// 32,767 characters in a cell, or more rows than a sheet holds.
    #[error(
        "write the {part} of the scorecard workbook (Excel holds at most 32,767 characters in a \
         cell and 1,048,576 rows in a sheet)"
    )]
    Write {
        /// Which part: a sheet, the document properties or the zip package.
        part: &'static str,
        /// What the writer reported.
        #[source]
        source: WriterError,
    },
}

/// Renders the report as the bytes of an `.xlsx` workbook.
pub fn scorecard(report: &QuarterReport) -> Result<Vec<u8>, XlsxError> {
    let formats = Formats::new();
    let mut workbook = Workbook::new();
    workbook.set_properties(&properties(report).map_err(failed("document properties"))?);
    workbook.push_worksheet(summary_sheet(report, &formats).map_err(failed("Summary sheet"))?);
    workbook.push_worksheet(scorecard_sheet(report, &formats).map_err(failed("Scorecard sheet"))?);
    workbook.save_to_buffer().map_err(failed("zip package"))
}

fn failed(part: &'static str) -> impl Fn(WriterError) -> XlsxError {
    move |source| XlsxError::Write { part, source }
}

/// The creation time written into the document properties. Excel would stamp the time of
/// writing, which would make every export differ; the zip entries' own fixed time (the DOS
/// epoch, 1980-01-01) serves instead.
const CREATED: (u16, u8, u8) = (1980, 1, 1);

fn properties(report: &QuarterReport) -> Result<DocProperties, WriterError> {
    let (year, month, day) = CREATED;
    Ok(DocProperties::new()
        .set_title(format!(
            "{} — Quarterly Performance Scorecard — {}",
            report.plan, report.period
        ))
        .set_subject(as_at(report))
        .set_author("Scoreledger")
        .set_comment(format!(
            "Report format {}; SHA-256 of the canonical report {}",
            report.format,
            report.sha256()
        ))
        .set_creation_datetime(&ExcelDateTime::from_ymd(year, month, day)?))
}

fn as_at(report: &QuarterReport) -> String {
    format!(
        "as at log position {}, rules v{}",
        report.position, report.rule_set_version
    )
}

/// The few cell styles the sheets use.
struct Formats {
    title: Format,
    header: Format,
    body: Format,
    wrapped: Format,
}

impl Formats {
    fn new() -> Self {
        let body = Format::new().set_align(FormatAlign::Top);
        Self {
            title: Format::new().set_bold().set_font_size(14),
            header: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Top)
                .set_background_color(Color::RGB(0xE8_EA_ED))
                .set_border_bottom(FormatBorder::Thin),
            wrapped: body.clone().set_text_wrap(),
            body,
        }
    }
}

// ---------------------------------------------------------------------------------------
// Summary sheet.

/// A cell of the summary sheet.
enum Cell {
    Text(String),
    Count(u64),
}

impl From<&str> for Cell {
    fn from(text: &str) -> Self {
        Cell::Text(text.to_owned())
    }
}

impl From<u64> for Cell {
    fn from(count: u64) -> Self {
        Cell::Count(count)
    }
}

fn percent(share: &Share) -> Cell {
    Cell::Text(share.percent.clone().unwrap_or_else(|| "-".to_owned()))
}

/// Writes the summary sheet line by line.
struct Lines<'a> {
    sheet: &'a mut Worksheet,
    next: RowNum,
    formats: &'a Formats,
}

impl Lines<'_> {
    fn write(&mut self, cells: Vec<Cell>, format: &Format) -> Result<(), WriterError> {
        for (col, cell) in (0 as ColNum..).zip(cells) {
            match cell {
                Cell::Text(text) => {
                    self.sheet
                        .write_string_with_format(self.next, col, text, format)?;
                }
                // Counts of measures are far below 2^53, so the f64 Excel stores is exact.
                Cell::Count(count) => {
                    self.sheet
                        .write_number_with_format(self.next, col, count as f64, format)?;
                }
            }
        }
        self.next += 1;
        Ok(())
    }

    fn title(&mut self, text: String) -> Result<(), WriterError> {
        let formats = self.formats;
        self.write(vec![Cell::Text(text)], &formats.title)
    }

    fn header(&mut self, headings: &[&str]) -> Result<(), WriterError> {
        let formats = self.formats;
        self.write(
            headings.iter().map(|h| Cell::from(*h)).collect(),
            &formats.header,
        )
    }

    fn line(&mut self, cells: Vec<Cell>) -> Result<(), WriterError> {
        let formats = self.formats;
        self.write(cells, &formats.body)
    }

    /// A label with a share: count, whole and percentage.
    fn share(&mut self, label: &str, share: &Share) -> Result<(), WriterError> {
        self.line(vec![
            label.into(),
            share.count.into(),
            share.of.into(),
            percent(share),
        ])
    }

    fn tally(&mut self, tally: &Tally) -> Result<(), WriterError> {
        self.line(vec![
            tally.label.as_str().into(),
            tally.share.count.into(),
            percent(&tally.share),
        ])
    }

    fn gap(&mut self) {
        self.next += 1;
    }
}

fn summary_sheet(report: &QuarterReport, formats: &Formats) -> Result<Worksheet, WriterError> {
    let mut sheet = Worksheet::new();
    sheet.set_name("Summary")?;
    sheet.set_column_width(0, 62)?;
    for col in 1..=12 {
        sheet.set_column_width(col, 13)?;
    }
    let mut lines = Lines {
        sheet: &mut sheet,
        next: 0,
        formats,
    };
    lines.title(format!("{} — Quarterly Performance Scorecard", report.plan))?;
    lines.line(vec![Cell::Text(format!(
        "{} — {}",
        report.period,
        as_at(report)
    ))])?;
    lines.line(vec![
        "SHA-256 of the canonical report".into(),
        Cell::Text(report.sha256()),
    ])?;
    lines.gap();
    write_tallies(&mut lines, report)?;
    lines.gap();
    write_executive_summary(&mut lines, report)?;
    lines.gap();
    write_priority_counts(&mut lines, report)?;
    Ok(sheet)
}

/// The summary box (statuses, or RAG ratings for a 2010 plan) and the direction tally.
fn write_tallies(lines: &mut Lines<'_>, report: &QuarterReport) -> Result<(), WriterError> {
    let summary = &report.summary;
    let (heading, tallies) = if summary.rag.is_empty() {
        ("Overall status", &summary.status)
    } else {
        ("RAG rating", &summary.rag)
    };
    lines.header(&[heading, "Count", "% of all"])?;
    for tally in tallies {
        lines.tally(tally)?;
    }
    lines.line(vec!["Total".into(), summary.total.into()])?;
    lines.gap();
    lines.header(&["Direction of travel", "Count", "% of all"])?;
    for tally in &summary.direction {
        lines.tally(tally)?;
    }
    Ok(())
}

/// The shares of the executive summary, as `render::summary_table` words them.
fn write_executive_summary(
    lines: &mut Lines<'_>,
    report: &QuarterReport,
) -> Result<(), WriterError> {
    let summary = &report.summary;
    let pm = &summary.priority_measures;
    lines.header(&["Executive summary", "Count", "Of", "%"])?;
    lines.line(vec![
        "Measures with data this quarter".into(),
        summary.measured.into(),
    ])?;
    lines.share(
        "On target, of those with data",
        &summary.on_target_of_measured,
    )?;
    lines.share(
        "Not progressed (off target), of those with data",
        &summary.off_target_of_measured,
    )?;
    lines.line(vec![
        "Measures with a direction of travel".into(),
        summary.with_direction.into(),
    ])?;
    lines.share(
        "Improved, of those with a direction",
        &summary.improved_of_directed,
    )?;
    lines.share(
        "Got worse, of those with a direction",
        &summary.worse_of_directed,
    )?;
    lines.line(vec!["Priority measures".into(), pm.total.into()])?;
    lines.line(vec![
        "Priority measures with data".into(),
        pm.with_data.into(),
    ])?;
    lines.share("Priority measures hitting target", &pm.on_target)?;
    lines.share("Priority measures missing target", &pm.off_target)?;
    lines.share(
        "Priority measures on track but not yet hitting target",
        &pm.satisfactory,
    )?;
    lines.line(vec![
        "Priority measures without data yet".into(),
        pm.not_yet_available.into(),
    ])?;
    lines.line(vec![
        "Priority measures without a specific target".into(),
        pm.not_applicable.into(),
    ])?;
    lines.line(vec![
        "Priority measures with a direction of travel".into(),
        pm.with_direction.into(),
    ])?;
    lines.share("Priority measures improving", &pm.improved)?;
    lines.share("Priority measures declining", &pm.worse)?;
    lines.share("Priority measures stable", &pm.stable)
}

fn write_priority_counts(lines: &mut Lines<'_>, report: &QuarterReport) -> Result<(), WriterError> {
    lines.header(&[
        "Priority",
        "Measures",
        "With data",
        "On target",
        "% of with data",
        "Satisfactory",
        "% of with data",
        "Off target",
        "% of with data",
        "Under development",
        "Not applicable",
        "Not yet available",
    ])?;
    for p in &report.summary.by_priority {
        lines.line(vec![
            Cell::Text(format!("{}. {}", p.number, p.title)),
            p.total.into(),
            p.measured.into(),
            p.on_target.count.into(),
            percent(&p.on_target),
            p.satisfactory.count.into(),
            percent(&p.satisfactory),
            p.off_target.count.into(),
            percent(&p.off_target),
            p.under_development.into(),
            p.not_applicable.into(),
            p.not_yet_available.into(),
        ])?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Scorecard sheet.

/// Width and whether the text wraps, for each of `render::LEADING_COLUMNS`.
const LEADING_LAYOUT: [(u8, bool); 13] = [
    (10, false),
    (10, false),
    (8, false),
    (8, false),
    (48, true),
    (10, false),
    (20, true),
    (30, true),
    (12, true),
    (12, true),
    (26, true),
    (16, false),
    (14, false),
];
const VALUE_WIDTH: u8 = 16;
const NOTE_WIDTH: u8 = 80;

/// Width and wrapping per column: the leading columns as listed, value columns narrow and
/// wrapped (annotations make them long), the note wide and wrapped.
fn column_layout(column_count: usize) -> Vec<(u8, bool)> {
    let values = column_count.saturating_sub(LEADING_LAYOUT.len() + 1);
    LEADING_LAYOUT
        .iter()
        .copied()
        .chain(std::iter::repeat_n((VALUE_WIDTH, true), values))
        .chain(std::iter::once((NOTE_WIDTH, true)))
        .collect()
}

fn scorecard_sheet(report: &QuarterReport, formats: &Formats) -> Result<Worksheet, WriterError> {
    let mut sheet = Worksheet::new();
    sheet.set_name("Scorecard")?;
    let header = render::csv_header(report);
    let layout = column_layout(header.len());
    for (col, (heading, &(width, _))) in (0 as ColNum..).zip(header.iter().zip(&layout)) {
        sheet.set_column_width(col, width)?;
        sheet.write_string_with_format(0, col, heading, &formats.header)?;
    }
    let mut last_row: RowNum = 0;
    for (row_number, row) in (1 as RowNum..).zip(&report.rows) {
        for (col, (text, &(_, wraps))) in
            (0 as ColNum..).zip(render::csv_record(row).into_iter().zip(&layout))
        {
            let format = if wraps {
                &formats.wrapped
            } else {
                &formats.body
            };
            sheet.write_string_with_format(row_number, col, text, format)?;
        }
        last_row = row_number;
    }
    let last_col = ColNum::try_from(header.len().saturating_sub(1))
        .map_err(|_| WriterError::RowColumnLimitError)?;
    // The header stays in view and the reference beside every row while scrolling.
    sheet.set_freeze_panes(1, 1)?;
    sheet.autofilter(0, 0, last_row, last_col)?;
    sheet.set_repeat_rows(0, 0)?;
    sheet.set_landscape();
    sheet.set_paper_size(9); // A4
    sheet.set_print_fit_to_pages(1, 0);
    Ok(sheet)
}

#[cfg(test)]
mod tests {
    use std::io::{Cursor, Read};

    use super::*;
    use crate::html::sample;
    use crate::render;

    fn workbook() -> Vec<u8> {
        scorecard(&sample::report()).expect("the sample report fits in a workbook")
    }

    /// The text of one part of the package.
    fn part(bytes: &[u8], name: &str) -> String {
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).expect("an xlsx is a zip");
        let mut file = archive
            .by_name(name)
            .unwrap_or_else(|e| panic!("no {name}: {e}"));
        let mut text = String::new();
        file.read_to_string(&mut text).expect("parts are UTF-8 XML");
        text
    }

    #[track_caller]
    fn assert_contains(text: &str, fragment: &str) {
        assert!(text.contains(fragment), "{fragment:?} not in:\n{text}");
    }

    #[test]
    fn the_workbook_is_a_zip_package() {
        assert_eq!(&workbook()[..4], b"PK\x03\x04");
    }

    #[test]
    fn the_same_report_gives_the_same_bytes() {
        assert_eq!(workbook(), workbook());
    }

    #[test]
    fn the_workbook_has_a_summary_and_a_scorecard_sheet() {
        let bytes = workbook();
        let book = part(&bytes, "xl/workbook.xml");
        assert_contains(&book, r#"<sheet name="Summary" sheetId="1""#);
        assert_contains(&book, r#"<sheet name="Scorecard" sheetId="2""#);
    }

    #[test]
    fn the_properties_carry_the_title_and_a_fixed_creation_time() {
        let core = part(&workbook(), "docProps/core.xml");
        assert_contains(
            &core,
            "<dc:title>Corporate Plan 2016/17 — Quarterly Performance Scorecard — Q3 Oct - Dec 2016</dc:title>",
        );
        assert_contains(
            &core,
            r#"<dcterms:created xsi:type="dcterms:W3CDTF">1980-01-01T00:00:00Z</dcterms:created>"#,
        );
        assert_contains(&core, &sample::report().sha256());
    }

    #[test]
    fn the_scorecard_sheet_holds_every_cell_escaped() {
        let bytes = workbook();
        let strings = part(&bytes, "xl/sharedStrings.xml");
        assert_contains(&strings, "Data &lt;b&gt;&amp;");
        assert_contains(&strings, "95 (revised; first published 112)");
        assert_contains(&strings, "95% (changed from 94%)");
        assert_contains(&strings, "<t>Q3 Oct - Dec 2016</t>");
        assert_contains(&strings, "<t>lead_accountability</t>");
        let sheet = part(&bytes, "xl/worksheets/sheet2.xml");
        // 13 leading columns, 8 value columns and the note: A to V; 3 rows under the header.
        assert_contains(&sheet, r#"<autoFilter ref="A1:V4"/>"#);
        assert_contains(&sheet, r#"state="frozen""#);
    }

    #[test]
    fn the_summary_sheet_counts_as_the_summary_does() {
        let bytes = workbook();
        let strings = part(&bytes, "xl/sharedStrings.xml");
        assert_contains(&strings, "<t>Executive summary</t>");
        assert_contains(
            &strings,
            "<t>1. Every child making the best start in life</t>",
        );
        let sheet = part(&bytes, "xl/worksheets/sheet1.xml");
        // Total of all measures, as a number beside its label (row 12: 3 title lines, a gap,
        // the header and six statuses).
        assert_contains(&sheet, r#"<c r="B12" s="2"><v>3</v></c>"#);
    }

    #[test]
    fn the_scorecard_sheet_agrees_with_the_csv_export() {
        let report = sample::report();
        let csv_text = render::csv(&report);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(csv_text.as_bytes());
        let csv_records: Vec<Vec<String>> = reader
            .records()
            .map(|r| {
                r.expect("render::csv writes valid CSV")
                    .iter()
                    .map(str::to_owned)
                    .collect()
            })
            .collect();
        let mut ours = vec![render::csv_header(&report)];
        ours.extend(report.rows.iter().map(render::csv_record));
        assert_eq!(ours, csv_records);
        assert_eq!(column_layout(ours[0].len()).len(), ours[0].len());
    }

    #[test]
    fn a_text_too_long_for_a_cell_names_the_sheet() {
        let mut report = sample::report();
        report.rows[0].note = Some("x".repeat(40_000));
        let err = scorecard(&report).expect_err("Excel cells hold 32,767 characters");
        assert!(
            matches!(
                err,
                XlsxError::Write {
                    part: "Scorecard sheet",
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(
            err.to_string().starts_with("write the Scorecard sheet"),
            "{err}"
        );
    }
}
