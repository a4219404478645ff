//! What a batch of commits projected in one transaction keeps in memory until the end of the
//! transaction: the history view's rows, which nothing reads while projecting, written with
//! multi-row INSERTs; the system-versioned facts it changes (`facts`); and each measure's
//! reference and plan, read for the whole batch up front rather than once per commit.

use std::collections::{BTreeMap, BTreeSet};

use sqlx::AnyConnection;

use crate::facts::Facts;
use crate::read_models::Dialect;

/// Rows per multi-row INSERT: 20 parameters a row, well under SQLite's and PostgreSQL's limits.
const ROWS_PER_INSERT: usize = 500;

/// One row of the history view, as `history` stores it.
#[derive(Debug)]
pub(crate) struct HistoryRow {
    pub position: i64,
    pub seq: i64,
    pub stream: String,
    pub plan_id: Option<String>,
    pub measure_id: Option<String>,
    pub measure_ref: Option<String>,
    pub recorded_at: String,
    pub actor_id: String,
    pub actor_name: String,
    pub actor_role: &'static str,
    pub on_behalf_of: Option<String>,
    pub event_type: &'static str,
    pub period: Option<String>,
    pub what: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub reason: Option<String>,
    pub classification: Option<String>,
    /// The day the change was reported (ISO), when the commit says it was reported before.
    pub reported_on: Option<String>,
    /// The document it was reported in.
    pub reported_in: Option<String>,
}

/// The state of one batch's transaction beyond what is already written.
#[derive(Debug)]
pub(crate) struct Batch {
    dialect: Dialect,
    history: Vec<HistoryRow>,
    /// The system-versioned facts the batch changes.
    pub facts: Facts,
    /// measure id → (reference, plan id), for measures the read models hold. A measure not
    /// found is not remembered: it may be defined later in the batch.
    measure_keys: BTreeMap<String, (String, String)>,
}

impl Batch {
    /// An empty batch for read models in `dialect`.
    pub(crate) fn new(dialect: Dialect) -> Self {
        Self {
            dialect,
            history: Vec::new(),
            facts: Facts::new(dialect),
            measure_keys: BTreeMap::new(),
        }
    }

    /// Keeps a history row for [`Batch::flush`].
    pub(crate) fn push_history(&mut self, row: HistoryRow) {
        self.history.push(row);
    }

    /// The reference and plan of measure `measure_id`, if the read models hold it.
    pub(crate) async fn measure_keys(
        &mut self,
        conn: &mut AnyConnection,
        measure_id: &str,
    ) -> Result<Option<(String, String)>, sqlx::Error> {
        if let Some(keys) = self.measure_keys.get(measure_id) {
            return Ok(Some(keys.clone()));
        }
        let row: Option<(String, String)> =
            sqlx::query_as("SELECT measure_ref, plan_id FROM measures WHERE measure_id = $1")
                .bind(measure_id)
                .fetch_optional(&mut *conn)
                .await?;
        if let Some(keys) = &row {
            self.measure_keys
                .insert(measure_id.to_owned(), keys.clone());
        }
        Ok(row)
    }

    /// Remembers the reference and plan of a measure the batch defines.
    pub(crate) fn know_measure(&mut self, measure_id: &str, measure_ref: &str, plan_id: &str) {
        self.measure_keys.insert(
            measure_id.to_owned(),
            (measure_ref.to_owned(), plan_id.to_owned()),
        );
    }

    /// Reads the references and plans of `measure_ids` the batch does not know yet, a few
    /// hundred a statement.
    pub(crate) async fn read_measure_keys(
        &mut self,
        conn: &mut AnyConnection,
        measure_ids: &BTreeSet<String>,
    ) -> Result<(), sqlx::Error> {
        let unknown: Vec<&String> = measure_ids
            .iter()
            .filter(|id| !self.measure_keys.contains_key(id.as_str()))
            .collect();
        for chunk in unknown.chunks(ROWS_PER_INSERT) {
            let params: Vec<String> = (1..=chunk.len())
                .map(|n| placeholder(self.dialect, n))
                .collect();
            let sql = format!(
                "SELECT measure_id, measure_ref, plan_id FROM measures WHERE measure_id IN ({})",
                params.join(", ")
            );
            let mut query = sqlx::query_as::<_, (String, String, String)>(&sql);
            for id in chunk {
                query = query.bind(id.as_str());
            }
            for (id, measure_ref, plan_id) in query.fetch_all(&mut *conn).await? {
                self.measure_keys.insert(id, (measure_ref, plan_id));
            }
        }
        Ok(())
    }

    /// Writes the facts and history rows kept so far, in the batch's transaction; returns how
    /// many rows it inserted or changed in each table.
    pub(crate) async fn flush(
        &mut self,
        conn: &mut AnyConnection,
    ) -> Result<Vec<(&'static str, u64)>, sqlx::Error> {
        let mut rows = self.facts.flush(conn).await?;
        rows.push(("history", self.history.len() as u64));
        for chunk in std::mem::take(&mut self.history).chunks(ROWS_PER_INSERT) {
            let values: Vec<String> = (0..chunk.len())
                .map(|i| {
                    let params: Vec<String> = (1..=20)
                        .map(|k| placeholder(self.dialect, i * 20 + k))
                        .collect();
                    format!("({})", params.join(", "))
                })
                .collect();
            let sql = format!(
                "INSERT INTO history (position, seq, stream, plan_id, measure_id, measure_ref, \
                 recorded_at, actor_id, actor_name, actor_role, on_behalf_of, event_type, period, \
                 what, before, after, reason, classification, reported_on, reported_in) VALUES {}",
                values.join(", ")
            );
            let mut query = sqlx::query(&sql);
            for row in chunk {
                query = query
                    .bind(row.position)
                    .bind(row.seq)
                    .bind(row.stream.as_str())
                    .bind(row.plan_id.as_deref())
                    .bind(row.measure_id.as_deref())
                    .bind(row.measure_ref.as_deref())
                    .bind(row.recorded_at.as_str())
                    .bind(row.actor_id.as_str())
                    .bind(row.actor_name.as_str())
                    .bind(row.actor_role)
                    .bind(row.on_behalf_of.as_deref())
                    .bind(row.event_type)
                    .bind(row.period.as_deref())
                    .bind(row.what.as_str())
                    .bind(row.before.as_deref())
                    .bind(row.after.as_deref())
                    .bind(row.reason.as_deref())
                    .bind(row.classification.as_deref())
                    .bind(row.reported_on.as_deref())
                    .bind(row.reported_in.as_deref());
            }
            query.execute(&mut *conn).await?;
        }
        Ok(rows)
    }
}

/// Parameter `n` (1-based) of a statement with many. SQLite's numbered parameters cost a scan
/// of every parameter's name to bind each one (`sqlite3_bind_parameter_name` took a third of a
/// rebuild's time with `$n`), so SQLite gets plain `?`, bound in order.
pub(crate) fn placeholder(dialect: Dialect, n: usize) -> String {
    match dialect {
        Dialect::Sqlite => "?".to_owned(),
        Dialect::Postgres => format!("${n}"),
    }
}
