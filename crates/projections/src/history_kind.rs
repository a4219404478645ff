//! The kinds of change the history view names, as one vocabulary for every front end: the words
//! people write (`value`, `note`, `read`, …), the strings the history stores (`data note`,
//! `history read`, …), and the message that lists them when a word is not one of them.
//!
//! The command line's `history --what`, the API's `?what=` and the audit page's kind of change
//! all read their words here, so a word the README gives cannot mean something on one and
//! nothing on another.

use std::fmt;

/// A kind of change, as a word of the history's vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum HistoryKind {
    /// A value recorded or revised.
    Value,
    /// A target set or changed.
    Target,
    /// A status assessed.
    Status,
    /// A direction of travel assessed.
    Direction,
    /// A RAG rating given (the 2010 scheme).
    Rag,
    /// A data note written or edited.
    Note,
    /// A measure's report narrative written or edited.
    Narrative,
    /// A lead accountability assigned.
    Accountability,
    /// A measure defined.
    Measure,
    /// A value signed off.
    Signoff,
    /// A data note approved.
    Approval,
    /// A refresh of a value announced.
    Refresh,
    /// A field of a measure's definition amended.
    Definition,
    /// A measure withdrawn or reinstated.
    Withdrawal,
    /// A period locked or reopened.
    Lock,
    /// A report published.
    Publication,
    /// An API token issued or revoked.
    Token,
    /// A read of the history, recorded.
    Read,
    /// A commit the log cannot read, set aside by an admin.
    SetAside,
    /// A plan, its priorities, outcomes and rule set defined.
    Plan,
    /// A signing key of the log added or retired.
    Key,
    /// A meeting recorded, an item on its agenda, a decision or a call-in.
    Meeting,
    /// A performance clinic called, held or cancelled.
    Clinic,
    /// An improvement action registered, its target date moved, or completed.
    Action,
}

/// A word that names no kind of change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{word:?} is not a kind of change; use {}", HistoryKind::words())]
pub struct UnknownKind {
    /// The word as given.
    pub word: String,
}

impl HistoryKind {
    /// Every kind, in the order messages and forms list them.
    pub const ALL: [HistoryKind; 24] = [
        HistoryKind::Value,
        HistoryKind::Target,
        HistoryKind::Status,
        HistoryKind::Direction,
        HistoryKind::Rag,
        HistoryKind::Note,
        HistoryKind::Narrative,
        HistoryKind::Accountability,
        HistoryKind::Measure,
        HistoryKind::Signoff,
        HistoryKind::Approval,
        HistoryKind::Refresh,
        HistoryKind::Definition,
        HistoryKind::Withdrawal,
        HistoryKind::Lock,
        HistoryKind::Publication,
        HistoryKind::Token,
        HistoryKind::Read,
        HistoryKind::SetAside,
        HistoryKind::Plan,
        HistoryKind::Key,
        HistoryKind::Meeting,
        HistoryKind::Clinic,
        HistoryKind::Action,
    ];

    /// The word for the kind, as the README and `--what` write it.
    pub fn word(self) -> &'static str {
        match self {
            HistoryKind::Value => "value",
            HistoryKind::Target => "target",
            HistoryKind::Status => "status",
            HistoryKind::Direction => "direction",
            HistoryKind::Rag => "rag",
            HistoryKind::Note => "note",
            HistoryKind::Narrative => "narrative",
            HistoryKind::Accountability => "accountability",
            HistoryKind::Measure => "measure",
            HistoryKind::Signoff => "signoff",
            HistoryKind::Approval => "approval",
            HistoryKind::Refresh => "refresh",
            HistoryKind::Definition => "definition",
            HistoryKind::Withdrawal => "withdrawal",
            HistoryKind::Lock => "lock",
            HistoryKind::Publication => "publication",
            HistoryKind::Token => "token",
            HistoryKind::Read => "read",
            HistoryKind::SetAside => "set-aside",
            HistoryKind::Plan => "plan",
            HistoryKind::Key => "key",
            HistoryKind::Meeting => "meeting",
            HistoryKind::Clinic => "clinic",
            HistoryKind::Action => "action",
        }
    }

    /// Other words people write for the kind (plurals, the packs' abbreviations).
    fn aliases(self) -> &'static [&'static str] {
        match self {
            HistoryKind::Value => &["values"],
            HistoryKind::Target => &["targets"],
            HistoryKind::Status => &["statuses"],
            HistoryKind::Direction => &["directions", "dot"],
            HistoryKind::Rag => &["rags"],
            HistoryKind::Note => &["notes"],
            HistoryKind::Narrative => &["narratives"],
            HistoryKind::Accountability => &[],
            HistoryKind::Measure => &["measures"],
            HistoryKind::Signoff => &["signoffs", "sign-off", "sign-offs"],
            HistoryKind::Approval => &["approvals"],
            HistoryKind::Refresh => &["refreshes"],
            HistoryKind::Definition => &["definitions", "amendment", "amendments"],
            HistoryKind::Withdrawal => &["withdrawals", "reinstatement", "reinstatements"],
            HistoryKind::Lock => &["locks", "reopening", "reopenings"],
            HistoryKind::Publication => &["publications"],
            HistoryKind::Token => &["tokens"],
            HistoryKind::Read => &["reads"],
            HistoryKind::SetAside => &["set-asides"],
            HistoryKind::Plan => &["plans"],
            HistoryKind::Key => &["keys", "signing-key", "signing-keys"],
            HistoryKind::Meeting => &["meetings", "decision", "decisions", "call-in", "call-ins"],
            HistoryKind::Clinic => &["clinics"],
            HistoryKind::Action => &["actions"],
        }
    }

    /// The `what` of the history rows this kind stands for, exactly as the projector stores it.
    pub fn stored(self) -> &'static [&'static str] {
        match self {
            HistoryKind::Value => &["value"],
            HistoryKind::Target => &["target"],
            HistoryKind::Status => &["status"],
            HistoryKind::Direction => &["direction of travel"],
            HistoryKind::Rag => &["RAG rating"],
            HistoryKind::Note => &["data note"],
            HistoryKind::Narrative => &["narrative"],
            HistoryKind::Accountability => &["lead accountability"],
            HistoryKind::Measure => &["measure defined"],
            HistoryKind::Signoff => &["sign-off"],
            HistoryKind::Approval => &["note approval"],
            HistoryKind::Refresh => &["refresh announced"],
            HistoryKind::Definition => &[
                "definition: title",
                "definition: action",
                "definition: lead_officer",
                "definition: directorate",
                "definition: polarity",
                "definition: polarity_text",
                "definition: frequency",
                "definition: frequency_text",
                "definition: priority_measure",
                "definition: baseline",
                "definition change",
                "source change",
            ],
            HistoryKind::Withdrawal => &["measure withdrawn", "measure reinstated"],
            HistoryKind::Lock => &["period locked", "period reopened"],
            HistoryKind::Publication => &["report published"],
            HistoryKind::Token => &["token issued", "token revoked"],
            HistoryKind::Read => &["history read"],
            HistoryKind::SetAside => &["commit set aside"],
            HistoryKind::Plan => &[
                "plan defined",
                "priority defined",
                "outcome defined",
                "rule set",
            ],
            HistoryKind::Key => &["signing key added", "signing key retired"],
            HistoryKind::Meeting => &["meeting", "agenda item", "decision", "call-in"],
            HistoryKind::Clinic => &["clinic called", "clinic held", "clinic cancelled"],
            HistoryKind::Action => &[
                "action registered",
                "action target date",
                "action RAG rating",
                "action completed",
                "action baseline",
                "action targets",
                "action workstream",
            ],
        }
    }

    /// What the kind covers, for a form's choices.
    pub fn label(self) -> &'static str {
        match self {
            HistoryKind::Value => "values",
            HistoryKind::Target => "targets",
            HistoryKind::Status => "statuses",
            HistoryKind::Direction => "directions of travel",
            HistoryKind::Rag => "RAG ratings",
            HistoryKind::Note => "data notes",
            HistoryKind::Narrative => "report narratives",
            HistoryKind::Accountability => "lead accountability",
            HistoryKind::Measure => "measures defined",
            HistoryKind::Signoff => "sign-offs",
            HistoryKind::Approval => "note approvals",
            HistoryKind::Refresh => "refreshes of values announced",
            HistoryKind::Definition => "definition amendments",
            HistoryKind::Withdrawal => "measures withdrawn and reinstated",
            HistoryKind::Lock => "locks and reopenings",
            HistoryKind::Publication => "reports published",
            HistoryKind::Token => "tokens issued and revoked",
            HistoryKind::Read => "history reads",
            HistoryKind::SetAside => "commits set aside",
            HistoryKind::Plan => "plans, priorities, outcomes and rule sets",
            HistoryKind::Key => "signing keys added and retired",
            HistoryKind::Meeting => "meetings, agenda items, decisions and call-ins",
            HistoryKind::Clinic => "performance clinics called, held and cancelled",
            HistoryKind::Action => {
                "improvement actions registered, moved, rated, reworded and completed"
            }
        }
    }

    /// The kind a word names: its word, another word for it, or one of the strings it
    /// stores (in any case, spaces around ignored).
    pub fn parse(word: &str) -> Result<HistoryKind, UnknownKind> {
        let wanted = word.trim();
        HistoryKind::ALL
            .into_iter()
            .find(|kind| {
                std::iter::once(kind.word())
                    .chain(kind.aliases().iter().copied())
                    .chain(kind.stored().iter().copied())
                    .any(|known| known.eq_ignore_ascii_case(wanted))
            })
            .ok_or_else(|| UnknownKind {
                word: wanted.to_owned(),
            })
    }

    /// The stored strings `word` selects: all its kind's for a word, only itself for a stored
    /// string (`period reopened` is the reopenings, not the locks too).
    pub fn selects(word: &str) -> Result<&'static [&'static str], UnknownKind> {
        let kind = HistoryKind::parse(word)?;
        let stored = kind.stored();
        Ok(stored
            .iter()
            .find(|known| known.eq_ignore_ascii_case(word.trim()))
            .map(std::slice::from_ref)
            .unwrap_or(stored))
    }

    /// The stored strings a list of words selects (each word as in [`HistoryKind::selects`],
    /// blank words ignored), ready for [`crate::HistoryFilter::what`].
    pub fn select_all<'a>(
        words: impl IntoIterator<Item = &'a str>,
    ) -> Result<Vec<String>, UnknownKind> {
        let mut what = Vec::new();
        for word in words.into_iter().filter(|w| !w.trim().is_empty()) {
            for stored in HistoryKind::selects(word)? {
                if !what.iter().any(|w| w == stored) {
                    what.push((*stored).to_owned());
                }
            }
        }
        Ok(what)
    }

    /// Every kind's word, as a message lists them: `value, target, … or plan`.
    pub fn words() -> String {
        let words: Vec<&str> = HistoryKind::ALL.iter().map(|k| k.word()).collect();
        match words.split_last() {
            Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
            None => String::new(),
        }
    }
}

impl fmt::Display for HistoryKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.word())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(words: &[&str], expected: &[&str]) {
        assert_eq!(
            HistoryKind::select_all(words.iter().copied()).unwrap(),
            expected
        );
    }

    #[test]
    fn the_readme_words_select_what_the_history_stores() {
        check(&["read"], &["history read"]);
        check(&["note"], &["data note"]);
        check(&["Notes"], &["data note"]);
        check(&["dot"], &["direction of travel"]);
        check(&["lock"], &["period locked", "period reopened"]);
        check(&["set-aside"], &["commit set aside"]);
        check(&["set-asides"], &["commit set aside"]);
        check(
            &["status", " direction "],
            &["status", "direction of travel"],
        );
    }

    #[test]
    fn a_stored_string_selects_itself_alone() {
        check(&["period reopened"], &["period reopened"]);
        check(&["data note"], &["data note"]);
        check(&["RAG rating"], &["RAG rating"]);
        check(&["definition: title"], &["definition: title"]);
    }

    #[test]
    fn blank_and_repeated_words_add_nothing() {
        check(&["", "value", "values", " "], &["value"]);
        check(&[], &[]);
    }

    #[test]
    fn an_unknown_word_is_refused_naming_every_kind() {
        let err = HistoryKind::select_all(["value", "nonsense"]).unwrap_err();
        assert_eq!(err.word, "nonsense");
        assert_eq!(
            err.to_string(),
            "\"nonsense\" is not a kind of change; use value, target, status, direction, rag, \
             note, narrative, accountability, measure, signoff, approval, refresh, definition, withdrawal, lock, \
             publication, \
             token, read, set-aside, plan, key, meeting, clinic or action"
        );
    }

    #[test]
    fn definition_names_the_history_row_of_every_amendable_field() {
        let mut rows: Vec<String> = scoreledger_domain::MeasureField::ALL
            .iter()
            .map(|f| format!("definition: {f}"))
            .collect();
        // And of a change of definition or source (`BasisChanged`).
        rows.extend(
            scoreledger_domain::BasisKind::ALL
                .iter()
                .map(|k| format!("{k} change")),
        );
        assert_eq!(HistoryKind::Definition.stored(), rows);
    }

    #[test]
    fn every_word_and_stored_string_names_exactly_one_kind() {
        for kind in HistoryKind::ALL {
            let names = std::iter::once(kind.word())
                .chain(kind.aliases().iter().copied())
                .chain(kind.stored().iter().copied());
            for name in names {
                let owners: Vec<HistoryKind> = HistoryKind::ALL
                    .into_iter()
                    .filter(|other| {
                        std::iter::once(other.word())
                            .chain(other.aliases().iter().copied())
                            .chain(other.stored().iter().copied())
                            .any(|n| n.eq_ignore_ascii_case(name))
                    })
                    .collect();
                assert_eq!(owners, [kind], "{name:?}");
            }
        }
    }
}
