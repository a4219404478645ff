//! Reporting periods (valid time): the period a fact is about, parsed and printed the way
//! the council's packs write them: `2016/17`, `Q3 Oct - Dec 2016`, `Oct-16`.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
/// The months' names in lower case, January first.
pub const MONTH_NAMES: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// A term of the academic year (September–July).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Term {
    /// September–December.
    Autumn,
    /// January–March/April.
    Spring,
    /// April/May–July.
    Summer,
}

impl Term {
    fn name(self) -> &'static str {
        match self {
            Term::Autumn => "Autumn",
            Term::Spring => "Spring",
            Term::Summer => "Summer",
        }
    }
}

/// A reporting period. Financial years run April–March (`2016/17` starts 1 April 2016);
/// academic years run September–July.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Period {
    /// A financial year, April to March: `2016/17`. Annual measures report against these.
    FinancialYear {
        /// Calendar year in which the financial year starts.
        start: i32,
    },
    /// Two consecutive financial years: `2015/16-2016/17`.
    Biennium {
        /// Calendar year in which the first financial year starts.
        start: i32,
    },
    /// Half a financial year: `H1 Apr - Sep 2016`, `H2 Oct - Mar 2016/17`.
    HalfYear {
        /// Start year of the financial year.
        fy: i32,
        /// 1 or 2.
        half: u8,
    },
    /// A quarter of a financial year: `Q3 Oct - Dec 2016`.
    Quarter {
        /// Start year of the financial year.
        fy: i32,
        /// 1 (Apr–Jun) to 4 (Jan–Mar).
        quarter: u8,
    },
    /// A calendar month: `Oct-16`.
    Month {
        /// Calendar year.
        year: i32,
        /// 1–12.
        month: u8,
    },
    /// An academic year, September to July: `Academic year 2015/16`.
    AcademicYear {
        /// Calendar year in which the academic year starts.
        start: i32,
    },
    /// An academic term: `Autumn term 2016`, `Summer term 2016`.
    AcademicTerm {
        /// Start year of the academic year.
        academic_year: i32,
        /// Which term.
        term: Term,
    },
    /// A calendar year, as public-health indicators use: `2014`.
    CalendarYear {
        /// The year.
        year: i32,
    },
    /// A financial year from its start to a day within it, as the 2010 improvement plan
    /// reported its year-to-date figures ("From 1st April to 20th August the figure is
    /// 79.74%"): `2010/11 to 20 Aug 2010`. Each day is its own observation of the year's
    /// series, so a figure as at 20 August is a new observation beside the one as at 13 July,
    /// never a revision of it; putting right the figure as at 13 July revises that period.
    YearToDate {
        /// Start year of the financial year.
        fy: i32,
        /// The last day the figure covers (within the financial year).
        through: NaiveDate,
    },
}

/// The first calendar year a period may touch. Periods are bounded so that every one prints
/// with a four-digit year and reads back as itself (a year-0 period once printed as `0/01`,
/// which nothing could parse), and so that a slip of the keyboard is not taken for history.
pub const FIRST_YEAR: i32 = 1900;
/// The last calendar year a period may touch.
pub const LAST_YEAR: i32 = 2200;

/// Why a string is not a period.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    /// Not written as any period the packs use.
    #[error("{input:?} is not a reporting period; write it as the packs do: 2016/17, Q3 Oct - Dec 2016 (or Q3 2016/17), Oct-16, Autumn term 2016, H1 2016/17, 2015/16-2016/17, or a year so far as 2010/11 to 20 Aug 2010")]
    Unrecognised {
        /// The rejected input.
        input: String,
    },
    /// A period, but outside the years Scoreledger records.
    #[error("{input:?} lies outside the years Scoreledger records ({FIRST_YEAR} to {LAST_YEAR}); check the year")]
    OutOfRange {
        /// The rejected input.
        input: String,
    },
}

fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("calendar dates built from validated parts")
}

fn month_end(year: i32, month: u32) -> NaiveDate {
    let (next_year, next_month) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    date(next_year, next_month, 1)
        .pred_opt()
        .expect("the day before a month start exists")
}

fn fy_label(start: i32) -> String {
    format!("{start}/{:02}", (start + 1).rem_euclid(100))
}

impl Period {
    /// The financial year starting in April of `start`.
    pub fn financial_year(start: i32) -> Self {
        Period::FinancialYear { start }
    }

    /// Quarter `quarter` (1–4) of the financial year starting in `fy`.
    pub fn quarter(fy: i32, quarter: u8) -> Self {
        assert!((1..=4).contains(&quarter), "quarter must be 1..=4");
        Period::Quarter { fy, quarter }
    }

    /// The calendar month `month` (1–12) of `year`.
    pub fn month(year: i32, month: u8) -> Self {
        assert!((1..=12).contains(&month), "month must be 1..=12");
        Period::Month { year, month }
    }

    /// First day of the period.
    pub fn start_date(&self) -> NaiveDate {
        match *self {
            Period::FinancialYear { start } | Period::Biennium { start } => date(start, 4, 1),
            Period::HalfYear { fy, half } => {
                if half == 1 {
                    date(fy, 4, 1)
                } else {
                    date(fy, 10, 1)
                }
            }
            Period::Quarter { fy, quarter } => {
                let month = 4 + 3 * (u32::from(quarter) - 1);
                if month > 12 {
                    date(fy + 1, month - 12, 1)
                } else {
                    date(fy, month, 1)
                }
            }
            Period::Month { year, month } => date(year, u32::from(month), 1),
            Period::AcademicYear { start } => date(start, 9, 1),
            Period::AcademicTerm {
                academic_year,
                term,
            } => match term {
                Term::Autumn => date(academic_year, 9, 1),
                Term::Spring => date(academic_year + 1, 1, 1),
                Term::Summer => date(academic_year + 1, 4, 1),
            },
            Period::CalendarYear { year } => date(year, 1, 1),
            Period::YearToDate { fy, .. } => date(fy, 4, 1),
        }
    }

    /// Last day of the period.
    pub fn end_date(&self) -> NaiveDate {
        match *self {
            Period::FinancialYear { start } => date(start + 1, 3, 31),
            Period::Biennium { start } => date(start + 2, 3, 31),
            Period::HalfYear { fy, half } => {
                if half == 1 {
                    date(fy, 9, 30)
                } else {
                    date(fy + 1, 3, 31)
                }
            }
            Period::Quarter { .. } => {
                let start = self.start_date();
                let end_month = start.month() + 2;
                month_end(start.year(), end_month)
            }
            Period::Month { year, month } => month_end(year, u32::from(month)),
            Period::AcademicYear { start } => date(start + 1, 7, 31),
            Period::AcademicTerm {
                academic_year,
                term,
            } => match term {
                Term::Autumn => date(academic_year, 12, 31),
                Term::Spring => date(academic_year + 1, 3, 31),
                Term::Summer => date(academic_year + 1, 7, 31),
            },
            Period::CalendarYear { year } => date(year, 12, 31),
            Period::YearToDate { through, .. } => through,
        }
    }

    /// Whether this period spans `other` (a quarter its months, a year its quarters; every
    /// period itself): a lock on this period covers `other`.
    pub fn covers(&self, other: &Period) -> bool {
        self.start_date() <= other.start_date() && other.end_date() <= self.end_date()
    }

    /// The financial year (start year) the period ends in.
    pub fn financial_year_of(&self) -> i32 {
        let end = self.end_date();
        if end.month() >= 4 {
            end.year()
        } else {
            end.year() - 1
        }
    }

    /// The quarter whose column shows this period in a quarterly scorecard: quarters are
    /// themselves, months and terms go to the quarter they end in ("termly data shown in the
    /// closest reporting quarter to the end of term").
    pub fn reporting_quarter(&self) -> Option<Period> {
        match *self {
            Period::Quarter { .. } => Some(*self),
            Period::Month { .. } | Period::AcademicTerm { .. } => {
                let end = self.end_date();
                let fy = if end.month() >= 4 {
                    end.year()
                } else {
                    end.year() - 1
                };
                let quarter = ((end.month() + 8) % 12) / 3 + 1;
                Some(Period::Quarter {
                    fy,
                    quarter: quarter as u8,
                })
            }
            _ => None,
        }
    }

    /// The period before this one of the same kind (Q3 → Q2, Q1 → previous year's Q4).
    pub fn previous(&self) -> Period {
        match *self {
            Period::FinancialYear { start } => Period::FinancialYear { start: start - 1 },
            Period::Biennium { start } => Period::Biennium { start: start - 2 },
            Period::HalfYear { fy, half } => {
                if half == 2 {
                    Period::HalfYear { fy, half: 1 }
                } else {
                    Period::HalfYear {
                        fy: fy - 1,
                        half: 2,
                    }
                }
            }
            Period::Quarter { fy, quarter } => {
                if quarter > 1 {
                    Period::Quarter {
                        fy,
                        quarter: quarter - 1,
                    }
                } else {
                    Period::Quarter {
                        fy: fy - 1,
                        quarter: 4,
                    }
                }
            }
            Period::Month { year, month } => {
                if month > 1 {
                    Period::Month {
                        year,
                        month: month - 1,
                    }
                } else {
                    Period::Month {
                        year: year - 1,
                        month: 12,
                    }
                }
            }
            Period::AcademicYear { start } => Period::AcademicYear { start: start - 1 },
            Period::AcademicTerm {
                academic_year,
                term,
            } => match term {
                Term::Autumn => Period::AcademicTerm {
                    academic_year: academic_year - 1,
                    term: Term::Summer,
                },
                Term::Spring => Period::AcademicTerm {
                    academic_year,
                    term: Term::Autumn,
                },
                Term::Summer => Period::AcademicTerm {
                    academic_year,
                    term: Term::Spring,
                },
            },
            Period::CalendarYear { year } => Period::CalendarYear { year: year - 1 },
            // The same day a year before; the previous observation of the same year is what
            // a direction of travel compares with (`state::previous_observation`).
            Period::YearToDate { fy, through } => Period::YearToDate {
                fy: fy - 1,
                through: through
                    .with_year(through.year() - 1)
                    .or_else(|| NaiveDate::from_ymd_opt(through.year() - 1, 2, 28))
                    .expect("28 February exists in every year"),
            },
        }
    }

    /// Whether this is an observation of a financial year's series so far.
    pub fn is_year_to_date(&self) -> bool {
        matches!(self, Period::YearToDate { .. })
    }

    /// The months of a quarter, in order; empty for other periods.
    pub fn months(&self) -> Vec<Period> {
        match *self {
            Period::Quarter { .. } => {
                let start = self.start_date();
                (0..3)
                    .map(|offset| {
                        let month0 = start.month0() + offset;
                        Period::Month {
                            year: start.year() + (month0 / 12) as i32,
                            month: (month0 % 12 + 1) as u8,
                        }
                    })
                    .collect()
            }
            _ => Vec::new(),
        }
    }

    /// The value columns a scorecard of this period prints: the two previous year ends, the
    /// quarters of the year so far and the months of the quarter (as in the 2016/17 pack). A
    /// published report shows a value only if its period is one of these.
    pub fn scorecard_columns(&self) -> Vec<Period> {
        let fy = self.financial_year_of();
        let mut columns = vec![
            Period::financial_year(fy - 2),
            Period::financial_year(fy - 1),
        ];
        match *self {
            Period::Quarter { quarter, .. } => {
                columns.extend((1..=quarter).map(|q| Period::quarter(fy, q)));
                columns.extend(self.months());
            }
            Period::FinancialYear { .. } => {
                columns.extend((1..=4).map(|q| Period::quarter(fy, q)));
                columns.push(*self);
            }
            other => columns.push(other),
        }
        columns
    }

    /// Parses a period as the packs and the command line write it. Only periods that lie
    /// within [`FIRST_YEAR`]..=[`LAST_YEAR`] are periods.
    pub fn parse(input: &str) -> Result<Self, PeriodError> {
        let period = parse_period(input).ok_or_else(|| PeriodError::Unrecognised {
            input: input.to_owned(),
        })?;
        if !period.is_in_range() {
            return Err(PeriodError::OutOfRange {
                input: input.to_owned(),
            });
        }
        Ok(period)
    }

    /// Whether the period lies within the years Scoreledger records, so that it prints with
    /// four-digit years and reads back as itself.
    pub fn is_in_range(&self) -> bool {
        // Built from the parts without chrono, which panics on years it cannot represent.
        let (first, last) = match *self {
            Period::FinancialYear { start } | Period::AcademicYear { start } => {
                (start, start.saturating_add(1))
            }
            Period::Biennium { start } => (start, start.saturating_add(2)),
            Period::HalfYear { fy, half } => (fy, fy.saturating_add(i32::from(half == 2))),
            Period::Quarter { fy, quarter } => (fy, fy.saturating_add(i32::from(quarter == 4))),
            Period::Month { year, month } => {
                if !(1..=12).contains(&month) {
                    return false;
                }
                (year, year)
            }
            Period::AcademicTerm {
                academic_year,
                term,
            } => (
                academic_year,
                academic_year.saturating_add(i32::from(term != Term::Autumn)),
            ),
            Period::CalendarYear { year } => (year, year),
            Period::YearToDate { fy, .. } => (fy, fy.saturating_add(1)),
        };
        let parts_valid = match *self {
            Period::HalfYear { half, .. } => (1..=2).contains(&half),
            Period::Quarter { quarter, .. } => (1..=4).contains(&quarter),
            // Compared as (year, month, day) so that no date is built from an unchecked year.
            Period::YearToDate { fy, through } => {
                let day = (through.year(), through.month(), through.day());
                (fy, 4, 1) <= day && day <= (fy.saturating_add(1), 3, 31)
            }
            _ => true,
        };
        parts_valid && FIRST_YEAR <= first && last <= LAST_YEAR
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Period::FinancialYear { start } => f.write_str(&fy_label(start)),
            Period::Biennium { start } => {
                write!(f, "{}-{}", fy_label(start), fy_label(start + 1))
            }
            Period::HalfYear { fy, half } => {
                if half == 1 {
                    write!(f, "H1 Apr - Sep {fy}")
                } else {
                    write!(f, "H2 Oct - Mar {}", fy_label(fy))
                }
            }
            Period::Quarter { fy, quarter } => {
                let start = self.start_date();
                let first = MONTHS[start.month0() as usize];
                let last = MONTHS[(start.month0() as usize + 2) % 12];
                let _ = fy;
                write!(f, "Q{quarter} {first} - {last} {}", start.year())
            }
            // The packs' `Oct-16`; a two-digit year reads back as 20xx, so months of other
            // centuries print their whole year (`Oct-1999`).
            Period::Month { year, month } if (2000..=2099).contains(&year) => {
                write!(
                    f,
                    "{}-{:02}",
                    MONTHS[usize::from(month) - 1],
                    year.rem_euclid(100)
                )
            }
            Period::Month { year, month } => {
                write!(f, "{}-{year}", MONTHS[usize::from(month) - 1])
            }
            Period::AcademicYear { start } => write!(f, "Academic year {}", fy_label(start)),
            Period::AcademicTerm {
                academic_year,
                term,
            } => {
                let year = if term == Term::Autumn {
                    academic_year
                } else {
                    academic_year + 1
                };
                write!(f, "{} term {year}", term.name())
            }
            Period::CalendarYear { year } => write!(f, "{year}"),
            Period::YearToDate { fy, through } => write!(
                f,
                "{} to {} {} {}",
                fy_label(fy),
                through.day(),
                MONTHS[through.month0() as usize],
                through.year()
            ),
        }
    }
}

impl FromStr for Period {
    type Err = PeriodError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Period::parse(s)
    }
}

impl Ord for Period {
    fn cmp(&self, other: &Self) -> Ordering {
        self.start_date()
            .cmp(&other.start_date())
            .then_with(|| other.end_date().cmp(&self.end_date()))
            .then_with(|| self.to_string().cmp(&other.to_string()))
    }
}

impl PartialOrd for Period {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Serialize for Period {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

// Serialized as printed (`Display`), so documented as a string.
impl utoipa::PartialSchema for Period {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some(
                "A period as the packs print it: a year `2016/17`, a quarter `Q3 Oct - Dec 2016`, a month `Oct-16`, a year so far `2010/11 to 20 Aug 2010`",
            ))
            .examples(["Q3 Oct - Dec 2016"])
            .into()
    }
}

impl utoipa::ToSchema for Period {}

impl<'de> Deserialize<'de> for Period {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Period::parse(&raw).map_err(serde::de::Error::custom)
    }
}

/// `2010-08-20`, `20 Aug 2010`, `20th August 2010`, `1 Sept 2010` → the day.
fn parse_day(text: &str) -> Option<NaiveDate> {
    if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Some(day);
    }
    let words: Vec<&str> = text.split_whitespace().collect();
    let [day, month, year] = words[..] else {
        return None;
    };
    let day = day
        .trim_end_matches(|c: char| c.is_ascii_alphabetic())
        .parse::<u32>()
        .ok()?;
    let month = parse_month_name(month.trim_end_matches(','))?;
    let year = parse_year(year).filter(|_| year.len() == 4)?;
    NaiveDate::from_ymd_opt(year, u32::from(month), day)
}

/// `2016/17`, `2016-17`, `2016/2017` → 2016.
fn parse_fy(s: &str) -> Option<i32> {
    let (first, second) = s.split_once(['/', '-'])?;
    if first.len() != 4 || !first.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let start: i32 = first.parse().ok()?;
    let second_ok = match second.len() {
        2 => second.parse::<i32>().ok()? == (start + 1).rem_euclid(100),
        4 => second.parse::<i32>().ok()? == start + 1,
        _ => false,
    };
    second_ok.then_some(start)
}

/// `16` → 2016, `2016` → 2016.
fn parse_year(s: &str) -> Option<i32> {
    if !s.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    match s.len() {
        2 => Some(2000 + s.parse::<i32>().ok()?),
        4 => s.parse().ok(),
        _ => None,
    }
}

/// `Oct`, `October`, `Sept` → 10, 9; at least three letters.
pub(crate) fn parse_month_name(s: &str) -> Option<u8> {
    let lower = s.to_ascii_lowercase();
    if lower.len() < 3 {
        return None;
    }
    MONTH_NAMES
        .iter()
        .position(|name| name.starts_with(&lower))
        .map(|i| i as u8 + 1)
}

fn parse_period(input: &str) -> Option<Period> {
    let text = input.split_whitespace().collect::<Vec<_>>().join(" ");
    let words: Vec<&str> = text.split(' ').collect();
    let lower = text.to_ascii_lowercase();

    // Financial year, biennium, calendar year.
    if words.len() == 1 {
        if let Some(start) = parse_fy(&text) {
            return Some(Period::FinancialYear { start });
        }
        if let Some((a, b)) = text.split_once("-").filter(|(a, _)| a.contains('/')) {
            let (first, second) = (parse_fy(a)?, parse_fy(b)?);
            return (second == first + 1).then_some(Period::Biennium { start: first });
        }
        if text.len() == 4 {
            if let Some(year) = parse_year(&text) {
                return Some(Period::CalendarYear { year });
            }
        }
        // Month: `Oct-16`, `2016-10`.
        if let Some((a, b)) = text.split_once('-') {
            if let (Some(month), Some(year)) = (parse_month_name(a), parse_year(b)) {
                return Some(Period::Month { year, month });
            }
            if let (Some(year), Ok(month)) =
                (parse_year(a).filter(|_| a.len() == 4), b.parse::<u8>())
            {
                if (1..=12).contains(&month) && b.len() == 2 {
                    return Some(Period::Month { year, month });
                }
            }
        }
        return None;
    }

    // A year so far: `2010/11 to 20 Aug 2010`, `2010/11 to 20th Sept 2010`, `2010/11 to
    // 2010-08-20`.
    if let Some(at) = lower.find(" to ") {
        let (year, day) = (&text[..at], &text[at + 4..]);
        let fy = parse_fy(year)?;
        let through = parse_day(day.trim())?;
        let year = Period::financial_year(fy);
        // A day outside the year is not a day of it: refused here, not as out of range.
        if through < year.start_date() || through > year.end_date() {
            return None;
        }
        // So far through the year's last day reads back as written (stored events hold it);
        // `decide` refuses to record one, as the year itself is the outturn.
        return Some(Period::YearToDate { fy, through });
    }

    // Quarters and halves: `Q3 Oct - Dec 2016`, `Q3 2016/17`, `2016/17 Q3`, `H1 2016/17`.
    let quarter_word = |w: &str| -> Option<(char, u8)> {
        let mut chars = w.chars();
        let kind = chars.next()?.to_ascii_uppercase();
        let n: u8 = chars.as_str().parse().ok()?;
        match kind {
            'Q' if (1..=4).contains(&n) => Some(('Q', n)),
            'H' if (1..=2).contains(&n) => Some(('H', n)),
            _ => None,
        }
    };
    let build = |kind: char, n: u8, fy: i32| match kind {
        'Q' => Period::Quarter { fy, quarter: n },
        _ => Period::HalfYear { fy, half: n },
    };
    if words.len() == 2 {
        if let (Some((kind, n)), Some(fy)) = (quarter_word(words[0]), parse_fy(words[1])) {
            return Some(build(kind, n, fy));
        }
        if let (Some(fy), Some((kind, n))) = (parse_fy(words[0]), quarter_word(words[1])) {
            return Some(build(kind, n, fy));
        }
    }
    if let Some((kind, n)) = quarter_word(words[0]) {
        // `Q3 Oct - Dec 2016` / `Q3 Oct-Dec 2016` / `H2 Oct - Mar 2016/17`.
        let last = *words.last()?;
        let rest = words[1..words.len() - 1].join(" ");
        let (from, to) = rest.split_once('-')?;
        let from_month = parse_month_name(from.trim())?;
        let to_month = parse_month_name(to.trim())?;
        let candidate = if let Some(fy) = parse_fy(last) {
            build(kind, n, fy)
        } else {
            let year = parse_year(last)?;
            // The year printed is the calendar year of the quarter's months.
            let fy = if kind == 'Q' && n == 4 {
                year - 1
            } else {
                year
            };
            build(kind, n, fy)
        };
        let start = candidate.start_date();
        let end = candidate.end_date();
        return (u32::from(from_month) == start.month() && u32::from(to_month) == end.month())
            .then_some(candidate);
    }

    // `Academic year 2015/16`, `AY 2015/16`.
    if let Some(rest) = lower
        .strip_prefix("academic year ")
        .or_else(|| lower.strip_prefix("ay "))
    {
        return parse_fy(rest).map(|start| Period::AcademicYear { start });
    }

    // `Autumn term 2016`, `summer term 15`.
    if words.len() == 3 && words[1].eq_ignore_ascii_case("term") {
        let year = parse_year(words[2])?;
        let term = match words[0].to_ascii_lowercase().as_str() {
            "autumn" => Term::Autumn,
            "spring" => Term::Spring,
            "summer" => Term::Summer,
            _ => return None,
        };
        let academic_year = if term == Term::Autumn { year } else { year - 1 };
        return Some(Period::AcademicTerm {
            academic_year,
            term,
        });
    }

    // `October 2016`.
    if words.len() == 2 {
        if let (Some(month), Some(year)) = (parse_month_name(words[0]), parse_year(words[1])) {
            if words[1].len() == 4 {
                return Some(Period::Month { year, month });
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(input: &str, expected: Period, printed: &str) {
        let parsed = Period::parse(input).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(parsed, expected, "parsing {input:?}");
        assert_eq!(parsed.to_string(), printed, "printing {input:?}");
        assert_eq!(
            Period::parse(printed).unwrap(),
            parsed,
            "round trip of {printed:?}"
        );
    }

    #[test]
    fn every_column_heading_of_the_2016_17_scorecard_round_trips() {
        check("2014/15", Period::financial_year(2014), "2014/15");
        check("2015/16", Period::financial_year(2015), "2015/16");
        check(
            "Q1 Apr - Jun 2016",
            Period::quarter(2016, 1),
            "Q1 Apr - Jun 2016",
        );
        check(
            "Q2 Jul - Sep 2016",
            Period::quarter(2016, 2),
            "Q2 Jul - Sep 2016",
        );
        check(
            "Q3 Oct - Dec 2016",
            Period::quarter(2016, 3),
            "Q3 Oct - Dec 2016",
        );
        check("Oct-16", Period::month(2016, 10), "Oct-16");
        check("Nov-16", Period::month(2016, 11), "Nov-16");
        check("Dec-16", Period::month(2016, 12), "Dec-16");
    }

    #[test]
    fn shorthand_forms_are_accepted() {
        check("Q3 2016/17", Period::quarter(2016, 3), "Q3 Oct - Dec 2016");
        check("2016/17 Q4", Period::quarter(2016, 4), "Q4 Jan - Mar 2017");
        check(
            "Q4 Jan-Mar 2017",
            Period::quarter(2016, 4),
            "Q4 Jan - Mar 2017",
        );
        check("2016-17", Period::financial_year(2016), "2016/17");
        check("2016/2017", Period::financial_year(2016), "2016/17");
        check("October 2016", Period::month(2016, 10), "Oct-16");
        check("2017-01", Period::month(2017, 1), "Jan-17");
    }

    #[test]
    fn other_period_kinds_round_trip() {
        check(
            "H1 2016/17",
            Period::HalfYear { fy: 2016, half: 1 },
            "H1 Apr - Sep 2016",
        );
        check(
            "H2 2016/17",
            Period::HalfYear { fy: 2016, half: 2 },
            "H2 Oct - Mar 2016/17",
        );
        check(
            "Autumn term 2016",
            Period::AcademicTerm {
                academic_year: 2016,
                term: Term::Autumn,
            },
            "Autumn term 2016",
        );
        check(
            "summer term 15",
            Period::AcademicTerm {
                academic_year: 2014,
                term: Term::Summer,
            },
            "Summer term 2015",
        );
        check(
            "Academic year 2015/16",
            Period::AcademicYear { start: 2015 },
            "Academic year 2015/16",
        );
        check(
            "2015/16-2016/17",
            Period::Biennium { start: 2015 },
            "2015/16-2016/17",
        );
        check("2014", Period::CalendarYear { year: 2014 }, "2014");
    }

    #[test]
    fn a_year_so_far_is_its_own_period_for_each_day() {
        let through = |m, d| NaiveDate::from_ymd_opt(2010, m, d).unwrap();
        let july = Period::YearToDate {
            fy: 2010,
            through: through(7, 13),
        };
        check("2010/11 to 13 Jul 2010", july, "2010/11 to 13 Jul 2010");
        check("2010/11 to 2010-07-13", july, "2010/11 to 13 Jul 2010");
        check("2010/11 to 13 July 2010", july, "2010/11 to 13 Jul 2010");
        check("2010/11 TO 13 jul 2010", july, "2010/11 to 13 Jul 2010");
        let august = Period::parse("2010/11 to 20 Aug 2010").unwrap();
        assert_ne!(august, july, "another day is another observation");
        assert!(
            august < july,
            "as every period, the longer of two that start together first"
        );
        assert_eq!(july.start_date(), through(4, 1));
        assert_eq!(august.end_date(), through(8, 20));
        assert_eq!(august.financial_year_of(), 2010);
        assert!(
            Period::financial_year(2010).covers(&august),
            "a lock on the year covers it"
        );
        assert_eq!(august.reporting_quarter(), None);
        assert_eq!(
            august.previous().to_string(),
            "2009/10 to 20 Aug 2009",
            "the same day a year before"
        );
        // A day outside the year is not a day of it.
        assert!(Period::parse("2010/11 to 31 Mar 2010").is_err());
        assert!(Period::parse("2010/11 to 1 Apr 2011").is_err());
        // So far through its last day reads back as written; `decide` refuses to record one.
        assert!(Period::parse("2010/11 to 31 Mar 2011").is_ok_and(|p| p.is_year_to_date()));
        // Days as the 2010 updates write them.
        let september = Period::YearToDate {
            fy: 2010,
            through: through(9, 1),
        };
        check("2010/11 to 1 Sept 2010", september, "2010/11 to 1 Sep 2010");
        check(
            "2010/11 to 1st September 2010",
            september,
            "2010/11 to 1 Sep 2010",
        );
        check(
            "2010/11 to 20th Aug, 2010",
            Period::parse("2010/11 to 20 Aug 2010").unwrap(),
            "2010/11 to 20 Aug 2010",
        );
        assert!(Period::parse("2010/11 to 20 Aug 10").is_err());
        assert!(Period::parse("2010/11 to Aug 2010").is_err());
        assert!(Period::parse("2010/11 to 30 Feb 2011").is_err());
        let leap = Period::parse("2011/12 to 29 Feb 2012").unwrap();
        assert_eq!(leap.previous().to_string(), "2010/11 to 28 Feb 2011");
    }

    #[test]
    fn a_quarter_label_must_match_its_months() {
        assert!(Period::parse("Q3 Sep - Dec 2016").is_err());
        assert!(Period::parse("Q5 2016/17").is_err());
        assert!(Period::parse("2016/18").is_err());
        let err = Period::parse("last quarter").unwrap_err();
        assert!(err.to_string().contains("Q3 Oct - Dec 2016"));
    }

    #[test]
    fn periods_outside_1900_to_2200_are_refused_as_such() {
        for input in [
            "0000/01",
            "Q1 0000/01",
            "H1 0000/01",
            "0000/01-0001/02",
            "1899/00",
            "Q4 1899/00",
            "2200/01",
            "Dec-1899",
            "Spring term 2201",
            "Academic year 2200/01",
            "2201",
        ] {
            let err = Period::parse(input).unwrap_err();
            assert!(
                matches!(err, PeriodError::OutOfRange { .. }),
                "{input}: {err}"
            );
            assert!(err.to_string().contains("1900 to 2200"), "{input}: {err}");
        }
        check("1900/01", Period::financial_year(1900), "1900/01");
        check("Q4 2199/00", Period::quarter(2199, 4), "Q4 Jan - Mar 2200");
        check("2200", Period::CalendarYear { year: 2200 }, "2200");
    }

    #[test]
    fn every_period_in_range_prints_as_something_that_parses_back_to_itself() {
        for year in [FIRST_YEAR, 1999, 2000, 2016, 2099, 2100, LAST_YEAR - 2] {
            let mut periods = vec![
                Period::financial_year(year),
                Period::Biennium { start: year },
                Period::AcademicYear { start: year },
                Period::CalendarYear { year },
            ];
            periods.extend((1..=4).map(|q| Period::quarter(year, q)));
            periods.extend((1..=2).map(|half| Period::HalfYear { fy: year, half }));
            periods.extend((1..=12).map(|m| Period::month(year, m)));
            periods.extend([Term::Autumn, Term::Spring, Term::Summer].map(|term| {
                Period::AcademicTerm {
                    academic_year: year,
                    term,
                }
            }));
            for period in periods {
                assert!(period.is_in_range(), "{period:?}");
                assert_eq!(
                    Period::parse(&period.to_string()),
                    Ok(period),
                    "{period:?} printed as {period}"
                );
            }
        }
        assert!(!Period::financial_year(0).is_in_range());
        assert!(!Period::financial_year(i32::MAX).is_in_range());
    }

    #[test]
    fn quarters_know_their_dates_months_and_predecessors() {
        let q3 = Period::quarter(2016, 3);
        assert_eq!(q3.start_date(), date(2016, 10, 1));
        assert_eq!(q3.end_date(), date(2016, 12, 31));
        assert_eq!(q3.previous(), Period::quarter(2016, 2));
        assert_eq!(
            Period::quarter(2016, 1).previous(),
            Period::quarter(2015, 4)
        );
        assert_eq!(Period::quarter(2016, 4).end_date(), date(2017, 3, 31));
        assert_eq!(
            q3.months(),
            vec![
                Period::month(2016, 10),
                Period::month(2016, 11),
                Period::month(2016, 12)
            ]
        );
        assert_eq!(q3.financial_year_of(), 2016);
        assert_eq!(Period::month(2017, 2).financial_year_of(), 2016);
    }

    #[test]
    fn terms_and_months_report_in_the_quarter_they_end_in() {
        let summer = Period::AcademicTerm {
            academic_year: 2015,
            term: Term::Summer,
        };
        let autumn = Period::AcademicTerm {
            academic_year: 2016,
            term: Term::Autumn,
        };
        assert_eq!(summer.reporting_quarter(), Some(Period::quarter(2016, 2)));
        assert_eq!(autumn.reporting_quarter(), Some(Period::quarter(2016, 3)));
        assert_eq!(
            Period::month(2017, 2).reporting_quarter(),
            Some(Period::quarter(2016, 4))
        );
    }

    #[test]
    fn periods_order_by_start_then_longest_first() {
        let mut periods = vec![
            Period::month(2016, 10),
            Period::quarter(2016, 3),
            Period::financial_year(2016),
            Period::financial_year(2015),
        ];
        periods.sort();
        assert_eq!(
            periods,
            vec![
                Period::financial_year(2015),
                Period::financial_year(2016),
                Period::quarter(2016, 3),
                Period::month(2016, 10),
            ]
        );
    }
}
