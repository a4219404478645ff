//! One measure as at a log position: its definition, who was accountable when (valid time),
//! and every target, value, assessment and data note known then. Answers "what did we know
//! about 2.B5 on 13 January 2017, and who was its Strategic Director on 30 June 2016?".

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use scoreledger_domain::target::TargetSpec;
use scoreledger_domain::{
    DataQuality, MeasureDefinition, MeasureId, Period, Position, RecordedValue,
};

use crate::read_models::ReadModels;
use crate::scorecard::{as_at, definition_as_at};

/// A spell of lead accountability: from `effective_from` (or from the start) until the next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AccountabilitySpell {
    /// Who.
    pub person: String,
    /// From when (valid time); `None` from the start.
    pub effective_from: Option<NaiveDate>,
    /// The position it was recorded at.
    pub recorded_at_position: u64,
}

/// A fact of a period: a target, an assessment or a note, as known at the position.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PeriodFact {
    /// The period.
    pub period: Period,
    /// The fact as printed (a target, a status, a direction, a rating, a note).
    pub text: String,
    /// What the rules suggested, for an assessment that recorded a suggestion.
    pub computed: Option<String>,
    /// The position it was recorded at.
    pub recorded_at_position: u64,
    /// 0 when first recorded; n after n changes.
    pub revision: u32,
}

/// A value of a period, as known at the position.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PeriodValue {
    /// The period.
    pub period: Period,
    /// The value.
    pub value: RecordedValue,
    /// provisional, final or estimated.
    pub quality: String,
    /// Where it came from.
    pub source_system: Option<String>,
    /// 0 for a first value; n after n revisions.
    pub revision: u32,
    /// Classification of the latest revision.
    pub classification: Option<String>,
    /// The position it was recorded at.
    pub recorded_at_position: u64,
    /// Who signed off this revision (maker–checker), as known at the position.
    pub signed_off_by: Option<String>,
}

/// A measure as at a position.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MeasureView {
    /// The measure.
    pub measure_id: MeasureId,
    /// What it is.
    pub definition: MeasureDefinition,
    /// The position the view is as at.
    pub position: Position,
    /// Lead accountability spells, in order of effect.
    pub accountability: Vec<AccountabilitySpell>,
    /// Targets by period.
    pub targets: Vec<PeriodFact>,
    /// Values by period.
    pub values: Vec<PeriodValue>,
    /// Status assessments by period.
    pub statuses: Vec<PeriodFact>,
    /// Directions of travel by period.
    pub directions: Vec<PeriodFact>,
    /// 2010-scheme ratings by period.
    pub ratings: Vec<PeriodFact>,
    /// Data notes by period.
    pub notes: Vec<PeriodFact>,
}

impl MeasureView {
    /// Who was accountable on `day` (valid time), as known at the view's position: the
    /// latest spell in effect by then, the later record winning a tie.
    pub fn accountable_on(&self, day: NaiveDate) -> Option<&str> {
        self.accountability
            .iter()
            .filter(|s| s.effective_from.is_none_or(|from| from <= day))
            .max_by_key(|s| (s.effective_from, s.recorded_at_position))
            .map(|s| s.person.as_str())
    }
}

fn corrupt(what: &str, err: impl std::fmt::Display) -> sqlx::Error {
    sqlx::Error::Decode(format!("read model holds an unreadable {what}: {err}").into())
}

fn period(text: &str) -> Result<Period, sqlx::Error> {
    Period::parse(text).map_err(|err| corrupt("period", err))
}

/// Targets, assessments of one kind, or notes of a measure as at `at`.
async fn facts(
    read: &ReadModels,
    sql: &str,
    measure_id: &str,
    at: i64,
) -> Result<Vec<PeriodFact>, sqlx::Error> {
    let rows = sqlx::query_as::<_, (String, String, Option<String>, i64, i64)>(sql)
        .bind(measure_id)
        .bind(at)
        .fetch_all(read.pool())
        .await?;
    let mut facts = rows
        .into_iter()
        .map(|(p, text, computed, from, revision)| {
            Ok(PeriodFact {
                period: period(&p)?,
                text,
                computed,
                recorded_at_position: from as u64,
                revision: revision as u32,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    facts.sort_by_key(|f| f.period);
    Ok(facts)
}

/// The targets of a measure as they were set, as the log stood at `position`, by period: the
/// structured form behind [`MeasureView::targets`]' text (phasing, milestones, bands), read as
/// stored rather than parsed again from the text.
pub async fn target_specs(
    read: &ReadModels,
    measure_id: MeasureId,
    position: Position,
) -> Result<Vec<(Period, TargetSpec)>, sqlx::Error> {
    let rows = sqlx::query_as::<_, (String, String)>(&format!(
        "SELECT period, target FROM targets_history WHERE measure_id = $1 AND {} \
         ORDER BY recorded_from_position",
        as_at("", 2)
    ))
    .bind(measure_id.to_string())
    .bind(position.0 as i64)
    .fetch_all(read.pool())
    .await?;
    rows.into_iter()
        .map(|(p, target)| {
            Ok((
                period(&p)?,
                serde_json::from_str(&target).map_err(|err| corrupt("target", err))?,
            ))
        })
        .collect()
}

/// The measure as the log stood at `position`; `None` if it was not defined by then.
pub async fn measure_as_at(
    read: &ReadModels,
    measure_id: MeasureId,
    position: Position,
) -> Result<Option<MeasureView>, sqlx::Error> {
    let id = measure_id.to_string();
    let at = position.0 as i64;
    let Some(definition) = sqlx::query_scalar::<_, String>(&format!(
        "SELECT {} FROM measures m WHERE m.measure_id = $1 AND m.recorded_from_position <= $2",
        definition_as_at("m", 2)
    ))
    .bind(&id)
    .bind(at)
    .fetch_optional(read.pool())
    .await?
    else {
        return Ok(None);
    };
    let definition: MeasureDefinition =
        serde_json::from_str(&definition).map_err(|err| corrupt("measure definition", err))?;

    let accountability = sqlx::query_as::<_, (String, Option<String>, i64)>(
        "SELECT person, effective_from, recorded_from_position FROM accountability_history \
         WHERE measure_id = $1 AND recorded_from_position <= $2 ORDER BY recorded_from_position",
    )
    .bind(&id)
    .bind(at)
    .fetch_all(read.pool())
    .await?
    .into_iter()
    .map(|(person, from, position)| {
        Ok(AccountabilitySpell {
            person,
            effective_from: from
                .map(|d| d.parse().map_err(|err| corrupt("date", err)))
                .transpose()?,
            recorded_at_position: position as u64,
        })
    })
    .collect::<Result<Vec<_>, sqlx::Error>>()?;

    let targets = facts(
        read,
        &format!(
            "SELECT period, raw, CAST(NULL AS TEXT), recorded_from_position, revision FROM targets_history \
             WHERE measure_id = $1 AND {}",
            as_at("", 2)
        ),
        &id,
        at,
    )
    .await?;
    let assessments = |kind: &str| {
        format!(
            "SELECT a.period, a.assessed, a.computed, a.recorded_from_position, \
             (SELECT COUNT(*) FROM assessments_history e WHERE e.measure_id = a.measure_id AND e.period = a.period \
              AND e.kind = a.kind AND e.recorded_from_position < a.recorded_from_position) \
             FROM assessments_history a WHERE a.measure_id = $1 AND a.kind = '{kind}' AND {}",
            as_at("a", 2)
        )
    };
    let statuses = facts(read, &assessments("status"), &id, at).await?;
    let directions = facts(read, &assessments("direction"), &id, at).await?;
    let ratings = facts(read, &assessments("rag"), &id, at).await?;
    let notes = facts(
        read,
        &format!(
            "SELECT n.period, n.text, CAST(NULL AS TEXT), n.recorded_from_position, \
             (SELECT COUNT(*) FROM notes_history e WHERE e.measure_id = n.measure_id AND e.period = n.period \
              AND e.recorded_from_position < n.recorded_from_position) \
             FROM notes_history n WHERE n.measure_id = $1 AND {}",
            as_at("n", 2)
        ),
        &id,
        at,
    )
    .await?;

    let mut values = sqlx::query_as::<
        _,
        (
            String,
            String,
            String,
            Option<String>,
            i64,
            Option<String>,
            i64,
            Option<String>,
        ),
    >(&format!(
        "SELECT v.period, v.value, v.quality, v.source_system, v.revision, v.classification, v.recorded_from_position, \
         (SELECT MIN(s.actor_name) FROM value_signoffs s WHERE s.measure_id = v.measure_id AND s.period = v.period \
          AND s.revision = v.revision AND s.recorded_from_position <= $2) \
         FROM values_history v WHERE v.measure_id = $1 AND {}",
        as_at("v", 2)
    ))
    .bind(&id)
    .bind(at)
    .fetch_all(read.pool())
    .await?
    .into_iter()
    .map(
        |(p, value, quality, source_system, revision, classification, from, signed_off_by)| {
            Ok(PeriodValue {
                period: period(&p)?,
                value: serde_json::from_str(&value).map_err(|err| corrupt("value", err))?,
                quality,
                source_system,
                revision: revision as u32,
                classification,
                recorded_at_position: from as u64,
                signed_off_by,
            })
        },
    )
    .collect::<Result<Vec<_>, sqlx::Error>>()?;
    values.sort_by_key(|v| v.period);

    Ok(Some(MeasureView {
        measure_id,
        definition,
        position,
        accountability,
        targets,
        values,
        statuses,
        directions,
        ratings,
        notes,
    }))
}

/// One version of a value: what a measure's cell for a period read between two positions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ValueVersion {
    /// The financial year of the measure's plan: the same reference in two years' plans is
    /// two measures.
    pub plan_year: String,
    /// The measure (normalised reference).
    pub measure_ref: String,
    /// The period.
    pub period: Period,
    /// The value.
    pub value: RecordedValue,
    /// Its quality flags.
    pub quality: DataQuality,
    /// Recorded at this position…
    pub from_position: u64,
    /// …and replaced at this one (`None`: still current, as far as the query saw).
    pub to_position: Option<u64>,
}

impl ValueVersion {
    /// Whether `other` is a version of the same cell: the same plan's measure and period.
    pub fn same_cell(&self, other: &ValueVersion) -> bool {
        self.plan_year == other.plan_year
            && self.measure_ref == other.measure_ref
            && self.period == other.period
    }
}

/// Every version of every value recorded at or before `through`, by measure, period and
/// position. A version replaced after `through` counts as current.
pub async fn value_versions(
    read: &ReadModels,
    through: Position,
) -> Result<Vec<ValueVersion>, sqlx::Error> {
    let at = through.0 as i64;
    type Row = (
        String,
        String,
        String,
        String,
        String,
        Option<String>,
        i64,
        Option<i64>,
    );
    let rows = sqlx::query_as::<_, Row>(
        "SELECT p.financial_year, m.measure_ref, v.period, v.value, v.quality, v.source_system, \
         v.recorded_from_position, v.recorded_to_position \
         FROM values_history v JOIN measures m USING (measure_id) JOIN plans p ON p.plan_id = m.plan_id \
         WHERE v.recorded_from_position <= $1",
    )
    .bind(at)
    .fetch_all(read.pool())
    .await?;
    let mut versions = rows
        .into_iter()
        .map(
            |(plan_year, measure_ref, p, value, quality, source_system, from, to)| {
                Ok(ValueVersion {
                    plan_year,
                    measure_ref,
                    period: period(&p)?,
                    value: serde_json::from_str(&value).map_err(|err| corrupt("value", err))?,
                    quality: DataQuality {
                        quality: quality.parse().map_err(|err| corrupt("quality", err))?,
                        source_system,
                    },
                    from_position: from as u64,
                    to_position: to.filter(|to| *to <= at).map(|to| to as u64),
                })
            },
        )
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    versions.sort_by(|a, b| {
        let key = |v: &ValueVersion| {
            (
                scoreledger_domain::MeasureRef::parse(&v.measure_ref).ok(),
                v.period,
                v.from_position,
            )
        };
        key(a).cmp(&key(b))
    });
    Ok(versions)
}
