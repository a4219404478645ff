//! The words an edit of a text removed and added ("10% reduction in …" → "reduction in …"
//! removed "10% "), for the pages (struck out and underlined) and the terminal (`[-10%-]`,
//! `{+…+}`, as `git diff --word-diff=plain` marks them).

use similar::{ChangeTag, TextDiff};

/// What became of a run of words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// In both texts.
    Same,
    /// Only in the text before.
    Removed,
    /// Only in the text after.
    Added,
}

/// The runs of `before` and `after`, in order, each marked.
pub fn marks<'a>(before: &'a str, after: &'a str) -> Vec<(Mark, &'a str)> {
    TextDiff::from_words(before, after)
        .iter_all_changes()
        .map(|change| {
            let mark = match change.tag() {
                ChangeTag::Equal => Mark::Same,
                ChangeTag::Delete => Mark::Removed,
                ChangeTag::Insert => Mark::Added,
            };
            (mark, change.value())
        })
        .collect()
}

/// The edit as one line of text, removed words as `[-…-]` and added ones as `{+…+}`.
pub fn plain(before: &str, after: &str) -> String {
    let mut out = String::new();
    for (mark, text) in marks(before, after) {
        match mark {
            Mark::Same => out.push_str(text),
            // Whitespace around a change stays outside its marks, so the words read.
            Mark::Removed | Mark::Added if text.trim().is_empty() => out.push_str(text),
            Mark::Removed => out.push_str(&format!("[-{text}-]")),
            Mark::Added => out.push_str(&format!("{{+{text}+}}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_target_losing_its_figure_shows_the_figure_removed() {
        let plain = plain(
            "10% reduction in overall contact and referrals which result in NFA by March 2010",
            "reduction in overall contact and referrals which result in NFA by March 2010",
        );
        assert_eq!(
            plain,
            "[-10%-] reduction in overall contact and referrals which result in NFA by March 2010"
        );
    }

    #[test]
    fn a_replaced_word_is_removed_and_added() {
        assert_eq!(
            plain("Q3 data is provisional", "Q3 data is final"),
            "Q3 data is [-provisional-]{+final+}"
        );
        assert_eq!(
            marks("a b", "a c"),
            [
                (Mark::Same, "a"),
                (Mark::Same, " "),
                (Mark::Removed, "b"),
                (Mark::Added, "c")
            ]
        );
    }
}
