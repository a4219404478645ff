//! The PostgreSQL planner's statistics of the read models, kept current as projecting grows
//! them. A batch finds each fact's current version with `(measure_id, period) IN (VALUES …)`;
//! on a table never analysed the planner guesses its size and reads the whole table for every
//! batch (a sequential scan and a hash join), so a rebuild into fresh tables slowed with every
//! row it wrote. Autovacuum analyses a table a minute or more after it grew, and may be
//! switched off; a projection that writes thousands of rows a second cannot wait for it.
//!
//! So this process counts the rows it writes to each table and analyses a table once they
//! reach as many as the table held when it last analysed it (at least [`AT_LEAST`]): a table
//! growing from empty to a million rows is analysed about ten times, each a sample of at most
//! 30,000 rows. The count is the process's own, not the server's statistics collector, which
//! reports a backend's writes up to a second late. SQLite plans these statements on its
//! indexes without statistics.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use tracing::{debug, warn};

use crate::read_models::{Dialect, ReadModels};

/// Rows written to a table before it is first analysed by this process.
const AT_LEAST: u64 = 1_000;

/// What this process has written to each table since it last analysed it.
#[derive(Debug, Default, Clone)]
pub(crate) struct Written(Arc<Mutex<BTreeMap<&'static str, Counted>>>);

#[derive(Debug, Default)]
struct Counted {
    /// Rows inserted or changed since the table was last analysed here.
    since: u64,
    /// The rows the table held then, as the analysis estimated them.
    held: u64,
}

impl Written {
    /// Counts the rows a batch wrote to each table; returns the tables now due an analysis.
    fn add(&self, rows: &[(&'static str, u64)]) -> Vec<&'static str> {
        let mut tables = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut due = Vec::new();
        for &(table, count) in rows {
            let counted = tables.entry(table).or_default();
            counted.since += count;
            if count > 0 && counted.since >= counted.held.max(AT_LEAST) {
                counted.since = 0;
                due.push(table);
            }
        }
        due
    }

    fn analysed(&self, table: &'static str, held: u64) {
        let mut tables = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        tables.entry(table).or_default().held = held;
    }
}

/// Counts the rows a batch wrote to each table, and analyses those that have grown enough.
/// Run after the batch's transaction has committed; a failure only slows later batches, so
/// it is logged, not returned.
pub(crate) async fn after_batch(read: &ReadModels, rows: &[(&'static str, u64)]) {
    if read.dialect() != Dialect::Postgres {
        return;
    }
    for table in read.written().add(rows) {
        if let Err(err) = analyse(read, table).await {
            warn!(%table, error = %err, "cannot analyse a read-model table; queries on it may be planned badly");
        }
    }
}

/// Analyses `tables` whatever was counted (the end of a rebuild, so the queries that follow
/// are planned on what it wrote). What was written stands whether or not this succeeds, so a
/// failure is logged, not returned.
pub(crate) async fn analyse_all(read: &ReadModels, tables: &[&'static str]) {
    if read.dialect() != Dialect::Postgres {
        return;
    }
    for &table in tables {
        if let Err(err) = analyse(read, table).await {
            warn!(%table, error = %err, "cannot analyse a read-model table; queries on it may be planned badly");
        }
    }
}

async fn analyse(read: &ReadModels, table: &'static str) -> Result<(), sqlx::Error> {
    debug!(%table, "analysing");
    // Table names are the projection's own constants, never input.
    sqlx::query(&format!("ANALYZE {table}"))
        .execute(read.pool())
        .await?;
    let held: f64 = sqlx::query_scalar(
        "SELECT CAST(reltuples AS DOUBLE PRECISION) FROM pg_class WHERE relname = $1",
    )
    .bind(table)
    .fetch_one(read.pool())
    .await?;
    read.written().analysed(table, held.max(0.0) as u64);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{Written, AT_LEAST};

    #[test]
    fn a_table_is_due_once_it_has_grown_by_what_it_held() {
        let written = Written::default();
        assert!(written.add(&[("values_history", AT_LEAST - 1)]).is_empty());
        assert_eq!(
            written.add(&[("values_history", 1), ("history", 5)]),
            ["values_history"]
        );
        written.analysed("values_history", 10_000);
        assert!(written.add(&[("values_history", 9_999)]).is_empty());
        assert_eq!(written.add(&[("values_history", 1)]), ["values_history"]);
        // Counted afresh after each analysis.
        assert!(written.add(&[("values_history", 1)]).is_empty());
        assert_eq!(written.add(&[("history", AT_LEAST)]), ["history"]);
    }
}
