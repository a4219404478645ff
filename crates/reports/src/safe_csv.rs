//! CSV that is safe to open in a spreadsheet: every CSV the product writes goes through
//! [`Writer`], which passes every field through [`cell`].
//!
//! Notes, reasons, titles and names are typed by people; a spreadsheet that opens an export
//! must show them, never run them (`=HYPERLINK(…)`, `+cmd|…`, `@SUM(…)`).

use std::borrow::Cow;

use serde::Serialize;

/// Characters that make a spreadsheet read a cell as a formula (or, for tab and carriage
/// return, that it may trim away in front of one), with their full-width forms, which some
/// spreadsheets also accept.
const FORMULA_STARTS: [char; 10] = ['=', '+', '-', '@', '\t', '\r', '＝', '＋', '－', '＠'];

/// A text cell made safe to open in a spreadsheet: one that a spreadsheet would read as a
/// formula, even after trimming its leading white space, is prefixed with `'`, unless it is a
/// plain figure such as `-3.5%` or `+24`.
pub fn cell(text: &str) -> Cow<'_, str> {
    let start = text.trim_start_matches([' ', '\u{a0}']);
    let risky = text.starts_with(FORMULA_STARTS) || start.starts_with(FORMULA_STARTS);
    if risky && !is_figure(start) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// The text a person typed, from a cell [`cell`] wrote: the `'` it put in front of a risky
/// text taken off again (a `'` in front of anything else was typed, and stays).
pub fn uncell(text: &str) -> &str {
    match text.strip_prefix('\'') {
        Some(rest) if cell(rest) == text => rest,
        _ => text,
    }
}

/// A signed number, perhaps a percentage, with digits grouped by commas: `-3.5%`, `+1,234`.
fn is_figure(text: &str) -> bool {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    digits.starts_with(|c: char| c.is_ascii_digit())
        && digits
            .chars()
            .all(|c| c.is_ascii_digit() || ".,%".contains(c))
}

/// A CSV document in memory, `\n`-terminated, every field passed through [`cell`].
pub struct Writer {
    inner: csv::Writer<Vec<u8>>,
    /// Whether [`Writer::serialize`] has written the header yet.
    headed: bool,
}

impl Default for Writer {
    fn default() -> Self {
        Self::new()
    }
}

impl Writer {
    /// An empty document.
    pub fn new() -> Self {
        Self {
            inner: csv::WriterBuilder::new()
                .terminator(csv::Terminator::Any(b'\n'))
                .has_headers(false)
                .from_writer(Vec::new()),
            headed: false,
        }
    }

    /// Writes one record.
    pub fn record<I, T>(&mut self, fields: I)
    where
        I: IntoIterator<Item = T>,
        T: AsRef<str>,
    {
        self.inner
            .write_record(fields.into_iter().map(|f| cell(f.as_ref()).into_owned()))
            .expect("writing to memory");
    }

    /// Writes `row` as one record (a struct's field names as the header before the first).
    pub fn serialize<T: Serialize>(&mut self, row: &T) {
        // The csv crate turns a struct into fields only on its way to bytes, so it writes the
        // row into scratch CSV which is read back field by field: what it would have written,
        // each field guarded.
        let mut scratch = csv::WriterBuilder::new()
            .has_headers(!self.headed)
            .from_writer(Vec::new());
        scratch.serialize(row).expect("rows serialise to CSV");
        let bytes = scratch.into_inner().expect("flushing to memory");
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(bytes.as_slice());
        for record in reader.records() {
            self.record(&record.expect("CSV just written reads back"));
        }
        self.headed = true;
    }

    /// The document.
    pub fn finish(self) -> String {
        String::from_utf8(self.inner.into_inner().expect("flushing to memory"))
            .expect("CSV of UTF-8 text is UTF-8")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(text: &str, expected: &str) {
        assert_eq!(cell(text), expected, "{text:?}");
    }

    #[test]
    fn text_a_spreadsheet_would_run_is_quoted() {
        check(
            "=HYPERLINK(\"http://x\",\"y\")",
            "'=HYPERLINK(\"http://x\",\"y\")",
        );
        check("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0");
        check("@SUM(A1:A9)", "'@SUM(A1:A9)");
        check("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0");
        check("\t=1+1", "'\t=1+1");
        check("\r=1+1", "'\r=1+1");
        check("  =1+1", "'  =1+1");
        check("＝1+1", "'＝1+1");
        check("-", "'-");
    }

    #[test]
    fn a_guarded_cell_reads_back_as_typed() {
        for typed in [
            "=1+1", "-", "@SUM(A1)", "'quoted", "28.3%", "-3.5%", "plain", "",
        ] {
            assert_eq!(uncell(&cell(typed)), typed, "{typed:?}");
        }
        assert_eq!(uncell("'plain"), "'plain");
    }

    #[test]
    fn figures_and_plain_text_are_left_alone() {
        check("-3.5%", "-3.5%");
        check("+24", "+24");
        check("-1,234.5", "-1,234.5");
        check("28.3%", "28.3%");
        check("Late data", "Late data");
        check("A = B", "A = B");
        check("", "");
    }

    #[test]
    fn every_field_is_guarded_and_nothing_is_trimmed() {
        #[derive(Serialize)]
        struct Row<'a> {
            name: &'a str,
            change: &'a str,
            count: i64,
        }
        let mut writer = Writer::new();
        writer.record(["a", "\t=1+1", ""]);
        writer.serialize(&Row {
            name: "@SUM(A1)",
            change: "-3.5%",
            count: -2,
        });
        writer.serialize(&Row {
            name: "x, \"y\"",
            change: "=1",
            count: 3,
        });
        assert_eq!(
            writer.finish(),
            "a,'\t=1+1,\nname,change,count\n'@SUM(A1),-3.5%,-2\n\"x, \"\"y\"\"\",'=1,3\n"
        );
    }
}
