//! The scorecard of a plan for a period, as at a log position: the read-model rows a
//! report is built from. Every query is an as-at query on the system-versioned tables.

use std::collections::BTreeMap;
use std::str::FromStr;

use crate::batch::placeholder;
use crate::read_models::{Dialect, ReadModels};
use rust_decimal::Decimal;
use serde::Serialize;

use scoreledger_domain::target::TargetSpec;
use scoreledger_domain::value::Quality;
use scoreledger_domain::{
    applies_in, Applicability, Direction, MeasureDefinition, MeasureId, Period, PlanId, Position,
    Rag, RecordedValue, RevisionClass, RuleSet, Status, StatusScheme,
};

/// A value cell as the scorecard's query aggregates it: period, value (JSON), quality, source
/// system, revision, classification.
type ValueColumns = (String, String, String, Option<String>, i64, Option<String>);

/// The definition of measure `alias` as at position `$n`: the amendment current then, or the
/// definition the measure was defined with.
pub(crate) fn definition_as_at(alias: &str, n: u8) -> String {
    format!(
        "COALESCE((SELECT d.definition FROM measure_definitions_history d \
         WHERE d.measure_id = {alias}.measure_id AND {}), {alias}.definition)",
        as_at("d", n)
    )
}

/// The as-at predicate on a system-versioned table (`alias` may be empty), with the position
/// as parameter `$n`.
pub(crate) fn as_at(alias: &str, n: u8) -> String {
    let a = if alias.is_empty() {
        String::new()
    } else {
        format!("{alias}.")
    };
    format!("{a}recorded_from_position <= ${n} AND ({a}recorded_to_position IS NULL OR {a}recorded_to_position > ${n})")
}

/// A plan as at a position.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanRow {
    /// The plan.
    pub plan_id: PlanId,
    /// Its name.
    pub name: String,
    /// Its financial year.
    pub financial_year: Period,
    /// Its status scheme.
    pub status_scheme: StatusScheme,
}

/// A value cell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ValueCell {
    /// The value as known at the position.
    pub value: RecordedValue,
    /// Its quality flag.
    pub quality: Quality,
    /// Where it came from.
    pub source_system: Option<String>,
    /// 0 for a first value; n after n revisions.
    pub revision: u32,
    /// Classification of the latest revision.
    pub classification: Option<RevisionClass>,
    /// The figure as first published, when a publication showed a different one.
    pub first_published: Option<String>,
}

/// The target in force, with the figure it replaced if it was changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TargetCell {
    /// The target.
    pub spec: TargetSpec,
    /// The target as first set, when it has been changed since.
    pub originally: Option<String>,
}

/// One measure's row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScorecardRow {
    /// The measure.
    pub measure_id: MeasureId,
    /// What it is.
    pub definition: MeasureDefinition,
    /// Who was accountable at the end of the period.
    pub lead_accountability: String,
    /// Target for the period's financial year.
    pub target: Option<TargetCell>,
    /// Values by period: the periods the report of the scorecard's period prints
    /// ([`Period::scorecard_columns`]), as known at the position.
    pub values: BTreeMap<Period, ValueCell>,
    /// Officer's status for the period.
    pub status: Option<Status>,
    /// Rules' suggestion for the period.
    pub computed_status: Option<Status>,
    /// Officer's direction of travel for the period.
    pub direction: Option<Direction>,
    /// 2010-scheme rating for the period.
    pub rag: Option<Rag>,
    /// Data note for the period.
    pub note: Option<String>,
}

/// Everything a report needs, as at a position.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Scorecard {
    /// The plan.
    pub plan: PlanRow,
    /// Priority titles by number.
    pub priorities: BTreeMap<u8, String>,
    /// The period reported.
    pub period: Period,
    /// The log position the rows are as at.
    pub position: Position,
    /// The rules in force at that position.
    pub rule_set: RuleSet,
    /// One row per measure, in natural order of reference.
    pub rows: Vec<ScorecardRow>,
    /// Commits at or before `position` that could not be read and were set aside.
    pub set_asides: Vec<crate::set_asides::SetAside>,
}

/// A publication recorded in the log.
#[derive(
    Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, sqlx::FromRow, utoipa::ToSchema,
)]
pub struct Publication {
    /// Report id.
    pub report_id: String,
    /// Period reported (as printed).
    pub period: String,
    /// Position the report was built at.
    pub cut_off: i64,
    /// Meeting.
    pub meeting: String,
    /// Date of publication.
    pub published_on: String,
    /// Rules used.
    pub rule_set_version: i64,
    /// SHA-256 of the canonical JSON.
    pub sha256: String,
    /// Position of the publication itself.
    pub position: i64,
    /// Who published it.
    pub actor_name: String,
    /// Digests of the report's parts, as JSON (`[{"part": "summary", "sha256": …}, …]`).
    pub parts: String,
}

impl Publication {
    /// The digests of the report's parts.
    pub fn part_digests(&self) -> Vec<scoreledger_domain::PartDigest> {
        serde_json::from_str(&self.parts).unwrap_or_default()
    }
}

const PUBLICATION_COLUMNS: &str =
    "report_id, period, cut_off, meeting, published_on, rule_set_version, sha256, position, actor_name, parts";

/// Every publication recorded, oldest first.
pub async fn all_publications(read: &ReadModels) -> Result<Vec<Publication>, sqlx::Error> {
    sqlx::query_as::<_, Publication>(&format!(
        "SELECT {PUBLICATION_COLUMNS} FROM reports_published ORDER BY position"
    ))
    .fetch_all(read.pool())
    .await
}

fn corrupt(what: &str, err: impl std::fmt::Display) -> sqlx::Error {
    sqlx::Error::Decode(format!("read model holds an unreadable {what}: {err}").into())
}

fn parse<T: FromStr>(what: &str, text: &str) -> Result<T, sqlx::Error>
where
    T::Err: std::fmt::Display,
{
    text.parse().map_err(|err| corrupt(what, err))
}

fn from_json<T: serde::de::DeserializeOwned>(what: &str, text: &str) -> Result<T, sqlx::Error> {
    serde_json::from_str(text).map_err(|err| corrupt(what, err))
}

/// The projector's checkpoint: the position the read models are at.
pub async fn checkpoint(read: &ReadModels) -> Result<Position, sqlx::Error> {
    crate::projector::read_checkpoint(read).await
}

/// Publications of a plan recorded at or before `position`, oldest first.
pub async fn publications(
    read: &ReadModels,
    plan_id: PlanId,
    position: Position,
) -> Result<Vec<Publication>, sqlx::Error> {
    sqlx::query_as::<_, Publication>(&format!(
        "SELECT {PUBLICATION_COLUMNS} FROM reports_published WHERE plan_id = $1 AND position <= $2 ORDER BY position"
    ))
    .bind(plan_id.to_string())
    .bind(position.0 as i64)
    .fetch_all(read.pool())
    .await
}

/// The plan covering `period`'s financial year, as at `position`.
pub async fn find_plan(
    read: &ReadModels,
    period: &Period,
    position: Position,
) -> Result<Option<PlanRow>, sqlx::Error> {
    let fy = Period::financial_year(period.financial_year_of()).to_string();
    let row: Option<(String, String, String, String)> = sqlx::query_as(
        "SELECT plan_id, name, financial_year, status_scheme FROM plans \
         WHERE financial_year = $1 AND recorded_from_position <= $2 ORDER BY recorded_from_position LIMIT 1",
    )
    .bind(fy)
    .bind(position.0 as i64)
    .fetch_optional(read.pool())
    .await?;
    row.map(|(plan_id, name, financial_year, scheme)| {
        Ok(PlanRow {
            plan_id: PlanId(parse("plan id", &plan_id)?),
            name,
            financial_year: parse("period", &financial_year)?,
            status_scheme: parse("status scheme", &scheme)?,
        })
    })
    .transpose()
}

/// The scorecard for `period` as the log stood at `position`; `None` if no plan covers it.
pub async fn scorecard_as_at(
    read: &ReadModels,
    period: Period,
    position: Position,
) -> Result<Option<Scorecard>, sqlx::Error> {
    let Some(plan) = find_plan(read, &period, position).await? else {
        return Ok(None);
    };
    let plan_key = plan.plan_id.to_string();
    let at = position.0 as i64;

    let priorities: BTreeMap<u8, String> = sqlx::query_as::<_, (i64, String)>(
        "SELECT number, title FROM priorities WHERE plan_id = $1 AND recorded_from_position <= $2",
    )
    .bind(&plan_key)
    .bind(at)
    .fetch_all(read.pool())
    .await?
    .into_iter()
    .map(|(n, t)| (n as u8, t))
    .collect();

    let rule_set = match sqlx::query_as::<_, (i64, String, String)>(&format!(
        "SELECT version, satisfactory_band_percent, stable_band_percent FROM rule_sets_history \
         WHERE plan_id = $1 AND {}",
        as_at("", 2)
    ))
    .bind(&plan_key)
    .bind(at)
    .fetch_optional(read.pool())
    .await?
    {
        Some((version, satisfactory, stable)) => RuleSet {
            version: version as u32,
            satisfactory_band_percent: parse::<Decimal>("band", &satisfactory)?,
            stable_band_percent: parse::<Decimal>("band", &stable)?,
        },
        None => RuleSet::default(),
    };

    let measures = sqlx::query_as::<_, (String, String)>(
        &format!(
            "SELECT m.measure_id, {} FROM measures m WHERE m.plan_id = $1 AND m.recorded_from_position <= $2",
            definition_as_at("m", 2)
        ),
    )
    .bind(&plan_key)
    .bind(at)
    .fetch_all(read.pool())
    .await?;
    let mut rows: BTreeMap<String, ScorecardRow> = BTreeMap::new();
    for (measure_id, definition) in measures {
        let definition: MeasureDefinition = from_json("measure definition", &definition)?;
        rows.insert(
            measure_id.clone(),
            ScorecardRow {
                measure_id: MeasureId(parse("measure id", &measure_id)?),
                lead_accountability: definition.lead_accountability.clone(),
                definition,
                target: None,
                values: BTreeMap::new(),
                status: None,
                computed_status: None,
                direction: None,
                rag: None,
                note: None,
            },
        );
    }

    // Accountability in force at the period end, as known at the position.
    let accountability = sqlx::query_as::<_, (String, String)>(
        "SELECT a.measure_id, a.person FROM accountability_history a JOIN measures m USING (measure_id) \
         WHERE m.plan_id = $1 AND a.recorded_from_position <= $2 AND (a.effective_from IS NULL OR a.effective_from <= $3) \
         ORDER BY a.effective_from IS NOT NULL, a.effective_from, a.recorded_from_position",
    )
    .bind(&plan_key)
    .bind(at)
    .bind(period.end_date().to_string())
    .fetch_all(read.pool())
    .await?;
    for (measure_id, person) in accountability {
        if let Some(row) = rows.get_mut(&measure_id) {
            row.lead_accountability = person;
        }
    }

    let fy = Period::financial_year(period.financial_year_of()).to_string();
    let targets = sqlx::query_as::<_, (String, String, i64)>(&format!(
        "SELECT t.measure_id, t.target, t.revision FROM targets_history t JOIN measures m USING (measure_id) \
         WHERE m.plan_id = $1 AND t.period = $2 AND {}",
        as_at("t", 3)
    ))
    .bind(&plan_key)
    .bind(&fy)
    .bind(at)
    .fetch_all(read.pool())
    .await?;
    for (measure_id, target, revision) in targets {
        let spec: TargetSpec = from_json("target", &target)?;
        let originally = if revision > 0 {
            sqlx::query_scalar::<_, String>(
                "SELECT raw FROM targets_history WHERE measure_id = $1 AND period = $2 AND revision = 0",
            )
            .bind(&measure_id)
            .bind(&fy)
            .fetch_optional(read.pool())
            .await?
        } else {
            None
        };
        if let Some(row) = rows.get_mut(&measure_id) {
            row.target = Some(TargetCell { spec, originally });
        }
    }

    // Which values each publication printed: its cut-off and its report's value columns.
    let mut cut_offs: Vec<(i64, Vec<Period>)> = Vec::new();
    for p in publications(read, plan.plan_id, position).await? {
        cut_offs.push((
            p.cut_off,
            parse::<Period>("period", &p.period)?.scorecard_columns(),
        ));
    }
    // Only the periods the report prints: a measure reporting monthly for years has many
    // more, and reading them all made the query grow with the log.
    let columns = period.scorecard_columns();
    let values = value_cells(read, &plan_key, at, &columns).await?;
    // Every version of every revised cell, in one query rather than one per cell.
    let revised: Vec<(&str, &str)> = values
        .iter()
        .filter(|(_, cell)| cell.4 > 0)
        .map(|(measure_id, cell)| (measure_id.as_str(), cell.0.as_str()))
        .collect();
    let versions = if cut_offs.is_empty() {
        BTreeMap::new()
    } else {
        versions_of(read, &revised).await?
    };
    for (measure_id, (value_period, value, quality, source_system, revision, classification)) in
        values
    {
        let value: RecordedValue = from_json("value", &value)?;
        let first_published = match versions.get(&(measure_id.clone(), value_period.clone())) {
            Some(versions) if revision > 0 => {
                let value_period: Period = parse("period", &value_period)?;
                let printed_at: Vec<i64> = cut_offs
                    .iter()
                    .filter(|(_, columns)| columns.contains(&value_period))
                    .map(|(cut_off, _)| *cut_off)
                    .collect();
                first_published(versions, &printed_at, &value.raw)
            }
            _ => None,
        };
        let cell = ValueCell {
            value,
            quality: parse("quality", &quality)?,
            source_system,
            revision: revision as u32,
            classification: classification
                .as_deref()
                .map(|c| parse("classification", c))
                .transpose()?,
            first_published,
        };
        if let Some(row) = rows.get_mut(&measure_id) {
            row.values.insert(parse("period", &value_period)?, cell);
        }
    }

    let assessments = sqlx::query_as::<_, (String, String, String, Option<String>)>(&format!(
        "SELECT a.measure_id, a.kind, a.assessed, a.computed FROM assessments_history a JOIN measures m USING (measure_id) \
         WHERE m.plan_id = $1 AND a.period = $2 AND {}",
        as_at("a", 3)
    ))
    .bind(&plan_key)
    .bind(period.to_string())
    .bind(at)
    .fetch_all(read.pool())
    .await?;
    for (measure_id, kind, assessed, computed) in assessments {
        let Some(row) = rows.get_mut(&measure_id) else {
            continue;
        };
        match kind.as_str() {
            "status" => {
                row.status = Some(parse("status", &assessed)?);
                row.computed_status = computed
                    .as_deref()
                    .map(|c| parse("status", c))
                    .transpose()?;
            }
            "direction" => row.direction = Some(parse("direction", &assessed)?),
            "rag" => row.rag = Some(parse("rag", &assessed)?),
            other => return Err(corrupt("assessment kind", other)),
        }
    }

    let notes = sqlx::query_as::<_, (String, String)>(&format!(
        "SELECT n.measure_id, n.text FROM notes_history n JOIN measures m USING (measure_id) \
         WHERE m.plan_id = $1 AND n.period = $2 AND {}",
        as_at("n", 3)
    ))
    .bind(&plan_key)
    .bind(period.to_string())
    .bind(at)
    .fetch_all(read.pool())
    .await?;
    for (measure_id, text) in notes {
        if let Some(row) = rows.get_mut(&measure_id) {
            row.note = Some(text);
        }
    }

    // Measures withdrawn by then in the period are left out, and so out of every total.
    let changes = sqlx::query_as::<_, (String, String, i64)>(
        "SELECT a.measure_id, a.first_period, a.applies FROM measure_applicability a \
         JOIN measures m USING (measure_id) WHERE m.plan_id = $1 AND a.position <= $2 \
         ORDER BY a.position",
    )
    .bind(&plan_key)
    .bind(at)
    .fetch_all(read.pool())
    .await?;
    let mut applicability: BTreeMap<String, Vec<Applicability>> = BTreeMap::new();
    for (measure_id, from, applies) in changes {
        applicability
            .entry(measure_id)
            .or_default()
            .push(Applicability {
                from: parse("period", &from)?,
                applies: applies != 0,
            });
    }
    for (measure_id, changes) in &applicability {
        if !applies_in(changes, &period) {
            rows.remove(measure_id);
        }
    }

    let mut rows: Vec<ScorecardRow> = rows.into_values().collect();
    rows.sort_by(|a, b| a.definition.measure_ref.cmp(&b.definition.measure_ref));
    let set_asides = crate::set_asides::set_asides_through(read, position).await?;
    Ok(Some(Scorecard {
        plan,
        priorities,
        period,
        position,
        rule_set,
        rows,
        set_asides,
    }))
}

/// The value cells of the plan's measures in `columns`, as at position `at`: measure id and
/// [`ValueColumns`].
///
/// On SQLite a measure's cells come as one row, aggregated as a JSON array in the query: the
/// rows, not the query, are the cost there (each handed over from the driver's worker thread
/// on its own and converted for the `Any` driver). On PostgreSQL the same aggregation made the
/// scorecard slower (p50 19–20 → 24 ms, interleaved runs of `bench as-at`), so it reads a row
/// per cell.
async fn value_cells(
    read: &ReadModels,
    plan_key: &str,
    at: i64,
    columns: &[Period],
) -> Result<Vec<(String, ValueColumns)>, sqlx::Error> {
    let in_columns: Vec<String> = (0..columns.len()).map(|i| format!("${}", i + 3)).collect();
    let from = format!(
        "FROM values_history v JOIN measures m USING (measure_id) \
         WHERE m.plan_id = $1 AND {} AND v.period IN ({})",
        as_at("v", 2),
        in_columns.join(", ")
    );
    let cells = "v.period, v.value, v.quality, v.source_system, v.revision, v.classification";
    match read.dialect() {
        Dialect::Sqlite => {
            let sql = format!(
                "SELECT v.measure_id, json_group_array(json_array({cells})) {from} \
                 GROUP BY v.measure_id"
            );
            let mut query = sqlx::query_as::<_, (String, String)>(&sql)
                .bind(plan_key)
                .bind(at);
            for column in columns {
                query = query.bind(column.to_string());
            }
            let mut values = Vec::new();
            for (measure_id, aggregated) in query.fetch_all(read.pool()).await? {
                let aggregated: Vec<ValueColumns> = from_json("values", &aggregated)?;
                values.extend(
                    aggregated
                        .into_iter()
                        .map(|cell| (measure_id.clone(), cell)),
                );
            }
            Ok(values)
        }
        Dialect::Postgres => {
            let sql = format!("SELECT v.measure_id, {cells} {from}");
            let mut query = sqlx::query_as::<
                _,
                (
                    String,
                    String,
                    String,
                    String,
                    Option<String>,
                    i64,
                    Option<String>,
                ),
            >(&sql)
            .bind(plan_key)
            .bind(at);
            for column in columns {
                query = query.bind(column.to_string());
            }
            Ok(query
                .fetch_all(read.pool())
                .await?
                .into_iter()
                .map(
                    |(measure_id, period, value, quality, source, revision, class)| {
                        (
                            measure_id,
                            (period, value, quality, source, revision, class),
                        )
                    },
                )
                .collect())
        }
    }
}

/// Every recorded version (raw figure, recorded from, recorded to) of each of `cells`
/// (measure id, period), oldest first: what each publication printed of them.
async fn versions_of(
    read: &ReadModels,
    cells: &[(&str, &str)],
) -> Result<BTreeMap<(String, String), Vec<Version>>, sqlx::Error> {
    let mut versions: BTreeMap<(String, String), Vec<Version>> = BTreeMap::new();
    for chunk in cells.chunks(CELLS_PER_QUERY) {
        let pairs: Vec<String> = (0..chunk.len())
            .map(|i| {
                format!(
                    "({}, {})",
                    placeholder(read.dialect(), 2 * i + 1),
                    placeholder(read.dialect(), 2 * i + 2)
                )
            })
            .collect();
        let sql = format!(
            "SELECT measure_id, period, raw, recorded_from_position, recorded_to_position \
             FROM values_history WHERE (measure_id, period) IN (VALUES {}) \
             ORDER BY recorded_from_position",
            pairs.join(", ")
        );
        let mut query = sqlx::query_as::<_, (String, String, String, i64, Option<i64>)>(&sql);
        for (measure_id, period) in chunk {
            query = query.bind(*measure_id).bind(*period);
        }
        for (measure_id, period, raw, from, to) in query.fetch_all(read.pool()).await? {
            versions
                .entry((measure_id, period))
                .or_default()
                .push((raw, from, to));
        }
    }
    Ok(versions)
}

/// A value's recorded version: its raw figure, and the positions it was current from and to.
type Version = (String, i64, Option<i64>);

/// Revised cells asked about in one query (two parameters each).
const CELLS_PER_QUERY: usize = 400;

/// The figure the first publication that printed a revised value showed, when it differs from
/// `current`: `versions` are the cell's recorded versions, oldest first, and `cut_offs` the
/// cut-offs of the publications whose reports print its period.
fn first_published(versions: &[Version], cut_offs: &[i64], current: &str) -> Option<String> {
    let first_recorded = versions.first()?.1;
    let cut_off = cut_offs.iter().copied().find(|c| *c >= first_recorded)?;
    versions
        .iter()
        .find(|(_, from, to)| *from <= cut_off && to.is_none_or(|to| to > cut_off))
        .map(|(raw, _, _)| raw.clone())
        .filter(|raw| raw != current)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(raw: &str, from: i64, to: Option<i64>) -> Version {
        (raw.to_owned(), from, to)
    }

    #[test]
    fn the_first_published_figure_is_the_version_current_at_the_first_cut_off_after_it() {
        let versions = [
            version("112", 10, Some(40)),
            version("98", 40, Some(70)),
            version("95", 70, None),
        ];
        // Printed at 50 (98 then) and at 80: the first report that printed it showed 98.
        assert_eq!(
            first_published(&versions, &[5, 50, 80], "95"),
            Some("98".into())
        );
        assert_eq!(first_published(&versions, &[20], "95"), Some("112".into()));
        // Nothing printed it, or what was printed is what it reads now.
        assert_eq!(first_published(&versions, &[5], "95"), None);
        assert_eq!(first_published(&versions, &[75], "95"), None);
        assert_eq!(first_published(&[], &[20], "95"), None);
    }
}
