//! Text hygiene: what people may type into a field that the log keeps for ever.
//!
//! Every text a command carries is checked before anything is decided. A NUL would be refused
//! by PostgreSQL's `TEXT` halfway through a rebuild; other control characters corrupt CSV
//! exports and terminals; a bidirectional override (U+202E) makes a note or a meeting name
//! display differently from what is stored, which is exactly what an audit trail must not
//! allow. Lengths are bounded so that one field cannot swamp a report or a page.

use std::fmt;

/// The kinds of text field, each with its limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextKind {
    /// Ids, names, references, directorates, meetings: one line, at most
    /// [`TextKind::NAME_MAX`] characters.
    Name,
    /// Titles, actions, targets and values as printed: one line, at most
    /// [`TextKind::LINE_MAX`] characters.
    Line,
    /// Notes and reasons: line breaks and tabs allowed, at most [`TextKind::PROSE_MAX`]
    /// characters.
    Prose,
}

impl TextKind {
    /// The longest name, in characters.
    pub const NAME_MAX: usize = 200;
    /// The longest one-line text, in characters.
    pub const LINE_MAX: usize = 1_000;
    /// The longest note or reason, in characters.
    pub const PROSE_MAX: usize = 10_000;

    /// The most characters a field of this kind keeps.
    pub fn max_chars(self) -> usize {
        match self {
            TextKind::Name => Self::NAME_MAX,
            TextKind::Line => Self::LINE_MAX,
            TextKind::Prose => Self::PROSE_MAX,
        }
    }

    fn allows(self, c: char) -> bool {
        match self {
            // A form's textarea sends line breaks as CR LF.
            TextKind::Prose => matches!(c, '\n' | '\r' | '\t'),
            TextKind::Name | TextKind::Line => false,
        }
    }
}

/// What is wrong with a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextProblem {
    /// Too long.
    TooLong {
        /// Its length in characters.
        chars: usize,
        /// The limit.
        max: usize,
    },
    /// A character that may not be stored.
    Forbidden {
        /// The character.
        c: char,
        /// Where, counting characters from 1.
        at: usize,
    },
}

impl fmt::Display for TextProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            TextProblem::TooLong { chars, max } => write!(
                f,
                "it is {chars} characters long; at most {max} are kept, so shorten it"
            ),
            TextProblem::Forbidden { c, at } => {
                let code = u32::from(c);
                if is_bidi_control(c) {
                    write!(
                        f,
                        "character {at} is the bidirectional control U+{code:04X}, which makes \
                         text display differently from what is stored; remove it"
                    )
                } else if c == '\n' || c == '\r' || c == '\t' {
                    write!(
                        f,
                        "character {at} is a line break or tab (U+{code:04X}); this field is one \
                         line, so remove it"
                    )
                } else {
                    write!(
                        f,
                        "character {at} is the control character U+{code:04X}; remove it \
                         (it often comes from pasting out of another program)"
                    )
                }
            }
        }
    }
}

/// Checks one text field: no control characters (bar line breaks and tabs in prose), no
/// bidirectional controls, and no longer than its kind allows.
pub fn check(text: &str, kind: TextKind) -> Result<(), TextProblem> {
    if let Some((at, c)) = text
        .chars()
        .enumerate()
        .find(|&(_, c)| (c.is_control() && !kind.allows(c)) || is_bidi_control(c))
    {
        return Err(TextProblem::Forbidden { c, at: at + 1 });
    }
    let chars = text.chars().count();
    let max = kind.max_chars();
    if chars > max {
        return Err(TextProblem::TooLong { chars, max });
    }
    Ok(())
}

/// The explicit bidirectional formatting characters of Unicode's bidi algorithm (UAX #9):
/// marks, embeddings, overrides and isolates.
fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_text_in_any_script_passes() {
        for text in [
            "Cabinet",
            "Overview & Scrutiny Committee – 13 January 2017",
            "Ysgol Gymraeg — £46.07, 28.3% (Oct-Nov only)",
            "مجلس المدينة",
            "ѕam.newton",
            "",
        ] {
            assert_eq!(check(text, TextKind::Name), Ok(()), "{text:?}");
        }
        assert_eq!(check("line one\r\nline two\tend", TextKind::Prose), Ok(()));
    }

    #[test]
    fn nul_and_other_control_characters_are_refused_where_they_are() {
        assert_eq!(
            check("Cabinet\0", TextKind::Name),
            Err(TextProblem::Forbidden { c: '\0', at: 8 })
        );
        assert_eq!(
            check("a\u{1b}[2Jb", TextKind::Prose),
            Err(TextProblem::Forbidden { c: '\u{1b}', at: 2 })
        );
        assert_eq!(
            check("x\u{85}", TextKind::Prose),
            Err(TextProblem::Forbidden { c: '\u{85}', at: 2 })
        );
        let refused = check("two\nlines", TextKind::Line).unwrap_err();
        assert!(refused.to_string().contains("one line"), "{refused}");
    }

    #[test]
    fn bidirectional_controls_are_refused_even_in_prose() {
        for c in [
            '\u{202E}', '\u{202A}', '\u{2066}', '\u{2069}', '\u{200F}', '\u{061C}',
        ] {
            let text = format!("Cabinet {c}71024");
            let refused = check(&text, TextKind::Prose).unwrap_err();
            assert_eq!(refused, TextProblem::Forbidden { c, at: 9 });
            assert!(refused.to_string().contains("bidirectional"), "{refused}");
        }
    }

    #[test]
    fn lengths_are_counted_in_characters_against_each_kind() {
        let name = "é".repeat(TextKind::NAME_MAX);
        assert_eq!(check(&name, TextKind::Name), Ok(()));
        assert_eq!(
            check(&format!("{name}x"), TextKind::Name),
            Err(TextProblem::TooLong {
                chars: TextKind::NAME_MAX + 1,
                max: TextKind::NAME_MAX
            })
        );
        assert!(check(&"x".repeat(1_001), TextKind::Line).is_err());
        assert_eq!(check(&"x".repeat(10_000), TextKind::Prose), Ok(()));
        assert!(check(&"x".repeat(10_001), TextKind::Prose).is_err());
    }
}
