//! What a measure is: its reference, text, owner and the facts that govern how its values
//! are read (polarity, frequency, value kind).

use serde::{Deserialize, Serialize};

use crate::ids::PlanId;
use crate::measure_ref::MeasureRef;
use crate::status::StatusScheme;

macro_rules! text_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name {
            $($(#[$vdoc])* $variant),+
        }

        // Events, files and the command line all spell a variant the one way `as_str` does.
        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <::std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                text.parse().map_err(::serde::de::Error::custom)
            }
        }

        // The API documents the variant exactly as `Serialize` spells it: a string from `ALL`.
        impl ::utoipa::PartialSchema for $name {
            fn schema() -> ::utoipa::openapi::RefOr<::utoipa::openapi::schema::Schema> {
                ::utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(::utoipa::openapi::schema::Type::String)
                    .enum_values(Some($name::ALL.iter().map(|v| v.as_str())))
                    .into()
            }
        }

        impl ::utoipa::ToSchema for $name {}

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The snake_case name used in events, import files and on the command line.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = String;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let wanted = s.trim().to_ascii_lowercase().replace([' ', '-'], "_");
                $name::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == wanted)
                    .ok_or_else(|| {
                        let names: Vec<&str> = $name::ALL.iter().map(|v| v.as_str()).collect();
                        format!("unknown {} {s:?}; expected one of {}", stringify!($name).to_ascii_lowercase(), names.join(", "))
                    })
            }
        }
    };
}
pub(crate) use text_enum;

text_enum!(
    /// Whether good performance is a high or a low number ("Good performance" column).
    Polarity {
        /// Higher is better.
        High => "high",
        /// Lower is better.
        Low => "low",
        /// A band is good, neither too high nor too low ("mid range is good performance"):
        /// the target gives the band (`60% - 70%`) or the figure at its middle.
        MidRange => "mid_range",
        /// Neither (e.g. referral counts where a rise reflects awareness).
        NotApplicable => "not_applicable",
    }
);

text_enum!(
    /// How often a measure reports (the published split is 21/31/6/7/37/1 for 2016/17).
    Frequency {
        /// Every month.
        Monthly => "monthly",
        /// Every quarter.
        Quarterly => "quarterly",
        /// Every academic term.
        Termly => "termly",
        /// Twice a year (survey waves).
        SixMonthly => "six_monthly",
        /// Once a year.
        Annual => "annual",
        /// Every two years.
        Biennial => "biennial",
    }
);

text_enum!(
    /// How a period's value relates to earlier ones.
    ValueKind {
        /// A position at the end of the period; never summed.
        PointInTime => "point_in_time",
        /// Year to date: each value includes the earlier periods of the year.
        Cumulative => "cumulative",
        /// A rolling window (e.g. the 12 months to the period end).
        Rolling => "rolling",
    }
);

/// Everything the scorecard shows about a measure apart from its numbers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MeasureDefinition {
    /// The plan the measure belongs to.
    pub plan_id: PlanId,
    /// Normalised reference (`4.B5 (b)`).
    pub measure_ref: MeasureRef,
    /// Reference exactly as printed (`4B5(b)`).
    pub ref_as_printed: String,
    /// Priority number (1–5).
    pub priority: u8,
    /// Outcome letter within the priority (`A`).
    pub outcome: String,
    /// The Corporate Plan action the measure supports.
    pub action: String,
    /// The measure text.
    pub title: String,
    /// Whether it is one of the plan's priority measures.
    pub priority_measure: bool,
    /// Lead officer (person or role).
    pub lead_officer: String,
    /// Directorate of the lead officer.
    pub directorate: String,
    /// Lead accountability (Strategic Director) at definition.
    pub lead_accountability: String,
    /// Whether good performance is high or low.
    pub polarity: Polarity,
    /// Polarity as printed (`High - very or fairly satisfied`).
    pub polarity_text: String,
    /// Reporting frequency.
    pub frequency: Frequency,
    /// Frequency as printed (`Annual (interim quarterly data also available)`).
    pub frequency_text: String,
    /// Point in time, cumulative or rolling.
    pub value_kind: ValueKind,
    /// Which status scheme the measure is assessed in (the plan's).
    pub status_scheme: StatusScheme,
    /// The baseline as printed (`57.6% (2008/09 outturn) (2270/3940) …`); its figures are
    /// read by [`crate::baseline::figures`]. Left out of the encoding when empty, so a
    /// definition without one encodes (and hashes) as definitions did before baselines.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub baseline: String,
}

text_enum!(
    /// What changed about how a measure's figures are arrived at.
    BasisKind {
        /// What is counted and how ("Definition change in PHOF").
        Definition => "definition",
        /// Where the figures come from ("Data in PHOF now sourced from Annual Population
        /// Survey").
        Source => "source",
    }
);

text_enum!(
    /// A field of a measure's definition that an amendment may change: the plain data of the
    /// definition. The reference, plan, outcome, value kind and status scheme identify the
    /// measure or govern how its values are read, so changing them is a new measure.
    MeasureField {
        /// The measure text.
        Title => "title",
        /// The Corporate Plan action.
        Action => "action",
        /// Lead officer.
        LeadOfficer => "lead_officer",
        /// Directorate of the lead officer.
        Directorate => "directorate",
        /// Whether good performance is high or low.
        Polarity => "polarity",
        /// Polarity as printed.
        PolarityText => "polarity_text",
        /// Reporting frequency.
        Frequency => "frequency",
        /// Frequency as printed.
        FrequencyText => "frequency_text",
        /// Whether it is one of the plan's priority measures (`yes` or `no`).
        PriorityMeasure => "priority_measure",
        /// The baseline as printed.
        Baseline => "baseline",
    }
);

impl MeasureField {
    /// Puts `text` into the one form events store for this field (trimmed text, a polarity or
    /// frequency as `as_str` spells it, `yes`/`no`), or says why it cannot be.
    pub fn normalise(self, text: &str) -> Result<String, String> {
        let text = text.trim();
        match self {
            MeasureField::Polarity => text.parse::<Polarity>().map(|p| p.as_str().to_owned()),
            MeasureField::Frequency => text.parse::<Frequency>().map(|f| f.as_str().to_owned()),
            MeasureField::PriorityMeasure => match text.to_ascii_lowercase().as_str() {
                "yes" | "true" | "y" => Ok("yes".to_owned()),
                "no" | "false" | "n" => Ok("no".to_owned()),
                _ => Err(format!("expected yes or no, not {text:?}")),
            },
            _ if text.is_empty() => Err("it is empty".to_owned()),
            _ => Ok(text.to_owned()),
        }
    }
}

impl MeasureDefinition {
    /// Whether an officer of `directorate` may change the measure: directorates are compared
    /// without regard to case, as tokens and definitions may write them differently.
    pub fn in_directorate(&self, directorate: &str) -> bool {
        self.directorate.eq_ignore_ascii_case(directorate)
    }

    /// The field's current value, in the form `MeasureField::normalise` produces.
    pub fn field(&self, field: MeasureField) -> String {
        match field {
            MeasureField::Title => self.title.clone(),
            MeasureField::Action => self.action.clone(),
            MeasureField::LeadOfficer => self.lead_officer.clone(),
            MeasureField::Directorate => self.directorate.clone(),
            MeasureField::Polarity => self.polarity.as_str().to_owned(),
            MeasureField::PolarityText => self.polarity_text.clone(),
            MeasureField::Frequency => self.frequency.as_str().to_owned(),
            MeasureField::FrequencyText => self.frequency_text.clone(),
            MeasureField::PriorityMeasure => {
                if self.priority_measure { "yes" } else { "no" }.to_owned()
            }
            MeasureField::Baseline => self.baseline.clone(),
        }
    }

    /// Sets the field from its normal form (see `MeasureField::normalise`).
    pub fn set_field(&mut self, field: MeasureField, text: &str) -> Result<(), String> {
        let text = field.normalise(text)?;
        match field {
            MeasureField::Title => self.title = text,
            MeasureField::Action => self.action = text,
            MeasureField::LeadOfficer => self.lead_officer = text,
            MeasureField::Directorate => self.directorate = text,
            MeasureField::Polarity => self.polarity = text.parse()?,
            MeasureField::PolarityText => self.polarity_text = text,
            MeasureField::Frequency => self.frequency = text.parse()?,
            MeasureField::FrequencyText => self.frequency_text = text,
            MeasureField::PriorityMeasure => self.priority_measure = text == "yes",
            MeasureField::Baseline => self.baseline = text,
        }
        Ok(())
    }
}
