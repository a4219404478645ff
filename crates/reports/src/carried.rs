//! Commentary carried over: the sentences of a report's data notes that an earlier report
//! printed word for word for the same measure. A note written for Q2 that says "the next
//! survey is scheduled for December 2016" reads as stale in the Q3 pack; an auditor asks
//! which text was carried over rather than written for the quarter (question 12).

use serde::Serialize;
use unicode_segmentation::UnicodeSegmentation;

use crate::quarter::QuarterReport;

/// Sentences shorter than this many words ("See above.", "No change.") are left out: they
/// repeat by nature and say nothing of whether a note was rewritten.
const SHORTEST_SENTENCE: usize = 4;

/// One measure's note in the later report and what of it the earlier report printed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CarriedNote {
    /// Normalised reference.
    pub measure_ref: String,
    /// Reference as printed in the later report.
    pub ref_as_printed: String,
    /// Whether the whole note is the earlier one, word for word.
    pub whole_note: bool,
    /// The sentences printed in both, in the later note's order, spaces normalised.
    pub sentences: Vec<String>,
    /// How many sentences (of at least four words) the later note has.
    pub of: usize,
}

/// The note's text with every run of white space made one space.
fn normalised(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The sentences of `text` (Unicode sentence boundaries, UAX #29) of at least
/// [`SHORTEST_SENTENCE`] words, spaces normalised.
pub fn sentences(text: &str) -> Vec<String> {
    normalised(text)
        .unicode_sentences()
        .map(|s| s.trim().to_owned())
        .filter(|s| s.split_whitespace().count() >= SHORTEST_SENTENCE)
        .collect()
}

/// For each measure of `later` with a note, the sentences `earlier`'s note for the same
/// measure also printed; measures with none are left out. In `later`'s row order.
pub fn carried_over(earlier: &QuarterReport, later: &QuarterReport) -> Vec<CarriedNote> {
    later
        .rows
        .iter()
        .filter_map(|row| {
            let note = row.note.as_deref()?;
            let before = earlier
                .rows
                .iter()
                .find(|r| r.measure_ref == row.measure_ref)?
                .note
                .as_deref()?;
            let before_sentences = sentences(before);
            let now = sentences(note);
            let repeated: Vec<String> = now
                .iter()
                .filter(|s| before_sentences.contains(s))
                .cloned()
                .collect();
            let whole_note = normalised(note) == normalised(before);
            (whole_note || !repeated.is_empty()).then(|| CarriedNote {
                measure_ref: row.measure_ref.clone(),
                ref_as_printed: row.ref_as_printed.clone(),
                whole_note,
                sentences: repeated,
                of: now.len(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_split_at_boundaries_not_at_dates_or_abbreviations() {
        let found = sentences(
            "Forecasted performance up to 31.12.16 = 47.28% for the year.  The next LGA survey is\n\
             scheduled for December 2016, e.g. in the Quarter 3 report. No change.",
        );
        assert_eq!(
            found,
            vec![
                "Forecasted performance up to 31.12.16 = 47.28% for the year.",
                "The next LGA survey is scheduled for December 2016, e.g. in the Quarter 3 report.",
            ]
        );
    }

    #[test]
    fn a_sentence_printed_again_for_the_same_measure_is_carried_over() {
        let mut earlier = crate::html::sample::report();
        let mut later = earlier.clone();
        earlier.rows[0].note = Some(
            "Performance fell.  The next LGA survey is scheduled for December 2016 and results \
             will follow."
                .to_owned(),
        );
        later.rows[0].note = Some(
            "Performance recovered in the quarter. The next LGA survey is scheduled for\n\
             December 2016 and results will follow."
                .to_owned(),
        );
        // The same sentence under another measure is not carried over.
        earlier.rows[1].note = Some("Validation work is still ongoing in the service.".to_owned());
        later.rows[2].note = Some("Validation work is still ongoing in the service.".to_owned());
        // A note printed again whole.
        later.rows[1].note = earlier.rows[1].note.clone();

        let carried = carried_over(&earlier, &later);
        assert_eq!(carried.len(), 2);
        assert_eq!(carried[0].measure_ref, later.rows[0].measure_ref);
        assert!(!carried[0].whole_note);
        assert_eq!(
            carried[0].sentences,
            ["The next LGA survey is scheduled for December 2016 and results will follow."]
        );
        assert_eq!(carried[0].of, 2);
        assert_eq!(carried[1].measure_ref, later.rows[1].measure_ref);
        assert!(carried[1].whole_note);
    }

    #[test]
    fn notes_rewritten_for_the_quarter_are_not_carried_over() {
        let mut earlier = crate::html::sample::report();
        let mut later = earlier.clone();
        earlier.rows[0].note = Some("The next survey is scheduled for December 2016.".to_owned());
        later.rows[0].note = Some("The survey took place in December 2016.".to_owned());
        assert!(carried_over(&earlier, &later).is_empty());
    }
}
