//! Values imports: a quarter exported, filled in as a spreadsheet, previewed, applied, and
//! imported again without appending anything.

use std::io::Cursor;
use std::path::Path;

use calamine::{Data, Reader, Xlsx};
use rust_xlsxwriter::{Format, Workbook};
use serde_json::Value;

use crate::support::{assert_success, commits, run_in, stderr, stdout, Workspace};

const Q4: &str = "Q4 2016/17";

/// A cell of a sheet and its number format.
type Cell = (Data, Option<String>);

/// The export's Scorecard sheet, cell by cell, each with its number format.
fn read_scorecard(path: &Path) -> Vec<Vec<Cell>> {
    let bytes = std::fs::read(path).unwrap();
    let mut workbook: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    let range = workbook.worksheet_range("Scorecard").unwrap();
    let styles = workbook.worksheet_style("Scorecard").unwrap();
    (0u32..)
        .zip(range.rows())
        .map(|(r, cells)| {
            (0u32..)
                .zip(cells)
                .map(|(c, cell)| {
                    let format = styles
                        .get((r, c))
                        .and_then(|style| style.number_format.as_ref())
                        .map(|format| format.format_code.clone());
                    (cell.clone(), format)
                })
                .collect()
        })
        .collect()
}

/// Writes `rows` as a workbook's Scorecard sheet the way a spreadsheet saves a person's
/// edits: text as text, numbers as numbers in their formats (a percentage typed as one is a
/// number formatted as a percentage).
fn write_scorecard(path: &Path, rows: &[Vec<Cell>]) {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Scorecard").unwrap();
    for (r, row) in (0u32..).zip(rows) {
        for (c, (cell, format)) in (0u16..).zip(row) {
            match (cell, format) {
                (Data::String(text), _) => {
                    sheet.write_string(r, c, text).unwrap();
                }
                (Data::Float(x), Some(format)) => {
                    let format = Format::new().set_num_format(format);
                    sheet.write_number_with_format(r, c, *x, &format).unwrap();
                }
                (Data::Float(x), None) => {
                    sheet.write_number(r, c, *x).unwrap();
                }
                (Data::Empty, _) => {}
                (other, _) => panic!("the export holds an unexpected cell {other:?}"),
            }
        }
    }
    workbook.save(path).unwrap();
}

fn column(rows: &[Vec<Cell>], heading: &str) -> usize {
    rows[0]
        .iter()
        .position(|(h, _)| *h == Data::String(heading.into()))
        .unwrap_or_else(|| panic!("no column {heading}"))
}

fn row_of(rows: &[Vec<Cell>], reference: &str) -> usize {
    rows.iter()
        .position(|r| r[0].0 == Data::String(reference.into()))
        .unwrap_or_else(|| panic!("no row {reference}"))
}

fn cell(rows: &[Vec<Cell>], reference: &str, heading: &str) -> Data {
    rows[row_of(rows, reference)][column(rows, heading)]
        .0
        .clone()
}

fn text(text: &str) -> Cell {
    (Data::String(text.into()), None)
}

#[test]
fn a_quarter_exported_filled_in_and_imported_lands_once() {
    let workspace = Workspace::new();
    let db = workspace.db();
    assert_success(&run_in(&db, &["demo", "--keep", db.to_str().unwrap()]));
    let exported = workspace.dir.path().join("q4.xlsx");
    let export = |path: &Path| {
        assert_success(&run_in(
            &db,
            &[
                "report",
                "--period",
                Q4,
                "--format",
                "xlsx",
                "-o",
                path.to_str().unwrap(),
            ],
        ));
    };
    export(&exported);
    let mut rows = read_scorecard(&exported);
    assert_eq!(cell(&rows, "1.A2", "Q3 Oct - Dec 2016"), Data::Float(0.68));

    // Exported and imported unchanged: every cell is what the log holds.
    let before = commits(&workspace);
    let unchanged = import(&db, &exported, &["--dry-run", "--json"]);
    assert_eq!(unchanged["commits"], 0, "{unchanged}");
    assert!(unchanged["cells"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["outcome"] == "unchanged"));

    // The officer's edits: a Q4 figure and note for 1.A1, and 1.A2's Q3 figure corrected,
    // typed into the spreadsheet as a percentage, with the reason in columns of its own.
    let (a1, a2) = (row_of(&rows, "1.A1"), row_of(&rows, "1.A2"));
    let q4 = column(&rows, "Q4 Jan - Mar 2017");
    let q3 = column(&rows, "Q3 Oct - Dec 2016");
    let note = column(&rows, "Data note");
    rows[a1][q4] = (Data::Float(380.2), None);
    rows[a1][note] = text("Q4 from the CIN census");
    rows[a2][q3] = (Data::Float(0.7), Some("0%".into()));
    for row in rows.iter_mut() {
        row.extend([(Data::Empty, None), (Data::Empty, None)]);
    }
    let width = rows[0].len();
    rows[0][width - 2] = text("classification");
    rows[0][width - 1] = text("reason");
    rows[a2][width - 2] = text("correction");
    let edited = workspace.dir.path().join("q4-edited.xlsx");
    write_scorecard(&edited, &rows);

    // Without a reason the revision is refused, by row, and nothing lands.
    let refused = run_in(
        &db,
        &["import-values", edited.to_str().unwrap(), "--period", Q4],
    );
    assert_eq!(refused.status.code(), Some(3), "{}", stdout(&refused));
    assert!(
        stderr(&refused).contains("row 3 (1.A2), field reason"),
        "{}",
        stderr(&refused)
    );
    assert_eq!(commits(&workspace), before);

    rows[a2][width - 1] = text("typed 68 for 70 in the Q3 return");
    write_scorecard(&edited, &rows);
    let preview = import(&db, &edited, &["--dry-run", "--json"]);
    let changed: Vec<String> = preview["cells"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["outcome"] != "unchanged")
        .map(|c| {
            format!(
                "{} {} {}: {} → {} {}",
                c["measure"].as_str().unwrap(),
                c["period"].as_str().unwrap(),
                c["field"].as_str().unwrap(),
                c["before"].as_str().unwrap_or("—"),
                c["after"].as_str().unwrap(),
                c["outcome"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        changed,
        [
            "1.A1 Q4 Jan - Mar 2017 value: — → 380.2 new",
            "1.A1 Q4 Jan - Mar 2017 note: — → Q4 from the CIN census new",
            "1.A2 Q3 Oct - Dec 2016 value: 68% → 70% revision",
        ]
    );
    assert_eq!(preview["commits"], 2);
    assert_eq!(commits(&workspace), before, "a dry run appends nothing");

    let applied = run_in(
        &db,
        &["import-values", edited.to_str().unwrap(), "--period", Q4],
    );
    assert_success(&applied);
    assert!(
        stdout(&applied).contains("appended 2 commits"),
        "{}",
        stdout(&applied)
    );
    assert_eq!(commits(&workspace), before + 2);

    // The revision is in the history with its classification and reason.
    let history = crate::support::json_lines_of(&db, &["history", "-m", "1.A2", "--json"]);
    let revision = history
        .iter()
        .find(|e| e["event_type"] == "ValueRevised")
        .expect("a revision in 1.A2's history");
    assert_eq!(revision["classification"], "correction");
    assert_eq!(revision["reason"], "typed 68 for 70 in the Q3 return");
    assert_eq!(revision["after"], "70%");

    // The same file again, and a fresh export of the new state: nothing to append.
    let again = run_in(
        &db,
        &["import-values", edited.to_str().unwrap(), "--period", Q4],
    );
    assert_success(&again);
    assert!(
        stdout(&again).contains("nothing to append"),
        "{}",
        stdout(&again)
    );
    let reexported = workspace.dir.path().join("q4-again.xlsx");
    export(&reexported);
    assert_eq!(
        cell(&read_scorecard(&reexported), "1.A2", "Q3 Oct - Dec 2016"),
        Data::Float(0.7)
    );
    let unchanged = import(&db, &reexported, &["--dry-run", "--json"]);
    assert_eq!(unchanged["commits"], 0, "{unchanged}");
    assert_eq!(commits(&workspace), before + 2);
}

#[test]
fn a_sheet_naming_an_unknown_measure_or_a_bad_figure_is_refused_by_row() {
    let workspace = Workspace::new();
    let db = crate::support::shared_demo();
    let sheet = workspace.file(
        "q4.csv",
        "ref,Q4 2016/17,status,direction\n1.A1,,on_target,upwards\n9.Z9,12,,\n",
    );
    let output = run_in(
        db,
        &[
            "import-values",
            sheet.to_str().unwrap(),
            "--period",
            Q4,
            "--dry-run",
        ],
    );
    assert_eq!(output.status.code(), Some(3), "{}", stdout(&output));
    let said = stderr(&output);
    assert!(said.contains("row 2 (1.A1), field direction"), "{said}");
    assert!(
        said.contains("row 3 (9.Z9), field ref: no measure 9.Z9"),
        "{said}"
    );
}

fn import(db: &Path, sheet: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["import-values", sheet.to_str().unwrap(), "--period", Q4];
    args.extend_from_slice(extra);
    let output = run_in(db, &args);
    assert_success(&output);
    serde_json::from_str(&stdout(&output)).expect("the preview is JSON")
}

#[test]
fn the_imported_sample_exported_for_people_imports_back_unchanged() {
    // The sample's figures include ones the pack printed with "(revised)" in them.
    let workspace = Workspace::new();
    let db = workspace.db();
    let sample = workspace.file("sample.json", &crate::support::sample_json());
    assert_success(&run_in(&db, &["import", sample.to_str().unwrap()]));
    for (format, name) in [
        ("csv-words", "q3.csv"),
        ("csv", "q3-machine.csv"),
        ("xlsx", "q3.xlsx"),
    ] {
        let path = workspace.dir.path().join(name);
        assert_success(&run_in(
            &db,
            &[
                "report",
                "-p",
                "Q3 2016/17",
                "--format",
                format,
                "-o",
                path.to_str().unwrap(),
            ],
        ));
        let output = run_in(
            &db,
            &[
                "import-values",
                path.to_str().unwrap(),
                "-p",
                "Q3 2016/17",
                "--dry-run",
                "--json",
            ],
        );
        assert_success(&output);
        let preview: Value = serde_json::from_str(&stdout(&output)).unwrap();
        let changed: Vec<&Value> = preview["cells"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["outcome"] != "unchanged")
            .collect();
        assert!(changed.is_empty(), "{format}: {changed:?}");
        assert_eq!(preview["commits"], 0, "{format}");
    }
}
