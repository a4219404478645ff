//! A scorecard sheet read back: the export's own columns, from CSV or from an XLSX workbook
//! (its "Scorecard" sheet), so that a quarter exported, filled in and imported again becomes
//! values, assessments and notes (`scoreledger_service::values`). Reading only: what the
//! cells mean for the log is decided there.
//!
//! Columns are named as either export names them ([`render::HEADINGS`]); a column headed by a
//! period holds that period's values; `classification` and `reason` may say why a row's
//! values are revised. Any other column is refused rather than silently ignored.

use std::fmt;
use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use serde::Serialize;

use scoreledger_domain::Period;

use crate::render::HEADINGS;
use crate::safe_csv::uncell;

/// Where in a file a problem is, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// "row 13" (the header being row 1 of the sheet), "measure 12", "file".
    pub location: String,
    /// The column or field.
    pub field: String,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl Problem {
    /// A problem at `location`, in `field`.
    pub fn new(location: impl Into<String>, field: impl Into<String>, message: String) -> Self {
        Self {
            location: location.into(),
            field: field.into(),
            message,
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}, field {}: {}",
            self.location, self.field, self.message
        )
    }
}

/// Every problem found in a file: reading and judging go on past the first, and nothing is
/// appended while there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problems(pub Vec<Problem>);

impl Problems {
    /// One problem.
    pub fn one(location: &str, field: &str, message: String) -> Self {
        Self(vec![Problem::new(location, field, message)])
    }
}

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the file has {} problem(s); nothing was imported",
            self.0.len()
        )?;
        for problem in self.0.iter().take(25) {
            write!(f, "\n  {problem}")?;
        }
        if self.0.len() > 25 {
            write!(f, "\n  … and {} more", self.0.len() - 25)?;
        }
        Ok(())
    }
}

impl std::error::Error for Problems {}

/// One measure's row of a sheet: only the cells that hold something.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetRow {
    /// Its row number as a spreadsheet shows it.
    pub row: usize,
    /// The measure's reference as the row gives it.
    pub reference: String,
    /// Value cells, by the period heading their column, as typed (with any revision marker
    /// the export printed: `values` compares figures without them, `quarter::figure_of`).
    pub values: Vec<(Period, String)>,
    /// The status (or RAG rating) cell.
    pub status: Option<String>,
    /// The direction-of-travel cell.
    pub direction: Option<String>,
    /// The data note.
    pub note: Option<String>,
    /// How a revised value of this row is classified.
    pub classification: Option<String>,
    /// Why this row's values are revised.
    pub reason: Option<String>,
}

impl SheetRow {
    /// Where the row is, for problems.
    pub fn location(&self) -> String {
        format!("row {} ({})", self.row, self.reference)
    }
}

/// A sheet's measure rows, in the sheet's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sheet {
    /// The rows that name a measure.
    pub rows: Vec<SheetRow>,
}

/// What a column of the sheet holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Ref,
    Value(Period),
    Status,
    Direction,
    Note,
    Classification,
    Reason,
    /// Describes the measure (its text, officer, target…): read by people, not imported.
    Described(&'static str),
}

fn column(heading: &str) -> Result<Column, String> {
    let heading = heading.trim();
    let code = HEADINGS
        .iter()
        .find(|(code, human)| {
            heading.eq_ignore_ascii_case(code) || heading.eq_ignore_ascii_case(human)
        })
        .map(|(code, _)| *code);
    Ok(match code {
        Some("ref") => Column::Ref,
        Some("status") => Column::Status,
        Some("direction") => Column::Direction,
        Some("note") => Column::Note,
        Some(code) => Column::Described(code),
        None if heading.eq_ignore_ascii_case("classification")
            || heading.eq_ignore_ascii_case("revision classification") =>
        {
            Column::Classification
        }
        None if heading.eq_ignore_ascii_case("reason")
            || heading.eq_ignore_ascii_case("reason for revision") =>
        {
            Column::Reason
        }
        None => match Period::parse(heading) {
            Ok(period) => Column::Value(period),
            Err(err) => {
                return Err(format!(
                    "unknown column: not one of the scorecard's columns, nor classification or \
                     reason, and not a period ({err}); remove it or correct its heading"
                ))
            }
        },
    })
}

/// Reads a CSV sheet (the CSV export's columns, or its human headings).
pub fn read_csv(text: &str) -> Result<Sheet, Problems> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut grid = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let record = record
            .map_err(|err| Problems::one(&format!("row {}", index + 1), "csv", err.to_string()))?;
        grid.push(record.iter().map(str::to_owned).collect());
    }
    from_grid(grid)
}

/// Reads a CSV sheet from a file's bytes, which must be UTF-8 text.
pub fn read_csv_bytes(bytes: &[u8]) -> Result<Sheet, Problems> {
    let text = std::str::from_utf8(bytes).map_err(|_| {
        Problems::one(
            "file",
            "csv",
            "not UTF-8 text; save it from the spreadsheet as \"CSV UTF-8\"".to_owned(),
        )
    })?;
    read_csv(text)
}

/// Reads an XLSX workbook's "Scorecard" sheet (its first sheet when none is so named).
pub fn read_xlsx(bytes: &[u8]) -> Result<Sheet, Problems> {
    let unreadable = |err: calamine::XlsxError| {
        Problems::one(
            "file",
            "xlsx",
            format!(
                "cannot read it as an Excel workbook ({err}); save it as .xlsx or export it as CSV"
            ),
        )
    };
    let mut workbook: Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(unreadable)?;
    let names = workbook.sheet_names();
    let name = names
        .iter()
        .find(|n| n.eq_ignore_ascii_case("Scorecard"))
        .or_else(|| names.first())
        .cloned()
        .ok_or_else(|| Problems::one("file", "xlsx", "the workbook has no sheets".into()))?;
    let range = workbook.worksheet_range(&name).map_err(unreadable)?;
    let styles = workbook.worksheet_style(&name).map_err(unreadable)?;
    let (top, left) = range.start().unwrap_or((0, 0));
    let mut grid = Vec::new();
    let mut problems = Vec::new();
    for (r, cells) in (top..).zip(range.rows()) {
        let mut line = Vec::with_capacity(cells.len());
        for (c, cell) in (left..).zip(cells) {
            let format = styles
                .get((r, c))
                .and_then(|style| style.number_format.as_ref())
                .map(|format| format.format_code.as_str());
            match cell_text(cell, format) {
                Ok(text) => line.push(text),
                Err(message) => {
                    problems.push(Problem::new(
                        format!("row {}", r + 1),
                        format!("column {}", c + 1),
                        message,
                    ));
                    line.push(String::new());
                }
            }
        }
        // Rows above the sheet's first cell are empty; keep row numbers as Excel shows them.
        if grid.is_empty() && r > 0 {
            grid.resize(r as usize, Vec::new());
        }
        grid.push(line);
    }
    if !problems.is_empty() {
        return Err(Problems(problems));
    }
    from_grid(grid)
}

/// A cell as the text a person would have typed: a number shows the decimals its format
/// gives it, and one formatted as a percentage reads as one (`0.872` as `0.0%` → `87.2%`).
fn cell_text(cell: &Data, format: Option<&str>) -> Result<String, String> {
    let percent = format.is_some_and(|f| f.contains('%'));
    let shown = |x: f64| match format.and_then(decimals) {
        Some(places) => format!("{x:.places$}"),
        None => decimal(x),
    };
    Ok(match cell {
        Data::Empty => String::new(),
        Data::String(text) => text.clone(),
        Data::Int(n) if percent => format!("{}%", shown(*n as f64 * 100.0)),
        Data::Int(n) => n.to_string(),
        Data::Float(x) if percent => format!("{}%", shown(x * 100.0)),
        Data::Float(x) => shown(*x),
        Data::Bool(b) => b.to_string(),
        Data::Error(err) => {
            return Err(format!(
                "the cell holds the error {err}; type the figure, or leave the cell empty"
            ))
        }
        Data::DateTime(_) | Data::DateTimeIso(_) | Data::DurationIso(_) => {
            return Err(format!(
                "the cell holds a date or time ({cell}); a scorecard cell holds a figure or \
                 text: format the cell as text and type it as the pack prints it"
            ))
        }
    })
}

/// The decimal places a plain number format shows (`0.0%` → 1, `0` → 0); `None` for the
/// general format and for formats this reader does not follow (grouping, currencies, dates).
fn decimals(format: &str) -> Option<usize> {
    let body = format.strip_suffix('%').unwrap_or(format);
    let (whole, fraction) = body.split_once('.').unwrap_or((body, ""));
    (!whole.is_empty() && whole.chars().all(|c| c == '0') && fraction.chars().all(|c| c == '0'))
        .then_some(fraction.len())
}

/// A number as a person would write it: up to ten decimal places, without the noise binary
/// fractions add (`87.19999999999999` → `87.2`) and without trailing zeros.
fn decimal(x: f64) -> String {
    let text = format!("{x:.10}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".to_owned()
    } else {
        text.to_owned()
    }
}

/// An assessment without the symbol the export for people prints before it (`✓ On target`
/// → `On target`).
fn words(text: &str) -> String {
    text.trim_start_matches(|c: char| !c.is_alphanumeric())
        .trim()
        .to_owned()
}

/// The rows below the header (the first row with a `ref` column), cells trimmed.
fn from_grid(grid: Vec<Vec<String>>) -> Result<Sheet, Problems> {
    let header_at = grid
        .iter()
        .position(|cells| cells.iter().any(|c| matches!(column(c), Ok(Column::Ref))))
        .ok_or_else(|| {
            Problems::one(
                "file",
                "ref",
                "no row heads a ref column; export the scorecard (report --format xlsx or csv) and fill that in".into(),
            )
        })?;
    let mut problems = Vec::new();
    let mut columns = Vec::new();
    for heading in &grid[header_at] {
        if heading.trim().is_empty() {
            columns.push(None);
            continue;
        }
        match column(heading) {
            Ok(found) => {
                if let Some(earlier) = columns.iter().position(|c| *c == Some(found)) {
                    problems.push(Problem::new(
                        format!("row {}", header_at + 1),
                        heading.trim(),
                        format!(
                            "is the same column as column {}; keep one of them",
                            earlier + 1
                        ),
                    ));
                }
                columns.push(Some(found));
            }
            Err(message) => {
                problems.push(Problem::new(
                    format!("row {}", header_at + 1),
                    heading.trim(),
                    message,
                ));
                columns.push(None);
            }
        }
    }
    if !problems.is_empty() {
        return Err(Problems(problems));
    }
    let mut rows = Vec::new();
    for (index, cells) in grid.iter().enumerate().skip(header_at + 1) {
        let row_number = index + 1;
        let mut row = SheetRow {
            row: row_number,
            reference: String::new(),
            values: Vec::new(),
            status: None,
            direction: None,
            note: None,
            classification: None,
            reason: None,
        };
        let mut anything = false;
        for (i, raw) in cells.iter().enumerate() {
            let text = uncell(raw.trim()).trim();
            if text.is_empty() {
                continue;
            }
            let Some(Some(kind)) = columns.get(i) else {
                problems.push(Problem::new(
                    format!("row {row_number}"),
                    format!("column {}", i + 1),
                    "holds something but has no heading; give the column a heading or empty it"
                        .into(),
                ));
                continue;
            };
            anything |= !matches!(kind, Column::Described(_));
            let text = text.to_owned();
            match *kind {
                Column::Ref => row.reference = text,
                Column::Value(period) => row.values.push((period, text)),
                Column::Status => row.status = Some(words(&text)),
                Column::Direction => row.direction = Some(words(&text)),
                Column::Note => row.note = Some(text),
                Column::Classification => row.classification = Some(text),
                Column::Reason => row.reason = Some(text),
                Column::Described(_) => {}
            }
        }
        if row.reference.is_empty() {
            if anything {
                problems.push(Problem::new(
                    format!("row {row_number}"),
                    "ref",
                    "the row has figures but no measure reference; fill in its ref".into(),
                ));
            }
            continue;
        }
        rows.push(row);
    }
    if !problems.is_empty() {
        return Err(Problems(problems));
    }
    Ok(Sheet { rows })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_csv_export_s_columns_read_back_as_figures_assessments_and_notes() {
        let text = "ref,measure,status,direction,Q2 2016/17,Q3 2016/17,note,reason\n\
                    1.A1,Children,on_target,improved,79.5% (revised),87.2%,'=fine,\n\
                    ,,,,,,,\n\
                    1.A2,Other,,,,,,late data\n";
        let sheet = read_csv(text).unwrap();
        assert_eq!(sheet.rows.len(), 2);
        let first = &sheet.rows[0];
        assert_eq!(first.row, 2);
        assert_eq!(
            first.values,
            [
                (Period::quarter(2016, 2), "79.5% (revised)".to_owned()),
                (Period::quarter(2016, 3), "87.2%".to_owned())
            ]
        );
        assert_eq!(first.status.as_deref(), Some("on_target"));
        assert_eq!(first.note.as_deref(), Some("=fine"));
        assert_eq!(sheet.rows[1].reason.as_deref(), Some("late data"));
        assert_eq!(sheet.rows[1].values, []);
    }

    #[test]
    fn human_headings_and_a_title_row_above_them_are_read() {
        let text = "Corporate Plan — Q3,,\nRef,Direction of travel,Data note\n2.B1,stable,ok\n";
        let sheet = read_csv(text).unwrap();
        assert_eq!(sheet.rows[0].row, 3);
        assert_eq!(sheet.rows[0].direction.as_deref(), Some("stable"));
        assert_eq!(sheet.rows[0].note.as_deref(), Some("ok"));
    }

    #[test]
    fn unknown_repeated_and_headless_columns_and_rows_without_a_ref_are_refused() {
        let problems = read_csv("ref,Q5 2016/17,status,Status\n").unwrap_err();
        let fields: Vec<&str> = problems.0.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["Q5 2016/17", "Status"]);
        assert!(
            problems.to_string().contains("unknown column"),
            "{problems}"
        );

        let problems = read_csv("ref,Q3 2016/17\n,12\n1.A1,3,extra\n").unwrap_err();
        let places: Vec<String> = problems
            .0
            .iter()
            .map(|p| format!("{}: {}", p.location, p.field))
            .collect();
        assert_eq!(places, ["row 2: ref", "row 3: column 3"]);
        assert!(read_csv("measure,status\nx,on_target\n").is_err());
    }

    #[test]
    fn numbers_read_as_a_person_wrote_them() {
        let percent = Some("0.0%");
        assert_eq!(cell_text(&Data::Float(0.872), percent).unwrap(), "87.2%");
        assert_eq!(cell_text(&Data::Float(0.75), percent).unwrap(), "75.0%");
        assert_eq!(cell_text(&Data::Float(0.8725), Some("0%")).unwrap(), "87%");
        assert_eq!(cell_text(&Data::Float(347.1), None).unwrap(), "347.1");
        assert_eq!(
            cell_text(&Data::Float(347.1), Some("General")).unwrap(),
            "347.1"
        );
        assert_eq!(
            cell_text(&Data::Float(12.0), Some("0.00")).unwrap(),
            "12.00"
        );
        assert_eq!(cell_text(&Data::Float(12.0), None).unwrap(), "12");
        assert_eq!(cell_text(&Data::Int(1), Some("0%")).unwrap(), "100%");
        assert!(cell_text(&Data::Error(calamine::CellErrorType::NA), None).is_err());
        assert_eq!(words("✓ On target"), "On target");
        assert_eq!(words("↓ Worse"), "Worse");
        assert_eq!(words("Not yet available"), "Not yet available");
    }
}
