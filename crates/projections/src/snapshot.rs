//! Every fact of the read models as at a position, in a comparable form. The property
//! tests compare this against a fresh replay: the as-at read model at P must equal a
//! replay of the first P commits.

use std::collections::BTreeMap;

use scoreledger_domain::Position;

use crate::read_models::ReadModels;
use crate::scorecard::as_at;

/// All system-versioned facts as at a position, keyed by (measure, period[, kind]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// (measure, period) → (raw value, revision). Exactly one version per key is current
    /// at any position; a key with two versions is a broken read model and shows up here.
    pub values: BTreeMap<(String, String), Vec<(String, i64)>>,
    /// (measure, period) → raw target.
    pub targets: BTreeMap<(String, String), Vec<String>>,
    /// (measure, period, kind) → assessed.
    pub assessments: BTreeMap<(String, String, String), Vec<String>>,
    /// (measure, period) → note.
    pub notes: BTreeMap<(String, String), Vec<String>>,
    /// Number of history rows recorded at or before the position.
    pub history_rows: i64,
}

/// Reads the snapshot as at `position`, through the as-at predicate of every query.
pub async fn snapshot_as_at(
    read: &ReadModels,
    position: Position,
) -> Result<Snapshot, sqlx::Error> {
    snapshot(read, &as_at("", 1), Some(position.0 as i64), position).await
}

/// Reads the current rows only (`recorded_to_position IS NULL`), as of the checkpoint.
pub async fn snapshot_current(read: &ReadModels) -> Result<Snapshot, sqlx::Error> {
    let position = crate::projector::read_checkpoint(read).await?;
    snapshot(read, "recorded_to_position IS NULL", None, position).await
}

/// Runs `sql`, binding `at` as `$1` when the predicate uses it.
async fn rows<T>(read: &ReadModels, sql: &str, at: Option<i64>) -> Result<Vec<T>, sqlx::Error>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
{
    let query = sqlx::query_as::<_, T>(sql);
    match at {
        Some(at) => query.bind(at).fetch_all(read.pool()).await,
        None => query.fetch_all(read.pool()).await,
    }
}

async fn snapshot(
    read: &ReadModels,
    predicate: &str,
    at: Option<i64>,
    position: Position,
) -> Result<Snapshot, sqlx::Error> {
    let values = rows::<(String, String, String, i64)>(
        read,
        &format!("SELECT measure_id, period, raw, revision FROM values_history WHERE {predicate}"),
        at,
    )
    .await?
    .into_iter()
    .map(|(m, p, raw, rev)| ((m, p), (raw, rev)))
    .fold(BTreeMap::new(), group);
    let targets = rows::<(String, String, String)>(
        read,
        &format!("SELECT measure_id, period, raw FROM targets_history WHERE {predicate}"),
        at,
    )
    .await?
    .into_iter()
    .map(|(m, p, raw)| ((m, p), raw))
    .fold(BTreeMap::new(), group);
    let assessments = rows::<(String, String, String, String)>(
        read,
        &format!(
            "SELECT measure_id, period, kind, assessed FROM assessments_history WHERE {predicate}"
        ),
        at,
    )
    .await?
    .into_iter()
    .map(|(m, p, k, a)| ((m, p, k), a))
    .fold(BTreeMap::new(), group);
    let notes = rows::<(String, String, String)>(
        read,
        &format!("SELECT measure_id, period, text FROM notes_history WHERE {predicate}"),
        at,
    )
    .await?
    .into_iter()
    .map(|(m, p, t)| ((m, p), t))
    .fold(BTreeMap::new(), group);
    let history_rows = sqlx::query_scalar("SELECT COUNT(*) FROM history WHERE position <= $1")
        .bind(position.0 as i64)
        .fetch_one(read.pool())
        .await?;
    Ok(Snapshot {
        values,
        targets,
        assessments,
        notes,
        history_rows,
    })
}

fn group<K: Ord, V: Ord>(
    mut map: BTreeMap<K, Vec<V>>,
    (key, value): (K, V),
) -> BTreeMap<K, Vec<V>> {
    let versions = map.entry(key).or_default();
    versions.push(value);
    versions.sort();
    map
}
