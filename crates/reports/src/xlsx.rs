//! The quarterly scorecard as an Excel workbook, for people who sort, filter and print: a
//! "Summary" sheet (the summary box with its dashboard chart, the executive-summary shares and
//! the per-priority counts) and a "Scorecard" sheet with headings in words, the action,
//! outcome and directorate of every measure, statuses with the pack's symbols and colours, and
//! figures typed as numbers and percentages (a revision said in a note on its cell). A values
//! import reads the Scorecard sheet back ([`crate::sheet`]): figures as typed, statuses and
//! directions by their words.
//!
//! Deterministic: the document's creation time is a constant instead of the clock, and the
//! writer stamps every zip entry with the same fixed time, so the same report gives the same
//! bytes.

use std::str::FromStr;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use rust_xlsxwriter::{
    Chart, ChartFormat, ChartPoint, ChartSolidFill, ChartType, ColNum, Color, DocProperties,
    ExcelDateTime, Format, FormatAlign, FormatBorder, Note, RowNum, Workbook, Worksheet,
    XlsxError as WriterError,
};

use crate::printed::{self, Fill, SummaryLine};
use crate::quarter::{figure_of, QuarterReport};
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
    good: Format,
    middling: Format,
    bad: Format,
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
            good: body
                .clone()
                .set_background_color(Color::RGB(0xC6_EF_CE))
                .set_font_color(Color::RGB(0x00_61_00)),
            middling: body
                .clone()
                .set_background_color(Color::RGB(0xFF_EB_9C))
                .set_font_color(Color::RGB(0x9C_57_00)),
            bad: body
                .clone()
                .set_background_color(Color::RGB(0xFF_C7_CE))
                .set_font_color(Color::RGB(0x9C_00_06)),
            body,
        }
    }

    fn status(&self, fill: Fill) -> &Format {
        match fill {
            Fill::Good => &self.good,
            Fill::Middling => &self.middling,
            Fill::Bad => &self.bad,
            Fill::Neutral => &self.body,
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
    let (first, last) = write_tallies(&mut lines, report)?;
    lines.gap();
    write_executive_summary(&mut lines, report)?;
    lines.gap();
    write_priority_counts(&mut lines, report)?;
    sheet.insert_chart(4, 4, &dashboard_chart(report, first, last))?;
    Ok(sheet)
}

/// The dashboard the Q3 pack added at members' request: the summary box's counts as bars, in
/// the pack's colours, drawn from the cells beside it (rows `first` to `last`).
fn dashboard_chart(report: &QuarterReport, first: RowNum, last: RowNum) -> Chart {
    let (title, tallies) = report.summary.summary_box();
    let points: Vec<ChartPoint> = tallies
        .iter()
        .map(|tally| {
            let colour = match Fill::of_tally(&tally.key) {
                Fill::Good => 0x1B_7A_3A,
                Fill::Middling => 0xF9_A8_00,
                Fill::Bad => 0xB0_00_20,
                Fill::Neutral => 0x9C_A3_AF,
            };
            ChartPoint::new().set_format(
                ChartFormat::new().set_solid_fill(ChartSolidFill::new().set_color(colour)),
            )
        })
        .collect();
    let mut chart = Chart::new(ChartType::Bar);
    chart
        .add_series()
        .set_name(title)
        .set_categories(("Summary", first, 0, last, 0))
        .set_values(("Summary", first, 1, last, 1))
        .set_points(&points);
    chart
        .title()
        .set_name(&format!("{title} — {}", report.period));
    chart.legend().set_hidden();
    chart.set_width(640).set_height(320);
    chart
}

/// The summary box (statuses, or RAG ratings for a 2010 plan) and the direction tally.
/// Returns the rows of the summary box's counts, for the chart.
fn write_tallies(
    lines: &mut Lines<'_>,
    report: &QuarterReport,
) -> Result<(RowNum, RowNum), WriterError> {
    let summary = &report.summary;
    let (heading, tallies) = summary.summary_box();
    lines.header(&[heading, "Count", "% of all"])?;
    let first = lines.next;
    for tally in tallies {
        lines.tally(tally)?;
    }
    let counted = (first, lines.next.saturating_sub(1).max(first));
    lines.line(vec!["Total".into(), summary.total.into()])?;
    lines.gap();
    lines.header(&["Direction of travel", "Count", "% of all"])?;
    for tally in &summary.direction {
        lines.tally(tally)?;
    }
    Ok(counted)
}

/// The executive summary's counts and shares.
fn write_executive_summary(
    lines: &mut Lines<'_>,
    report: &QuarterReport,
) -> Result<(), WriterError> {
    lines.header(&["Executive summary", "Count", "Of", "%"])?;
    for line in printed::executive_summary(&report.summary) {
        match line {
            SummaryLine::Count(label, count) => lines.line(vec![label.into(), count.into()])?,
            SummaryLine::Share(label, share) => lines.share(label, share)?,
        }
    }
    Ok(())
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

/// The scorecard sheet's columns before the value columns, as people read them, each with its
/// width and whether its text wraps.
const LEADING: [(&str, u16, bool); 14] = [
    ("Ref", 9, false),
    ("Priority", 8, false),
    ("Outcome", 8, false),
    ("Corporate Plan action", 30, true),
    ("Measure", 48, true),
    ("Priority measure", 9, false),
    ("Lead officer", 20, true),
    ("Directorate", 22, true),
    ("Lead accountability", 28, true),
    ("Good performance", 12, true),
    ("Frequency", 12, true),
    ("Target", 24, true),
    ("Status", 18, false),
    ("Direction of travel", 14, false),
];
const VALUE_WIDTH: u16 = 12;
const NOTE_WIDTH: u16 = 80;

/// The sheet's header: the leading columns, the report's value columns (periods as printed,
/// which a values import reads back), the data note.
fn scorecard_header(report: &QuarterReport) -> Vec<String> {
    LEADING
        .iter()
        .map(|(heading, _, _)| (*heading).to_owned())
        .chain(report.columns.iter().cloned())
        .chain(std::iter::once("Data note".to_owned()))
        .collect()
}

/// A figure typed as a number where it reads back as typed: an unannotated number or
/// percentage (`347.1`, `87.2%`) becomes a number cell showing as many decimals as it was
/// given, a percentage formatted as one; anything else (`62 (Oct-Nov only)`, `£46.07`, `Not
/// yet available`) stays text. `sheet::read_xlsx` reads it back as the same text.
fn typed_figure(figure: &str) -> Option<(f64, String)> {
    let (digits, percent) = match figure.strip_suffix('%') {
        Some(digits) => (digits, true),
        None => (figure, false),
    };
    let unsigned = digits.strip_prefix('-').unwrap_or(digits);
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let plain = |part: &str| part.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty()
        || !plain(whole)
        || !plain(fraction)
        || (unsigned.contains('.') && fraction.is_empty())
    {
        return None;
    }
    let amount = Decimal::from_str(digits).ok()?;
    let amount = if percent {
        amount / Decimal::ONE_HUNDRED
    } else {
        amount
    };
    let decimals = if fraction.is_empty() {
        String::new()
    } else {
        format!(".{}", "0".repeat(fraction.len()))
    };
    let format = format!("0{decimals}{}", if percent { "%" } else { "" });
    // Excel stores numbers as binary floating point: the export is the one place a figure
    // becomes one, and the format shows it with the decimals it was given.
    Some((amount.to_f64()?, format))
}

fn scorecard_sheet(report: &QuarterReport, formats: &Formats) -> Result<Worksheet, WriterError> {
    let mut sheet = Worksheet::new();
    sheet.set_name("Scorecard")?;
    let header = scorecard_header(report);
    let widths: Vec<(u16, bool)> = LEADING
        .iter()
        .map(|(_, width, wraps)| (*width, *wraps))
        .chain(std::iter::repeat_n(
            (VALUE_WIDTH, true),
            report.columns.len(),
        ))
        .chain(std::iter::once((NOTE_WIDTH, true)))
        .collect();
    for (col, (heading, (width, _))) in (0 as ColNum..).zip(header.iter().zip(&widths)) {
        sheet.set_column_width(col, *width)?;
        sheet.write_string_with_format(0, col, heading, &formats.header)?;
    }
    let mut last_row: RowNum = 0;
    for (r, row) in (1 as RowNum..).zip(&report.rows) {
        let text = |sheet: &mut Worksheet, col: ColNum, value: &str, wraps: bool| {
            let format = if wraps {
                &formats.wrapped
            } else {
                &formats.body
            };
            sheet
                .write_string_with_format(r, col, value, format)
                .map(|_| ())
        };
        text(&mut sheet, 0, &row.measure_ref, false)?;
        sheet.write_number_with_format(r, 1, f64::from(row.priority), &formats.body)?;
        text(&mut sheet, 2, &row.outcome, false)?;
        text(&mut sheet, 3, &row.action, true)?;
        text(&mut sheet, 4, &row.measure, true)?;
        text(
            &mut sheet,
            5,
            if row.priority_measure { "Yes" } else { "No" },
            false,
        )?;
        text(&mut sheet, 6, &row.lead_officer, true)?;
        text(&mut sheet, 7, &row.directorate, true)?;
        text(&mut sheet, 8, &row.lead_accountability, true)?;
        text(&mut sheet, 9, &row.good_performance, true)?;
        text(&mut sheet, 10, &row.frequency, true)?;
        text(&mut sheet, 11, row.target.as_deref().unwrap_or(""), true)?;
        let (status, fill) = printed::status(row);
        sheet.write_string_with_format(r, 12, status, formats.status(fill))?;
        text(&mut sheet, 13, &printed::direction(row.direction), false)?;
        for (col, cell) in (14 as ColNum..).zip(&row.values) {
            let Some(cell) = cell else {
                continue;
            };
            let figure = figure_of(cell);
            match typed_figure(figure) {
                Some((number, format)) => {
                    let format = formats.body.clone().set_num_format(format);
                    sheet.write_number_with_format(r, col, number, &format)?;
                    // A revision is said beside the figure, as the printed pack says it.
                    if figure != cell {
                        sheet.insert_note(
                            r,
                            col,
                            &Note::new(cell.as_str()).add_author_prefix(false),
                        )?;
                    }
                }
                None => text(&mut sheet, col, cell, true)?,
            }
        }
        let note_col = ColNum::try_from(14 + row.values.len())
            .map_err(|_| WriterError::RowColumnLimitError)?;
        text(
            &mut sheet,
            note_col,
            row.note.as_deref().unwrap_or(""),
            true,
        )?;
        last_row = r;
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

    use calamine::{Data, Reader, Xlsx};
    use scoreledger_domain::{Direction, Status};

    use super::*;
    use crate::html::{self, sample};

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
    fn the_summary_sheet_draws_the_dashboard_from_its_own_counts() {
        let bytes = workbook();
        let chart = part(&bytes, "xl/charts/chart1.xml");
        assert_contains(&chart, "<c:f>Summary!$A$6:$A$11</c:f>");
        assert_contains(&chart, "<c:f>Summary!$B$6:$B$11</c:f>");
        assert_contains(&chart, "Overall status — Q3 Oct - Dec 2016");
        assert_contains(&part(&bytes, "xl/drawings/drawing1.xml"), "Chart 1");
    }

    /// The Scorecard sheet as a reader sees it: each cell, and its number format.
    fn scorecard_cells(bytes: &[u8]) -> Vec<Vec<(Data, Option<String>)>> {
        let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).unwrap();
        let range = book.worksheet_range("Scorecard").unwrap();
        let styles = book.worksheet_style("Scorecard").unwrap();
        (0u32..)
            .zip(range.rows())
            .map(|(r, cells)| {
                (0u32..)
                    .zip(cells)
                    .map(|(c, cell)| {
                        let format = styles
                            .get((r, c))
                            .and_then(|s| s.number_format.as_ref())
                            .map(|f| f.format_code.clone());
                        (cell.clone(), format)
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn the_scorecard_sheet_has_headings_in_words_typed_figures_and_the_pack_s_statuses() {
        let bytes = workbook();
        let cells = scorecard_cells(&bytes);
        let text = |r: usize, c: usize| match &cells[r][c].0 {
            Data::String(text) => text.clone(),
            other => panic!("row {r} column {c} is {other:?}, not text"),
        };
        let header: Vec<String> = (0..cells[0].len()).map(|c| text(0, c)).collect();
        assert_eq!(header, scorecard_header(&sample::report()));
        assert_eq!(
            &header[..5],
            [
                "Ref",
                "Priority",
                "Outcome",
                "Corporate Plan action",
                "Measure"
            ]
        );
        assert_eq!(header[7], "Directorate");
        assert_eq!(header[14], "2014/15");
        assert_eq!(header.last().unwrap(), "Data note");
        // 1.A3: off target and worse, its figures percentages, a revised one with its note.
        assert_eq!(text(1, 0), "1.A3");
        assert_eq!(cells[1][1].0, Data::Float(1.0));
        assert_eq!(text(1, 5), "Yes");
        assert_eq!(text(1, 7), "Children and Young People's Services");
        assert_eq!(text(1, 12), "✗ Off target");
        assert_eq!(text(1, 13), "↓ Worse");
        assert_eq!(cells[1][14], (Data::Float(0.228), Some("0.0%".to_owned())));
        assert_eq!(cells[1][18], (Data::Float(95.0), Some("0".to_owned())));
        assert_eq!(cells[1][20].0, Data::Empty);
        assert_eq!(text(1, 22), html::sample::UNSAFE_NOTE);
        assert_contains(
            &part(&bytes, "xl/comments1.xml"),
            "95 (revised; first published 112)",
        );
        // A target changed stays text; a status without data has no symbol.
        assert_eq!(text(2, 11), "95% (changed from 94%)");
        assert_eq!(cells[2][16], (Data::Float(0.89), Some("0%".to_owned())));
        assert_eq!(text(3, 12), "Not yet available");
        assert_eq!(text(3, 13), "Not applicable");
        assert_eq!(cells[3][15], (Data::Float(0.75), Some("0.0%".to_owned())));
        let sheet = part(&bytes, "xl/worksheets/sheet2.xml");
        // 14 leading columns, 8 value columns and the note: A to W; 3 rows under the header.
        assert_contains(&sheet, r#"<autoFilter ref="A1:W4"/>"#);
        assert_contains(&sheet, r#"state="frozen""#);
    }

    #[test]
    fn the_scorecard_sheet_reads_back_as_the_report_s_figures_and_assessments() {
        let report = sample::report();
        let read = crate::sheet::read_xlsx(&workbook()).expect("the export reads back");
        assert_eq!(read.rows.len(), report.rows.len());
        for (row, read) in report.rows.iter().zip(&read.rows) {
            assert_eq!(read.reference, row.measure_ref);
            let expected: Vec<(String, String)> = report
                .columns
                .iter()
                .zip(&row.values)
                .filter_map(|(column, cell)| {
                    cell.as_deref()
                        .map(|cell| (column.clone(), figure_of(cell).to_owned()))
                })
                .collect();
            let got: Vec<(String, String)> = read
                .values
                .iter()
                .map(|(period, figure)| (period.to_string(), figure_of(figure).to_owned()))
                .collect();
            assert_eq!(got, expected, "{}", row.measure_ref);
            assert_eq!(
                read.status.as_deref().map(|s| s.parse::<Status>().unwrap()),
                Some(row.status)
            );
            assert_eq!(
                read.direction
                    .as_deref()
                    .map(|d| d.parse::<Direction>().unwrap()),
                Some(row.direction)
            );
            assert_eq!(read.note, row.note);
        }
    }

    #[test]
    fn figures_are_typed_only_where_they_read_back_as_written() {
        assert_eq!(typed_figure("87.2%"), Some((0.872, "0.0%".to_owned())));
        assert_eq!(typed_figure("347.1"), Some((347.1, "0.0".to_owned())));
        assert_eq!(typed_figure("-3"), Some((-3.0, "0".to_owned())));
        for text in [
            "1,234",
            "£46.07",
            "62 (Oct-Nov only)",
            "Not yet available",
            "5.",
            ".5",
            "",
            "%",
        ] {
            assert_eq!(typed_figure(text), None, "{text:?}");
        }
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
