//! How the pack prints an assessment and its summary, shared by the renderers made for people
//! (the workbook and the PDF): a status with its symbol and colour, a direction with its
//! arrow, and the executive summary's lines in words.

use scoreledger_domain::{Direction, Rag, Status};

use crate::quarter::ReportRow;
use crate::summary::{Share, Summary};

/// The colour a status or rating is printed on: the pack's green, amber and red.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fill {
    /// On target, green, complete.
    Good,
    /// Satisfactory, amber.
    Middling,
    /// Off target, red.
    Bad,
    /// No colour: no data, no target, under development.
    Neutral,
}

impl Fill {
    /// The machine name (`good`), as a template names its shade.
    pub fn as_str(self) -> &'static str {
        match self {
            Fill::Good => "good",
            Fill::Middling => "middling",
            Fill::Bad => "bad",
            Fill::Neutral => "neutral",
        }
    }

    /// The colour of a summary-box line, by its tally key (`on_target`, `amber`).
    pub fn of_tally(key: &str) -> Self {
        match key {
            "on_target" | "green" | "complete" => Fill::Good,
            "satisfactory" | "amber" => Fill::Middling,
            "off_target" | "red" => Fill::Bad,
            _ => Fill::Neutral,
        }
    }
}

/// A status, direction or rating as the pack prints it: its symbol, where the pack has one,
/// then its name in words (`✓ On target`, `↓ Worse`, `Not yet available`).
pub fn assessment(symbol: Option<&str>, code: &str) -> String {
    let mut words = code.replace('_', " ");
    if let Some(first) = words.get(..1) {
        words.replace_range(..1, &first.to_ascii_uppercase());
    }
    match symbol {
        Some(symbol) => format!("{symbol} {words}"),
        None => words,
    }
}

/// A row's status as printed, with its colour: the 2010 RAG rating where the plan has one.
pub fn status(row: &ReportRow) -> (String, Fill) {
    if let Some(rag) = row.rag {
        let fill = match rag {
            Rag::Green | Rag::Complete => Fill::Good,
            Rag::Amber => Fill::Middling,
            Rag::Red => Fill::Bad,
        };
        return (assessment(None, rag.as_str()), fill);
    }
    let (symbol, fill) = match row.status {
        Status::OnTarget => (Some(Status::OnTarget.symbol()), Fill::Good),
        Status::Satisfactory => (Some(Status::Satisfactory.symbol()), Fill::Middling),
        Status::OffTarget => (Some(Status::OffTarget.symbol()), Fill::Bad),
        Status::UnderDevelopment | Status::NotApplicable | Status::NotYetAvailable => {
            (None, Fill::Neutral)
        }
    };
    (assessment(symbol, row.status.as_str()), fill)
}

/// A direction of travel as printed: its arrow where it was measured.
pub fn direction(direction: Direction) -> String {
    let symbol = direction.is_measured().then(|| direction.symbol());
    assessment(symbol, direction.as_str())
}

/// One line of the executive summary: a count, or a share of a stated whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SummaryLine<'a> {
    /// A count.
    Count(&'static str, u64),
    /// A share.
    Share(&'static str, &'a Share),
}

/// The executive summary's figures in the order the pack gives them, as `render::summary_table`
/// words them.
pub fn executive_summary(summary: &Summary) -> Vec<SummaryLine<'_>> {
    use SummaryLine::{Count, Share};
    let pm = &summary.priority_measures;
    vec![
        Count("Measures with data this quarter", summary.measured),
        Share(
            "On target, of those with data",
            &summary.on_target_of_measured,
        ),
        Share(
            "Not progressed (off target), of those with data",
            &summary.off_target_of_measured,
        ),
        Count(
            "Measures with a direction of travel",
            summary.with_direction,
        ),
        Share(
            "Improved, of those with a direction",
            &summary.improved_of_directed,
        ),
        Share(
            "Got worse, of those with a direction",
            &summary.worse_of_directed,
        ),
        Count("Priority measures", pm.total),
        Count("Priority measures with data", pm.with_data),
        Share("Priority measures hitting target", &pm.on_target),
        Share("Priority measures missing target", &pm.off_target),
        Share(
            "Priority measures on track but not yet hitting target",
            &pm.satisfactory,
        ),
        Count("Priority measures without data yet", pm.not_yet_available),
        Count(
            "Priority measures without a specific target",
            pm.not_applicable,
        ),
        Count(
            "Priority measures with a direction of travel",
            pm.with_direction,
        ),
        Share("Priority measures improving", &pm.improved),
        Share("Priority measures declining", &pm.worse),
        Share("Priority measures stable", &pm.stable),
    ]
}
