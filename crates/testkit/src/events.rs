//! Generated events for round-trip properties: every `DomainEvent` variant, with periods at
//! and beyond the edges of the recorded years, extreme decimals, and long and odd Unicode text.
//!
//! `Kind` names each variant, and both `Kind::of` and `event_of` match on every one without a
//! wildcard: a new event type does not build until it has a generator here.

use std::str::FromStr;

use chrono::NaiveDate;
use proptest::prelude::*;
use proptest::sample::select;
use rust_decimal::Decimal;
use uuid::Uuid;

use scoreledger_domain::clinic::Mandate;
use scoreledger_domain::event::ReportKind;
use scoreledger_domain::period::Term;
use scoreledger_domain::target::{Comparison, TargetSpec, TextKind as TargetText};
use scoreledger_domain::text::{self, TextKind};
use scoreledger_domain::value::Unit;
use scoreledger_domain::{
    AccessId, ActionId, ActionText, BasisKind, DataQuality, Direction, DomainEvent, FieldChange,
    Frequency, MeasureDefinition, MeasureField, MeasureId, MeasureRef, MeetingId, PartDigest,
    Period, PlanId, Polarity, Position, Quality, Rag, RecordedValue, ReportId, RevisionClass, Role,
    RuleSet, SetAsideId, Status, StatusScheme, Target, TargetSegment, TokenId, ValueKind,
};

macro_rules! kinds {
    ($($variant:ident),+ $(,)?) => {
        /// The kind of an event: one per `DomainEvent` variant.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Kind {
            $(
                #[doc = concat!("`DomainEvent::", stringify!($variant), "`.")]
                $variant
            ),+
        }

        impl Kind {
            /// Every kind, in declaration order.
            pub const ALL: &'static [Kind] = &[$(Kind::$variant),+];

            /// The kind of an event.
            pub fn of(event: &DomainEvent) -> Kind {
                match event {
                    $(DomainEvent::$variant { .. } => Kind::$variant),+
                }
            }
        }
    };
}

kinds!(
    PlanDefined,
    PriorityDefined,
    OutcomeDefined,
    PeriodLocked,
    PeriodReopened,
    RuleSetDefined,
    MeasureDefined,
    LeadAccountabilityAssigned,
    TargetSet,
    TargetChanged,
    ValueRecorded,
    ValueRevised,
    ValueConfirmed,
    ClinicCalled,
    ClinicHeld,
    ClinicCancelled,
    MeetingRecorded,
    AgendaItemAdded,
    DecisionRecorded,
    DecisionCalledIn,
    ActionRegistered,
    ActionTargetDateMoved,
    ActionRated,
    ActionCompleted,
    ActionTextSet,
    StatusAssessed,
    RagAssessed,
    DirectionAssessed,
    CommentaryEdited,
    NarrativeEdited,
    ValueSignedOff,
    CommentaryApproved,
    MeasureAmended,
    BasisChanged,
    RefreshAnnounced,
    MeasureWithdrawn,
    MeasureReinstated,
    ReportPublished,
    TokenIssued,
    TokenRevoked,
    AccessRecorded,
    CommitSetAside,
    SigningKeyAdded,
    SigningKeyRetired,
    CheckpointRecorded,
);

/// Which periods to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Years {
    /// Only periods inside the recorded window (1900–2200), most of them at its edges.
    Recorded,
    /// Also periods a year or centuries outside it, which must be refused, never misread.
    Beyond,
}

/// Any event of any kind. With `Years::Recorded` every text passes the text rules, so the
/// events are ones a command could produce.
pub fn event(years: Years) -> impl Strategy<Value = DomainEvent> {
    select(Kind::ALL).prop_flat_map(move |kind| event_of(kind, years))
}

/// An event of any kind but the log's own integrity records (signing keys, checkpoints),
/// which only the service writes and a verifier reads as such: for generated logs that must
/// verify as written.
pub fn business_event(years: Years) -> impl Strategy<Value = DomainEvent> {
    let kinds: Vec<Kind> = Kind::ALL
        .iter()
        .copied()
        .filter(|kind| {
            !matches!(
                kind,
                Kind::SigningKeyAdded | Kind::SigningKeyRetired | Kind::CheckpointRecorded
            )
        })
        .collect();
    select(kinds).prop_flat_map(move |kind| event_of(kind, years))
}

/// An event of one kind.
pub fn event_of(kind: Kind, years: Years) -> BoxedStrategy<DomainEvent> {
    let p = move || period(years);
    match kind {
        Kind::PlanDefined => (
            uuid(),
            name(),
            p(),
            status_scheme(),
            proptest::option::of(date()),
            proptest::option::of(name()),
        )
            .prop_map(
                |(plan, name, financial_year, status_scheme, approved_on, approved_by)| {
                    DomainEvent::PlanDefined {
                        plan_id: PlanId(plan),
                        name,
                        financial_year,
                        status_scheme,
                        approved_on,
                        approved_by,
                    }
                },
            )
            .boxed(),
        Kind::PriorityDefined => (any::<u8>(), line())
            .prop_map(|(number, title)| DomainEvent::PriorityDefined { number, title })
            .boxed(),
        Kind::OutcomeDefined => (any::<u8>(), name(), line())
            .prop_map(|(priority, letter, title)| DomainEvent::OutcomeDefined {
                priority,
                letter,
                title,
            })
            .boxed(),
        Kind::PeriodLocked => p()
            .prop_map(|period| DomainEvent::PeriodLocked { period })
            .boxed(),
        Kind::PeriodReopened => p()
            .prop_map(|period| DomainEvent::PeriodReopened { period })
            .boxed(),
        Kind::RuleSetDefined => (any::<u32>(), decimal(), decimal())
            .prop_map(
                |(version, satisfactory, stable)| DomainEvent::RuleSetDefined {
                    rule_set: RuleSet {
                        version,
                        satisfactory_band_percent: satisfactory,
                        stable_band_percent: stable,
                    },
                },
            )
            .boxed(),
        Kind::MeasureDefined => (uuid(), definition())
            .prop_map(|(measure, definition)| DomainEvent::MeasureDefined {
                measure_id: MeasureId(measure),
                definition,
            })
            .boxed(),
        Kind::LeadAccountabilityAssigned => (name(), date())
            .prop_map(
                |(person, effective_from)| DomainEvent::LeadAccountabilityAssigned {
                    person,
                    effective_from,
                },
            )
            .boxed(),
        Kind::TargetSet => (p(), target())
            .prop_map(|(period, target)| DomainEvent::TargetSet { period, target })
            .boxed(),
        Kind::TargetChanged => (p(), target(), target())
            .prop_map(|(period, old, new)| DomainEvent::TargetChanged { period, old, new })
            .boxed(),
        Kind::ValueRecorded => (p(), value(), quality())
            .prop_map(|(period, value, quality)| DomainEvent::ValueRecorded {
                period,
                value,
                quality,
            })
            .boxed(),
        Kind::ValueRevised => (p(), value(), value(), revision_class(), quality())
            .prop_map(
                |(period, old, new, classification, quality)| DomainEvent::ValueRevised {
                    period,
                    old,
                    new,
                    classification,
                    quality,
                },
            )
            .boxed(),
        Kind::ValueConfirmed => (
            p(),
            value(),
            proptest::option::of(revision_class()),
            quality(),
            quality(),
        )
            .prop_map(
                |(period, value, classification, was, quality)| DomainEvent::ValueConfirmed {
                    period,
                    value,
                    classification,
                    was,
                    quality,
                },
            )
            .boxed(),
        Kind::ClinicCalled => (date(), name())
            .prop_map(|(on, chair)| DomainEvent::ClinicCalled { on, chair })
            .boxed(),
        Kind::ClinicHeld => (
            date(),
            proptest::collection::vec((line(), name(), date()), 0..3),
        )
            .prop_map(|(on, mandates)| DomainEvent::ClinicHeld {
                on,
                mandates: mandates
                    .into_iter()
                    .map(|(action, owner, due_on)| Mandate {
                        action,
                        owner,
                        due_on,
                    })
                    .collect(),
            })
            .boxed(),
        Kind::ClinicCancelled => date()
            .prop_map(|on| DomainEvent::ClinicCancelled { on })
            .boxed(),
        Kind::MeetingRecorded => (uuid(), name(), date())
            .prop_map(|(meeting, body, held_on)| DomainEvent::MeetingRecorded {
                meeting_id: MeetingId(meeting),
                body,
                held_on,
            })
            .boxed(),
        Kind::AgendaItemAdded => (
            name(),
            line(),
            proptest::option::of(uuid()),
            proptest::option::of(any::<u8>()),
        )
            .prop_map(
                |(item, title, report, exempt_paragraph)| DomainEvent::AgendaItemAdded {
                    item,
                    title,
                    report_id: report.map(ReportId),
                    exempt_paragraph,
                },
            )
            .boxed(),
        Kind::DecisionRecorded => (name(), prose())
            .prop_map(|(item, decision)| DomainEvent::DecisionRecorded { item, decision })
            .boxed(),
        Kind::DecisionCalledIn => (name(), name())
            .prop_map(|(item, by)| DomainEvent::DecisionCalledIn { item, by })
            .boxed(),
        Kind::ActionRegistered => (
            uuid(),
            (line(), line(), line()),
            name(),
            name(),
            proptest::collection::vec(measure_ref(), 0..4),
        )
            .prop_map(
                |(action, (plan, objective, key_action), lead, target_date, measures)| {
                    DomainEvent::ActionRegistered {
                        action_id: ActionId(action),
                        plan,
                        objective,
                        key_action,
                        lead,
                        target_date,
                        measures,
                    }
                },
            )
            .boxed(),
        Kind::ActionTargetDateMoved => (name(), name())
            .prop_map(|(from, to)| DomainEvent::ActionTargetDateMoved { from, to })
            .boxed(),
        Kind::ActionRated => (
            select(Rag::ALL),
            proptest::option::of(select(Direction::ALL)),
        )
            .prop_map(|(rag, arrow)| DomainEvent::ActionRated { rag, arrow })
            .boxed(),
        Kind::ActionTextSet => (
            select(ActionText::ALL),
            proptest::option::of(prose()),
            prose(),
        )
            .prop_map(|(field, before, after)| DomainEvent::ActionTextSet {
                field,
                before,
                after,
            })
            .boxed(),
        Kind::ActionCompleted => date()
            .prop_map(|on| DomainEvent::ActionCompleted { on })
            .boxed(),
        Kind::StatusAssessed => (p(), status(), proptest::option::of(status()), any::<u32>())
            .prop_map(
                |(period, status, computed, rule_set_version)| DomainEvent::StatusAssessed {
                    period,
                    status,
                    computed,
                    rule_set_version,
                },
            )
            .boxed(),
        Kind::RagAssessed => (
            (p(), select(Rag::ALL)),
            (
                proptest::option::of(select(Rag::ALL)),
                proptest::option::of(any::<u32>()),
            ),
        )
            .prop_map(
                |((period, rag), (computed, rule_set_version))| DomainEvent::RagAssessed {
                    period,
                    rag,
                    computed,
                    rule_set_version,
                },
            )
            .boxed(),
        Kind::DirectionAssessed => (
            p(),
            select(Direction::ALL),
            proptest::option::of(select(Direction::ALL)),
        )
            .prop_map(
                |(period, direction, computed)| DomainEvent::DirectionAssessed {
                    period,
                    direction,
                    computed,
                },
            )
            .boxed(),
        Kind::CommentaryEdited => (p(), prose())
            .prop_map(|(period, text)| DomainEvent::CommentaryEdited { period, text })
            .boxed(),
        Kind::NarrativeEdited => (p(), prose())
            .prop_map(|(period, text)| DomainEvent::NarrativeEdited { period, text })
            .boxed(),
        Kind::ValueSignedOff => (p(), any::<u32>())
            .prop_map(|(period, revision)| DomainEvent::ValueSignedOff { period, revision })
            .boxed(),
        Kind::CommentaryApproved => p()
            .prop_map(|period| DomainEvent::CommentaryApproved { period })
            .boxed(),
        Kind::MeasureAmended => proptest::collection::vec(field_change(), 0..4)
            .prop_map(|changes| DomainEvent::MeasureAmended { changes })
            .boxed(),
        Kind::BasisChanged => (
            select(vec![BasisKind::Definition, BasisKind::Source]),
            p(),
            prose(),
            any::<bool>(),
        )
            .prop_map(|(kind, from, note, restated)| DomainEvent::BasisChanged {
                kind,
                from,
                note,
                restated,
            })
            .boxed(),
        Kind::RefreshAnnounced => (p(), p(), prose())
            .prop_map(|(period, due, note)| DomainEvent::RefreshAnnounced { period, due, note })
            .boxed(),
        Kind::MeasureWithdrawn => p()
            .prop_map(|from| DomainEvent::MeasureWithdrawn { from })
            .boxed(),
        Kind::MeasureReinstated => p()
            .prop_map(|from| DomainEvent::MeasureReinstated { from })
            .boxed(),
        Kind::ReportPublished => (
            (uuid(), uuid(), p(), any::<u64>()),
            (name(), date(), any::<u32>(), sha256()),
            proptest::collection::vec((line(), sha256()), 0..4),
        )
            .prop_map(
                |(
                    (report, plan, period, cut_off),
                    (meeting, published_on, rule_set_version, sha256),
                    parts,
                )| DomainEvent::ReportPublished {
                    report_id: ReportId(report),
                    plan_id: PlanId(plan),
                    kind: ReportKind::QuarterlyScorecard,
                    period,
                    cut_off: Position(cut_off),
                    meeting,
                    published_on,
                    rule_set_version,
                    sha256,
                    parts: parts
                        .into_iter()
                        .map(|(part, sha256)| PartDigest { part, sha256 })
                        .collect(),
                },
            )
            .boxed(),
        Kind::TokenIssued => (
            uuid(),
            name(),
            name(),
            select(Role::ALL.to_vec()),
            proptest::option::of(name()),
            sha256(),
            proptest::option::of(date()),
        )
            .prop_map(
                |(token, user_id, name, role, directorate, secret_sha256, expires_on)| {
                    DomainEvent::TokenIssued {
                        token_id: TokenId(token),
                        user_id,
                        name,
                        role,
                        directorate,
                        secret_sha256,
                        expires_on,
                    }
                },
            )
            .boxed(),
        Kind::TokenRevoked => uuid()
            .prop_map(|token| DomainEvent::TokenRevoked {
                token_id: TokenId(token),
            })
            .boxed(),
        Kind::AccessRecorded => (uuid(), line(), proptest::option::of(name()))
            .prop_map(|(access, what, measure_ref)| DomainEvent::AccessRecorded {
                access_id: AccessId(access),
                what,
                measure_ref,
            })
            .boxed(),
        Kind::CommitSetAside => (uuid(), any::<u64>(), prose())
            .prop_map(
                |(set_aside, position, problem)| DomainEvent::CommitSetAside {
                    set_aside_id: SetAsideId(set_aside),
                    position: Position(position),
                    problem,
                },
            )
            .boxed(),
        Kind::SigningKeyAdded => line()
            .prop_map(|key| DomainEvent::SigningKeyAdded { key })
            .boxed(),
        Kind::SigningKeyRetired => line()
            .prop_map(|key| DomainEvent::SigningKeyRetired { key })
            .boxed(),
        Kind::CheckpointRecorded => (prose(), proptest::collection::vec(line(), 0..4))
            .prop_map(|(checkpoint, frontier)| DomainEvent::CheckpointRecorded {
                checkpoint,
                frontier,
            })
            .boxed(),
    }
}

/// Years at and just inside the edges of the window, the sample's years, and anywhere in it.
fn recorded_year() -> BoxedStrategy<i32> {
    prop_oneof![
        select(vec![
            1900, 1901, 1999, 2000, 2016, 2099, 2100, 2198, 2199, 2200
        ]),
        1900..=2200_i32,
    ]
    .boxed()
}

/// Years outside the window: just outside it, year 0, before the common era, far future.
fn beyond_year() -> BoxedStrategy<i32> {
    prop_oneof![
        select(vec![
            -1, 0, 1, 99, 999, 1899, 2201, 2999, 9999, 10_000, 99_999
        ]),
        -5_000..=12_000_i32,
    ]
    .boxed()
}

/// A period of any kind. Its parts (quarter, half, month) are always valid: a period with
/// a fourteenth month cannot be built by parsing, only the years vary beyond the window.
pub fn period(years: Years) -> BoxedStrategy<Period> {
    let year = match years {
        Years::Recorded => recorded_year(),
        Years::Beyond => prop_oneof![3 => recorded_year(), 1 => beyond_year()].boxed(),
    };
    (year, 0..9_u8, 1..=12_u8, 0..365_u64)
        .prop_map(|(year, kind, n, day)| match kind {
            0 => Period::FinancialYear { start: year },
            1 => Period::Biennium { start: year },
            2 => Period::HalfYear {
                fy: year,
                half: 1 + n % 2,
            },
            3 => Period::Quarter {
                fy: year,
                quarter: 1 + n % 4,
            },
            4 => Period::Month { year, month: n },
            5 => Period::AcademicYear { start: year },
            6 => Period::AcademicTerm {
                academic_year: year,
                term: [Term::Autumn, Term::Spring, Term::Summer][usize::from(n % 3)],
            },
            7 => Period::CalendarYear { year },
            // Any day of the financial year (chrono represents every generated year).
            _ => Period::YearToDate {
                fy: year,
                through: chrono::NaiveDate::from_ymd_opt(year, 4, 1)
                    .expect("April 1st of a generated year")
                    + chrono::Days::new(day),
            },
        })
        // Generated periods stay inside a window their end years fit (a biennium's two).
        .prop_filter("a period of the recorded years", move |period| {
            years == Years::Beyond || period.is_in_range()
        })
        .boxed()
}

/// A decimal: small and exact, at the type's extremes, the tiniest, negative, or any of the
/// 96-bit mantissa and 0–28 decimal places.
pub fn decimal() -> BoxedStrategy<Decimal> {
    prop_oneof![
        select(vec![
            Decimal::ZERO,
            Decimal::ONE,
            Decimal::NEGATIVE_ONE,
            Decimal::MAX,
            Decimal::MIN,
            Decimal::new(1, 28),
            Decimal::new(-1, 28),
            Decimal::from_str("0.0000000000000000000000000001").expect("a decimal"),
            Decimal::from_str("79228162514264337593543950335").expect("a decimal"),
            Decimal::from_str("-3.1415926535897932384626433833").expect("a decimal"),
            Decimal::from_str("100.000").expect("a decimal"),
            Decimal::from_str("-0.0").expect("a decimal"),
        ]),
        (-100_000_i64..100_000, 0..4_u32).prop_map(|(n, scale)| Decimal::new(n, scale)),
        (
            any::<u32>(),
            any::<u32>(),
            any::<u32>(),
            any::<bool>(),
            0..=28_u32
        )
            .prop_map(|(lo, mid, hi, negative, scale)| Decimal::from_parts(
                lo, mid, hi, negative, scale
            )),
    ]
    .boxed()
}

/// Pieces of odd but permitted text: combining marks, emoji and ZWJ sequences, right-to-left
/// scripts (without the bidirectional controls, which are refused), astral-plane letters,
/// spreadsheet-formula starts, JSON and SQL metacharacters, and non-breaking spaces.
const PIECES: &[&str] = &[
    "a",
    "Z",
    " ",
    "7",
    "%",
    "£",
    "'",
    "\"",
    "\\",
    "/",
    "{",
    "}",
    "=",
    "+",
    "-",
    "@",
    ";--",
    "e\u{301}",
    "Z\u{334}\u{30C}\u{35B}",
    "\u{1F1EC}\u{1F1E7}",
    "\u{1F469}\u{200D}\u{1F4BB}",
    "👍🏽",
    "שלום",
    "مرحبا",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "𐍈",
    "\u{10FFFD}",
    "\u{A0}",
    "\u{2028}",
    "\u{FEFF}",
    "ǅ",
    "ß",
    "İ",
    "\u{FFFD}",
    "null",
];

/// Odd text of at most `max` characters that passes the text rules for `kind`; sometimes
/// exactly `max` characters long.
fn text_of(kind: TextKind) -> BoxedStrategy<String> {
    let max = kind.max_chars();
    let mut pieces: Vec<&'static str> = PIECES.to_vec();
    if kind == TextKind::Prose {
        pieces.extend(["\n", "\r\n", "\t"]);
    }
    let assembled = proptest::collection::vec(select(pieces.clone()), 0..40)
        .prop_map(move |parts| clip(&parts.concat(), max));
    // At the limit: a run of one piece repeated and cut to exactly `max` characters.
    let at_limit = select(pieces).prop_map(move |piece| {
        let long: String = piece.chars().cycle().take(max).collect();
        clip(&long, max)
    });
    prop_oneof![8 => assembled, 1 => at_limit]
        .prop_filter("text the rules keep", move |t| text::check(t, kind).is_ok())
        .boxed()
}

fn clip(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

/// A name, id, reference, directorate or meeting.
pub fn name() -> BoxedStrategy<String> {
    text_of(TextKind::Name)
}

/// A title, action, target or value as printed.
pub fn line() -> BoxedStrategy<String> {
    text_of(TextKind::Line)
}

/// A note or reason.
pub fn prose() -> BoxedStrategy<String> {
    text_of(TextKind::Prose)
}

fn uuid() -> BoxedStrategy<Uuid> {
    any::<u128>().prop_map(Uuid::from_u128).boxed()
}

fn sha256() -> BoxedStrategy<String> {
    proptest::string::string_regex("[0-9a-f]{64}")
        .expect("a valid pattern")
        .boxed()
}

/// Any date chrono can hold, at the edges of the window, and its leap days.
fn date() -> BoxedStrategy<NaiveDate> {
    prop_oneof![
        select(vec![
            NaiveDate::MIN,
            NaiveDate::MAX,
            NaiveDate::from_ymd_opt(1900, 1, 1).expect("a date"),
            NaiveDate::from_ymd_opt(2000, 2, 29).expect("a date"),
            NaiveDate::from_ymd_opt(2200, 12, 31).expect("a date"),
        ]),
        (-200_000..200_000_i32, 1..=366_u32)
            .prop_filter_map("a day of that year", |(y, d)| NaiveDate::from_yo_opt(y, d)),
    ]
    .boxed()
}

fn status() -> BoxedStrategy<Status> {
    select(Status::ALL).boxed()
}

fn status_scheme() -> BoxedStrategy<StatusScheme> {
    select(StatusScheme::ALL).boxed()
}

fn revision_class() -> BoxedStrategy<RevisionClass> {
    select(RevisionClass::ALL).boxed()
}

fn unit() -> BoxedStrategy<Unit> {
    select(vec![Unit::Number, Unit::Percent, Unit::Pounds]).boxed()
}

/// A value: a cell as an officer types it, or every field drawn on its own.
fn value() -> BoxedStrategy<RecordedValue> {
    let typed = (decimal(), line()).prop_filter_map("a cell that is not empty", |(n, rest)| {
        RecordedValue::parse(&clip(&format!("{n} {rest}"), TextKind::LINE_MAX)).ok()
    });
    let drawn = (
        proptest::option::of(decimal()),
        unit(),
        line(),
        proptest::option::of(line()),
        proptest::option::of(decimal()),
        proptest::option::of(decimal()),
    )
        .prop_map(
            |(amount, unit, raw, qualifier, numerator, denominator)| RecordedValue {
                amount,
                unit,
                raw,
                qualifier,
                numerator,
                denominator,
            },
        );
    prop_oneof![typed, drawn].boxed()
}

fn quality() -> BoxedStrategy<DataQuality> {
    (select(Quality::ALL), proptest::option::of(name()))
        .prop_map(|(quality, source_system)| DataQuality {
            quality,
            source_system,
        })
        .boxed()
}

/// A target: as printed and parsed, or with segments drawn on their own.
fn target() -> BoxedStrategy<TargetSpec> {
    let single = prop_oneof![
        (select(Comparison::ALL), decimal(), unit()).prop_map(|(comparison, value, unit)| {
            Target::Numeric {
                comparison,
                value,
                unit,
            }
        }),
        (decimal(), decimal(), unit()).prop_map(|(low, high, unit)| Target::Range {
            low,
            high,
            unit
        }),
        select(TargetText::ALL).prop_map(|meaning| Target::Text { meaning }),
    ];
    let drawn = (
        line(),
        proptest::collection::vec((1..=12_u8, 1..=12_u8, single), 1..4),
    )
        .prop_map(|(raw, segments)| TargetSpec {
            raw,
            segments: segments
                .into_iter()
                .map(|(from_month, to_month, target)| TargetSegment {
                    from_month,
                    to_month,
                    target,
                })
                .collect(),
            milestones: Vec::new(),
        });
    let printed = prop_oneof![
        select(vec![
            "87.5%",
            "<5%",
            "At least 2,300 per 100,000",
            "April - September 26% October - March 23%",
            "65% March 2010 68% October 2010 70% March 2011",
            "60% - 70%",
            "No target",
            "Baseline year",
            "tbc",
            "5% reduction on 2015-16",
        ])
        .prop_map(str::to_owned),
        line(),
    ]
    .prop_filter_map("a target that is not empty", |raw| {
        TargetSpec::parse(&raw).ok()
    });
    prop_oneof![printed, drawn].boxed()
}

fn measure_ref() -> BoxedStrategy<MeasureRef> {
    select(vec![
        "1.A3", "2.B4 (a)", "4B5(b)", "5.C1b", "NI 68", "PH 1.01", "Ω-1",
    ])
    .prop_map(|raw| MeasureRef::parse(raw).expect("a measure reference"))
    .boxed()
}

fn definition() -> BoxedStrategy<MeasureDefinition> {
    (
        (uuid(), measure_ref(), name(), any::<u8>(), name(), line()),
        (line(), any::<bool>(), name(), name(), name()),
        (
            select(Polarity::ALL),
            line(),
            select(Frequency::ALL),
            line(),
            select(ValueKind::ALL),
            status_scheme(),
            prop_oneof![Just(String::new()), line()],
        ),
    )
        .prop_map(
            |(
                (plan, measure_ref, ref_as_printed, priority, outcome, action),
                (title, priority_measure, lead_officer, directorate, lead_accountability),
                (
                    polarity,
                    polarity_text,
                    frequency,
                    frequency_text,
                    value_kind,
                    status_scheme,
                    baseline,
                ),
            )| MeasureDefinition {
                plan_id: PlanId(plan),
                measure_ref,
                ref_as_printed,
                priority,
                outcome,
                action,
                title,
                priority_measure,
                lead_officer,
                directorate,
                lead_accountability,
                polarity,
                polarity_text,
                frequency,
                frequency_text,
                value_kind,
                status_scheme,
                baseline,
            },
        )
        .boxed()
}

fn field_change() -> BoxedStrategy<FieldChange> {
    (select(MeasureField::ALL), line(), line())
        .prop_map(|(field, before, after)| FieldChange {
            field,
            before,
            after,
        })
        .boxed()
}
