//! Statuses and directions of travel: the six statuses and four directions of the 2016/17
//! scorecard key, and the 2010 Notice to Improve scheme (Red / Amber / Green / Complete
//! with ↑ → ↓).

use crate::measure::text_enum;

text_enum!(
    /// Overall status relevant to target (2016/17 key).
    Status {
        /// Measure progressing above or in line with target set.
        OnTarget => "on_target",
        /// Measure progress has been satisfactory but is not fully reaching target set.
        Satisfactory => "satisfactory",
        /// Measure has not progressed in accordance with target set.
        OffTarget => "off_target",
        /// Measure under development (awaiting data collection or target-setting).
        UnderDevelopment => "under_development",
        /// Measure not applicable for target (baseline year, no target).
        NotApplicable => "not_applicable",
        /// Measure information not yet available (infrequency or timing of data).
        NotYetAvailable => "not_yet_available",
    }
);

impl Status {
    /// The wording of the scorecard key.
    pub fn label(self) -> &'static str {
        match self {
            Status::OnTarget => "Measure progressing above or in line with target set",
            Status::Satisfactory => {
                "Measure progress has been satisfactory but is not fully reaching target set"
            }
            Status::OffTarget => "Measure has not progressed in accordance with target set",
            Status::UnderDevelopment => {
                "Measure under development (e.g. awaiting data collection or target-setting)"
            }
            Status::NotApplicable => {
                "Measure not applicable for target (e.g. baseline year, or not appropriate to set a specific target)"
            }
            Status::NotYetAvailable => {
                "Measure information not yet available (e.g. due to infrequency or timing of information/data)"
            }
        }
    }

    /// A short symbol for terminal tables (the pack's tick, amber dot and red cross).
    pub fn symbol(self) -> &'static str {
        match self {
            Status::OnTarget => "✓",
            Status::Satisfactory => "●",
            Status::OffTarget => "✗",
            Status::UnderDevelopment => "*",
            Status::NotApplicable => "n/a",
            Status::NotYetAvailable => "…",
        }
    }

    /// Whether the measure counts as "measured this quarter" (has data against a target).
    pub fn is_measured(self) -> bool {
        matches!(
            self,
            Status::OnTarget | Status::Satisfactory | Status::OffTarget
        )
    }
}

text_enum!(
    /// Direction of travel (dependent upon whether good performance is high or low).
    Direction {
        /// Numbers have improved.
        Improved => "improved",
        /// Numbers are stable.
        Stable => "stable",
        /// Numbers have got worse.
        Worse => "worse",
        /// Direction of travel is not applicable.
        NotApplicable => "not_applicable",
    }
);

impl Direction {
    /// The wording of the scorecard key.
    pub fn label(self) -> &'static str {
        match self {
            Direction::Improved => "Numbers have improved",
            Direction::Stable => "Numbers are stable",
            Direction::Worse => "Numbers have got worse",
            Direction::NotApplicable => "Direction of Travel is not applicable",
        }
    }

    /// Arrow symbol (also the 2010 RAG arrow).
    pub fn symbol(self) -> &'static str {
        match self {
            Direction::Improved => "↑",
            Direction::Stable => "→",
            Direction::Worse => "↓",
            Direction::NotApplicable => "-",
        }
    }

    /// Whether a direction was measured (the denominator of "positive direction" shares).
    pub fn is_measured(self) -> bool {
        !matches!(self, Direction::NotApplicable)
    }

    /// A direction as people write it: its name (`improved`), the arrow the packs print
    /// beside a rating (↑ → ↓), or the 2010 updates' words for the arrows (up, same, down).
    pub fn parse_printed(text: &str) -> Result<Direction, String> {
        let text = text.trim();
        match text.to_ascii_lowercase().as_str() {
            "↑" | "up" => Ok(Direction::Improved),
            "→" | "same" => Ok(Direction::Stable),
            "↓" | "down" => Ok(Direction::Worse),
            _ => text.parse().map_err(|message: String| {
                format!("{message}, or an arrow ↑ → ↓ (up, same, down)")
            }),
        }
    }
}

text_enum!(
    /// A 2010-style RAG rating; `Complete` is the terminal state of an action.
    Rag {
        /// Red.
        Red => "red",
        /// Amber.
        Amber => "amber",
        /// Green.
        Green => "green",
        /// Complete.
        Complete => "complete",
    }
);

impl Rag {
    /// The rating the rules suggest for a measure whose figure the status rules judge
    /// `status`: on target is Green, satisfactory Amber, off target Red; a status that says
    /// nothing of performance (no data, no target) suggests none. An officer may rate
    /// otherwise (NI 60 left Amber at its target "in the hope that it would continue to
    /// improve"); the suggestion is recorded beside the rating so the override shows.
    pub fn suggested_by(status: Status) -> Option<Rag> {
        match status {
            Status::OnTarget => Some(Rag::Green),
            Status::Satisfactory => Some(Rag::Amber),
            Status::OffTarget => Some(Rag::Red),
            Status::UnderDevelopment | Status::NotApplicable | Status::NotYetAvailable => None,
        }
    }
}

/// The arrow beside a 2010 RAG rating is a direction of travel.
pub type RagArrow = Direction;

text_enum!(
    /// Which status scheme a plan assesses its measures in.
    StatusScheme {
        /// The six statuses of the 2016/17 Corporate Plan key.
        Corporate2016 => "corporate_2016",
        /// Red / Amber / Green / Complete with arrows (2010 Notice to Improve).
        Rag2010 => "rag_2010",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directions_are_read_from_their_names_arrows_and_the_2010_words() {
        for (text, direction) in [
            ("improved", Direction::Improved),
            (" ↑ ", Direction::Improved),
            ("Up", Direction::Improved),
            ("→", Direction::Stable),
            ("same", Direction::Stable),
            ("↓", Direction::Worse),
            ("down", Direction::Worse),
            ("not applicable", Direction::NotApplicable),
        ] {
            assert_eq!(Direction::parse_printed(text), Ok(direction), "{text:?}");
        }
        let err = Direction::parse_printed("↗").unwrap_err();
        assert!(err.ends_with("or an arrow ↑ → ↓ (up, same, down)"), "{err}");
        // Every arrow printed reads back as its direction.
        for direction in Direction::ALL.iter().filter(|d| d.is_measured()) {
            assert_eq!(Direction::parse_printed(direction.symbol()), Ok(*direction));
        }
    }

    #[test]
    fn statuses_parse_from_their_names_and_reject_others_with_the_choices() {
        assert_eq!("on_target".parse::<Status>().unwrap(), Status::OnTarget);
        assert_eq!(
            "Not yet available".parse::<Status>().unwrap(),
            Status::NotYetAvailable
        );
        let err = "green".parse::<Status>().unwrap_err();
        assert!(err.contains("on_target, satisfactory"), "{err}");
        assert_eq!("Complete".parse::<Rag>().unwrap(), Rag::Complete);
    }

    #[test]
    fn only_the_three_target_statuses_count_as_measured() {
        let measured: Vec<Status> = Status::ALL
            .iter()
            .copied()
            .filter(|s| s.is_measured())
            .collect();
        assert_eq!(
            measured,
            [Status::OnTarget, Status::Satisfactory, Status::OffTarget]
        );
        assert!(!Direction::NotApplicable.is_measured());
    }

    #[test]
    fn the_rules_suggest_a_rating_only_for_a_status_that_judges_the_figure() {
        let suggested: Vec<(Status, Option<Rag>)> = Status::ALL
            .iter()
            .map(|s| (*s, Rag::suggested_by(*s)))
            .collect();
        assert_eq!(
            suggested,
            [
                (Status::OnTarget, Some(Rag::Green)),
                (Status::Satisfactory, Some(Rag::Amber)),
                (Status::OffTarget, Some(Rag::Red)),
                (Status::UnderDevelopment, None),
                (Status::NotApplicable, None),
                (Status::NotYetAvailable, None),
            ]
        );
    }
}
