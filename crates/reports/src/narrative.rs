//! Numbers quoted in a report's narrative checked against the scorecard it went out with. The
//! Q3 2016/17 Appendix A says 1.A3 "is now at 25.3% against the target of 23%" where the
//! scorecard prints 28.3%, and 1.C4(b) "has fallen to 26.3% in quarter three" where the
//! scorecard prints 24.00% (26.3% is its 2015/16 figure): an auditor asks for every such
//! sentence (question 11).
//!
//! Each number is read against one cell of the measure's row: the target when the words just
//! around it speak of a target ("the target of 23%", "below 6% target"); otherwise the period its clause names
//! ("in quarter two", "Q2", "2015/16", "in December"), or the report's own period when the
//! clause names none. A number agrees when the cell's figure rounded to the quoted decimals
//! is the quoted number. Percentages are read only against percentages and plain numbers
//! only against plain figures; years, durations ("within 24 hours") and the numbers of
//! quarters, terms and references are not quotes of a figure and are left alone.

use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use scoreledger_domain::period::MONTH_NAMES;
use scoreledger_domain::value::Unit;
use scoreledger_domain::{Period, RecordedValue};
use serde::Serialize;
use unicode_segmentation::UnicodeSegmentation;

use crate::quarter::{figure_of, QuarterReport, ReportRow};

/// Words that open a new clause: what follows them is compared with what went before, so it
/// may speak of another period ("26.3% in quarter three, compared to 28% in quarter two").
const CLAUSE_OPENERS: [&str; 8] = [
    "compared", "against", "from", "whereas", "while", "versus", "vs", "than",
];

/// Words after which a number names something rather than quoting a figure.
const NAMING_WORDS: [&str; 12] = [
    "quarter",
    "q",
    "term",
    "phase",
    "paragraph",
    "item",
    "page",
    "ref",
    "priority",
    "appendix",
    "aged",
    "section",
];

/// Words after which a number is a duration or a date, not a figure.
const TIME_WORDS: [&str; 7] = ["hour", "day", "week", "month", "year", "minute", "working"];

/// How far before a number the word "target" makes it a quote of the target.
const TARGET_REACH: usize = 3;

/// How a quoted number compares with the cell it was read against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The cell's figure, rounded to the quoted decimals, is the quoted number.
    Agrees,
    /// Only cutting the cell's figure (not rounding it) gives the quoted number (28.60% → 28%).
    Truncated,
    /// The quoted number is not the cell's figure.
    Differs,
    /// The scorecard has no figure in that cell to quote.
    NothingRecorded,
}

/// One number of a narrative and the cell it was read against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuotedNumber {
    /// The number as the narrative writes it (`25.3%`).
    pub quoted: String,
    /// The sentence it is in.
    pub sentence: String,
    /// The column read against (`Q3 Oct - Dec 2016`), or `target`.
    pub against: String,
    /// The cell as the scorecard prints it, if it has one.
    pub printed: Option<String>,
    /// How they compare.
    pub verdict: Verdict,
    /// For a number that is not its cell's figure, the other cells of the row whose figure
    /// it is (`2015/16`, `target`).
    pub equals: Vec<String>,
}

/// A measure's narrative and the numbers it quotes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NarrativeCheck {
    /// Normalised reference.
    pub measure_ref: String,
    /// Reference as printed.
    pub ref_as_printed: String,
    /// Every number read as a quote of the measure's figures, in the narrative's order.
    pub numbers: Vec<QuotedNumber>,
}

impl NarrativeCheck {
    /// The numbers that are not the scorecard's figure.
    pub fn discrepancies(&self) -> impl Iterator<Item = &QuotedNumber> {
        self.numbers.iter().filter(|n| n.verdict != Verdict::Agrees)
    }
}

/// A number found in a clause, with what it is read against.
#[derive(Debug, Clone, PartialEq)]
struct Quote {
    text: String,
    amount: Decimal,
    percent: bool,
    target: bool,
    /// The period the clause names nearest the number, if any.
    period: Option<Period>,
}

/// Checks each measure's narrative against `report`'s row for it, in the report's row order.
/// Narratives of measures the report has no row for are left out.
pub fn check(report: &QuarterReport, narratives: &[(String, String)]) -> Vec<NarrativeCheck> {
    let Ok(period) = Period::parse(&report.period) else {
        return Vec::new();
    };
    let columns: Vec<Option<Period>> = report
        .columns
        .iter()
        .map(|c| Period::parse(c).ok())
        .collect();
    report
        .rows
        .iter()
        .filter_map(|row| {
            let (_, text) = narratives.iter().find(|(r, _)| *r == row.measure_ref)?;
            Some(NarrativeCheck {
                measure_ref: row.measure_ref.clone(),
                ref_as_printed: row.ref_as_printed.clone(),
                numbers: sentences(text)
                    .into_iter()
                    .flat_map(|sentence| {
                        quotes(&sentence, &period, &columns)
                            .into_iter()
                            .filter_map(|q| judge(report, row, &period, &q, &sentence))
                            .collect::<Vec<_>>()
                    })
                    .collect(),
            })
        })
        .collect()
}

/// The sentences of a narrative (UAX #29), spaces normalised. A boundary with no space after
/// it is not one: UAX #29 ends a sentence inside "Ref No. 2.B4" after "2.".
fn sentences(text: &str) -> Vec<String> {
    let normalised = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut sentences: Vec<String> = Vec::new();
    for segment in normalised.split_sentence_bounds() {
        match sentences.last_mut() {
            Some(last) if !last.ends_with(' ') => last.push_str(segment),
            _ => sentences.push(segment.to_owned()),
        }
    }
    sentences
        .into_iter()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

/// A word without the punctuation around it, lower-cased, with a possessive "'s" dropped.
fn bare(word: &str) -> String {
    let trimmed = word
        .trim_matches(|c: char| !c.is_alphanumeric() && c != '%' && c != '/')
        .to_lowercase();
    trimmed
        .strip_suffix("'s")
        .or_else(|| trimmed.strip_suffix("’s"))
        .map(str::to_owned)
        .unwrap_or(trimmed)
}

/// The clauses of a sentence: split after `,` `;` `:` and before the words that open a
/// comparison.
fn clauses(sentence: &str) -> Vec<Vec<&str>> {
    let mut clauses: Vec<Vec<&str>> = vec![Vec::new()];
    for word in sentence.split_whitespace() {
        let opens = CLAUSE_OPENERS.contains(&bare(word).as_str());
        if opens && !clauses.last().is_some_and(Vec::is_empty) {
            clauses.push(Vec::new());
        }
        clauses.last_mut().expect("one clause at least").push(word);
        if word.ends_with([',', ';', ':']) {
            clauses.push(Vec::new());
        }
    }
    clauses.retain(|c| !c.is_empty());
    clauses
}

/// The figure a word writes, if it is one: digits with thousands separators and at most one
/// decimal point, perhaps with `%`, `£` or a sign and brackets around it.
fn figure(word: &str) -> Option<(String, Decimal, bool)> {
    let core = word
        .trim_start_matches(['(', '[', '"', '\'', '‘', '“', '£', '+', '~'])
        .trim_end_matches(['.', ',', ';', ':', ')', ']', '"', '\'', '’', '”', '!', '?']);
    let (digits, percent) = match core.strip_suffix('%') {
        Some(digits) => (digits, true),
        None => (core, false),
    };
    let mut parts = digits.split('.');
    let whole = parts.next()?;
    let decimals = parts.next();
    let well_formed = parts.next().is_none()
        && !whole.is_empty()
        && whole.split(',').enumerate().all(|(i, group)| {
            group.chars().all(|c| c.is_ascii_digit())
                && !group.is_empty()
                && (i == 0 || group.len() == 3)
        })
        && decimals.is_none_or(|d| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()));
    if !well_formed {
        return None;
    }
    let amount = Decimal::from_str(&digits.replace(',', "")).ok()?;
    Some((core.to_owned(), amount, percent))
}

/// The period a word (with the word after it) names, in the report's financial year `fy`.
fn period_named(words: &[String], i: usize, fy: i32, columns: &[Option<Period>]) -> Option<Period> {
    let word = words[i].as_str();
    let next = words.get(i + 1).map(String::as_str);
    let ordinal = |w: &str| match w {
        "one" | "1" | "first" | "1st" => Some(1),
        "two" | "2" | "second" | "2nd" => Some(2),
        "three" | "3" | "third" | "3rd" => Some(3),
        "four" | "4" | "fourth" | "4th" => Some(4),
        _ => None,
    };
    if word == "quarter" {
        return next.and_then(ordinal).map(|q| Period::quarter(fy, q));
    }
    if next == Some("quarter") {
        if let Some(q) = ordinal(word) {
            return Some(Period::quarter(fy, q));
        }
    }
    if let Some(q) = word.strip_prefix('q').and_then(ordinal) {
        return Some(Period::quarter(fy, q));
    }
    if word.contains('/') {
        return Period::parse(word).ok();
    }
    let month = MONTH_NAMES
        .iter()
        .position(|m| word == *m || (word.len() == 3 && m.starts_with(word)))?;
    // "may" is a month only beside a year or after "in" ("in May", "May 2016"), not in "it
    // may reach 80%".
    let before = i.checked_sub(1).map(|j| words[j].as_str());
    let dated = next.is_some_and(|n| n.len() == 4 && n.chars().all(|c| c.is_ascii_digit()));
    if word == "may" && !dated && before != Some("in") {
        return None;
    }
    let month = month as u8 + 1;
    columns
        .iter()
        .flatten()
        .find(|c| matches!(c, Period::Month { month: m, .. } if *m == month))
        .copied()
}

/// The numbers of a sentence that may quote a figure, each with what it is read against.
fn quotes(sentence: &str, period: &Period, columns: &[Option<Period>]) -> Vec<Quote> {
    let fy = period.financial_year_of();
    let mut found = Vec::new();
    for clause in clauses(sentence) {
        let words: Vec<String> = clause.iter().map(|w| bare(w)).collect();
        let named: Vec<(usize, Period)> = (0..words.len())
            .filter_map(|i| Some((i, period_named(&words, i, fy, columns)?)))
            .collect();
        let this_quarter = words
            .windows(2)
            .any(|w| (w[0] == "this" || w[0] == "the") && w[1] == "quarter");
        for (i, word) in clause.iter().enumerate() {
            let Some((text, amount, percent)) = figure(word) else {
                continue;
            };
            let before = i.checked_sub(1).map(|j| words[j].as_str());
            let after = words.get(i + 1).map(String::as_str);
            let names = before.is_some_and(|b| NAMING_WORDS.contains(&b))
                || after.is_some_and(|a| a == "quarter" || a.starts_with("quarter"));
            let time =
                !percent && after.is_some_and(|a| TIME_WORDS.iter().any(|t| a.starts_with(t)));
            let year = is_year(&text, amount);
            let in_period_name = named.iter().any(|(j, _)| *j == i || *j + 1 == i);
            if names || time || year || in_period_name {
                continue;
            }
            let target = after.is_some_and(|a| a.starts_with("target"))
                || targeted_from_before(&clause, &words, i);
            let nearest = named
                .iter()
                .min_by_key(|(j, _)| (j.abs_diff(i), *j < i))
                .map(|(_, p)| *p);
            let period = nearest.or(this_quarter.then_some(*period));
            found.push(Quote {
                text,
                amount,
                percent,
                target,
                period,
            });
        }
    }
    found
}

/// Whether a figure as written is a year ("in 2016"), not a quantity.
fn is_year(text: &str, amount: Decimal) -> bool {
    !text.contains(['%', '.', ',']) && (Decimal::from(1900)..=Decimal::from(2100)).contains(&amount)
}

/// Whether "target" is among the few words before the number at `i` ("the target of 23%"),
/// with no other figure between, and not as the word after one ("6% target at 5.7%": the
/// target is 6%).
fn targeted_from_before(clause: &[&str], words: &[String], i: usize) -> bool {
    for j in (i.saturating_sub(TARGET_REACH)..i).rev() {
        if figure(clause[j]).is_some() {
            return false;
        }
        if words[j].starts_with("target") {
            return j == 0 || figure(clause[j - 1]).is_none();
        }
    }
    false
}

/// A figure and whether it is a percentage.
type Figure = (Decimal, bool);

/// A printed cell of the row: its column, its figure if it has one, and the text.
struct Cell<'a> {
    column: &'a str,
    figure: Option<Figure>,
    printed: &'a str,
}

/// The figure of a printed cell and whether it is a percentage.
fn cell_figure(cell: &str) -> Option<Figure> {
    let value = RecordedValue::parse(figure_of(cell)).ok()?;
    Some((value.amount?, value.unit == Unit::Percent))
}

/// Whether `amount`, written to the quoted number's decimals, is the quoted number.
fn rounds_to(amount: Decimal, quoted: Decimal, strategy: RoundingStrategy) -> bool {
    amount.round_dp_with_strategy(quoted.scale(), strategy) == quoted
}

/// Every figure the target text writes (a phased target writes several).
fn target_figures(target: &str) -> Vec<Figure> {
    target
        .split_whitespace()
        .filter_map(figure)
        .filter(|(text, amount, _)| !is_year(text, *amount))
        .map(|(_, amount, percent)| (amount, percent))
        .collect()
}

/// The quote read against its cell; `None` when the quote cannot be one of the row's
/// figures (a percentage where the measure is a count, or the other way round).
fn judge(
    report: &QuarterReport,
    row: &ReportRow,
    period: &Period,
    quote: &Quote,
    sentence: &str,
) -> Option<QuotedNumber> {
    let cells: Vec<Cell> = report
        .columns
        .iter()
        .zip(&row.values)
        .filter_map(|(column, printed)| {
            let printed = printed.as_deref()?;
            Some(Cell {
                column,
                figure: cell_figure(printed),
                printed,
            })
        })
        .collect();
    let targets = row
        .target
        .as_deref()
        .map(target_figures)
        .unwrap_or_default();
    let row_percent = cells
        .iter()
        .filter_map(|c| c.figure)
        .chain(targets.iter().copied())
        .map(|(_, percent)| percent)
        .next();
    if row_percent.is_some_and(|p| p != quote.percent) {
        return None;
    }
    let agrees = |figure: Figure| {
        figure.1 == quote.percent
            && rounds_to(
                figure.0,
                quote.amount,
                RoundingStrategy::MidpointAwayFromZero,
            )
    };
    let (against, printed, verdict) = if quote.target {
        let verdict = if targets.iter().any(|f| agrees(*f)) {
            Verdict::Agrees
        } else if targets.is_empty() {
            Verdict::NothingRecorded
        } else {
            Verdict::Differs
        };
        ("target".to_owned(), row.target.clone(), verdict)
    } else {
        let column = quote.period.unwrap_or(*period).to_string();
        let cell = cells.iter().find(|c| c.column == column);
        let verdict = match cell.and_then(|c| c.figure) {
            None => Verdict::NothingRecorded,
            Some(f) if agrees(f) => Verdict::Agrees,
            Some((amount, _)) if rounds_to(amount, quote.amount, RoundingStrategy::ToZero) => {
                Verdict::Truncated
            }
            Some(_) => Verdict::Differs,
        };
        (column, cell.map(|c| c.printed.to_owned()), verdict)
    };
    // Which other cells a quote that is not its cell's figure is, to explain it.
    let mut equals: Vec<String> = Vec::new();
    if verdict != Verdict::Agrees {
        equals.extend(
            cells
                .iter()
                .filter(|c| c.column != against && c.figure.is_some_and(agrees))
                .map(|c| c.column.to_owned()),
        );
        if against != "target" && targets.iter().any(|f| agrees(*f)) {
            equals.push("target".to_owned());
        }
    }
    Some(QuotedNumber {
        quoted: quote.text.clone(),
        sentence: sentence.to_owned(),
        against,
        printed,
        verdict,
        equals,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A report of Q3 2016/17 whose first row is a percentage measure with the given cells.
    fn report(cells: &[(&str, &str)], target: &str) -> QuarterReport {
        let mut report = crate::html::sample::report();
        report.period = Period::quarter(2016, 3).to_string();
        report.columns = Period::quarter(2016, 3)
            .scorecard_columns()
            .iter()
            .map(Period::to_string)
            .collect();
        let row = &mut report.rows[0];
        row.target = Some(target.to_owned());
        row.values = report
            .columns
            .iter()
            .map(|c| {
                cells
                    .iter()
                    .find(|(column, _)| c.starts_with(column))
                    .map(|(_, v)| (*v).to_owned())
            })
            .collect();
        report
    }

    fn checked(report: &QuarterReport, text: &str) -> Vec<(String, String, Verdict, Vec<String>)> {
        let measure = report.rows[0].measure_ref.clone();
        check(report, &[(measure, text.to_owned())])
            .remove(0)
            .numbers
            .into_iter()
            .map(|n| (n.quoted, n.against, n.verdict, n.equals))
            .collect()
    }

    fn q(n: u8) -> String {
        Period::quarter(2016, n).to_string()
    }

    #[test]
    fn the_q3_narrative_of_1a3_quotes_neither_quarters_figure() {
        let report = report(
            &[("2015/16", "30.6%"), ("Q2", "30.4%"), ("Q3", "28.3%")],
            "April - September 26% October - March 23%",
        );
        let found = checked(
            &report,
            "The percentage of children who have had a social care concern raised within 12 \
             months of the last concern ending (priority measure) is now at 25.3% against the \
             target of 23%; and, although missing the target, has improved significantly from \
             the 31.6% at the end of Quarter 2.",
        );
        assert_eq!(
            found,
            [
                ("25.3%".into(), q(3), Verdict::Differs, vec![]),
                ("23%".into(), "target".into(), Verdict::Agrees, vec![]),
                ("31.6%".into(), q(2), Verdict::Differs, vec![]),
            ]
        );
    }

    #[test]
    fn a_figure_quoted_for_the_quarter_that_is_last_years_is_named() {
        let report = report(
            &[("2015/16", "26.3%"), ("Q2", "28.60%"), ("Q3", "24.00%")],
            "95%",
        );
        let found = checked(
            &report,
            "Current performance has fallen to 26.3% in quarter three, compared to 28% in \
             quarter two. This is well below the target of 95%. Additional staff were appointed \
             in December 2016 and referrals are triaged within 24 hours.",
        );
        assert_eq!(
            found,
            [
                (
                    "26.3%".into(),
                    q(3),
                    Verdict::Differs,
                    vec![Period::financial_year(2015).to_string()]
                ),
                ("28%".into(), q(2), Verdict::Truncated, vec![]),
                ("95%".into(), "target".into(), Verdict::Agrees, vec![]),
            ]
        );
    }

    #[test]
    fn figures_quoted_as_printed_agree_and_this_quarter_is_the_reports() {
        let report = report(&[("Q2", "81.1%"), ("Q3", "86.5%")], "85%");
        let found = checked(
            &report,
            "Figures have improved markedly from quarter two's performance of 81.1%, to a new \
             level of 86.5% in this quarter.",
        );
        assert_eq!(
            found,
            [
                ("81.1%".into(), q(2), Verdict::Agrees, vec![]),
                ("86.5%".into(), q(3), Verdict::Agrees, vec![]),
            ]
        );
    }

    #[test]
    fn counts_years_durations_and_references_are_not_quotes_of_a_percentage() {
        let report = report(&[("Q3", "100%")], "100%");
        let found = checked(
            &report,
            "Ref No. 2.B4 of Priority 2: 15 prosecutions in 2016, triaged within 24 hours, \
             remains at 100%.",
        );
        assert_eq!(found, [("100%".into(), q(3), Verdict::Agrees, vec![])]);
    }

    #[test]
    fn a_target_word_after_a_figure_is_that_figures() {
        let report = report(&[("Q2", "5.7%"), ("Q3", "5.56%")], "6.0%");
        let found = checked(&report, "Slightly below 6% target at 5.7%.");
        assert_eq!(
            found,
            [
                ("6%".into(), "target".into(), Verdict::Agrees, vec![]),
                ("5.7%".into(), q(3), Verdict::Differs, vec![q(2)]),
            ]
        );
    }

    #[test]
    fn may_is_a_month_only_when_it_is_dated() {
        let mut report = report(&[("Q1", "70%")], "80%");
        report.period = q(1);
        report.columns = Period::quarter(2016, 1)
            .scorecard_columns()
            .iter()
            .map(Period::to_string)
            .collect();
        report.rows[0].values = report
            .columns
            .iter()
            .map(|c| {
                (c.starts_with("Q1") || c == "May-16")
                    .then(|| if c == "May-16" { "65%" } else { "70%" }.to_owned())
            })
            .collect();
        let found = checked(
            &report,
            "Performance may reach 70% this year, from 65% in May.",
        );
        let against: Vec<String> = found
            .into_iter()
            .map(|(_, against, _, _)| against)
            .collect();
        assert_eq!(against, [q(1), "May-16".to_owned()]);
    }

    #[test]
    fn a_quote_for_a_period_with_no_figure_says_so() {
        let report = report(&[("Q3", "12.0%")], "10%");
        let found = checked(&report, "Performance was 11.5% in quarter one.");
        assert_eq!(
            found,
            [("11.5%".into(), q(1), Verdict::NothingRecorded, vec![])]
        );
    }

    #[test]
    fn plain_figures_are_read_against_plain_figures_with_their_separators() {
        let report = report(&[("Q3", "935")], "2,500");
        let found = checked(
            &report,
            "Carers assessments are at 935 against an annual target of 2,500, and 12% of \
             them were reviews.",
        );
        assert_eq!(
            found,
            [
                ("935".into(), q(3), Verdict::Agrees, vec![]),
                ("2,500".into(), "target".into(), Verdict::Agrees, vec![]),
            ]
        );
    }

    #[test]
    fn sentences_end_where_a_space_follows_their_stop() {
        assert_eq!(
            sentences("Ref No. 2.B4 a) - support 79.9%.  Above target.\nNow 5.7%"),
            [
                "Ref No.",
                "2.B4 a) - support 79.9%.",
                "Above target.",
                "Now 5.7%"
            ]
        );
    }

    #[test]
    fn words_that_are_not_figures_are_not_read_as_figures() {
        for word in ["1.A3", "31.12.16", "2015/16", "1,23", "12a", ".5", "£", ""] {
            assert_eq!(figure(word), None, "{word}");
        }
        assert_eq!(
            figure("(£7,335.50)."),
            Some(("7,335.50".into(), Decimal::new(733550, 2), false))
        );
        assert_eq!(
            figure("28.3%;"),
            Some(("28.3%".into(), Decimal::new(283, 1), true))
        );
    }
}
