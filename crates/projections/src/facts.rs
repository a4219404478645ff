//! The system-versioned facts a batch changes (targets, values, assessments, notes), kept in
//! memory until the end of its transaction and written set-based: every current version the
//! batch supersedes closed by one statement per table, every new version inserted by
//! multi-row INSERTs, instead of two statements per event.
//!
//! A fact has at most one current version (`recorded_to_position IS NULL`). The batch knows
//! each touched fact's current version (read for the whole batch up front, or on first touch),
//! so closing one never asks the database; a version opened and superseded within the batch
//! is inserted already closed.

use std::collections::BTreeMap;

use sqlx::AnyConnection;

use crate::batch::placeholder;
use crate::read_models::Dialect;

/// Keys per statement reading current versions, and closes per UPDATE: at most 4 parameters
/// each, well under SQLite's and PostgreSQL's limits.
const KEYS_PER_STATEMENT: usize = 400;

/// Versions per multi-row INSERT: at most 10 parameters each.
const VERSIONS_PER_INSERT: usize = 400;

/// A system-versioned table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum FactTable {
    Targets,
    Values,
    Assessments,
    Notes,
    Narratives,
}

impl FactTable {
    const ALL: [FactTable; 5] = [
        FactTable::Targets,
        FactTable::Values,
        FactTable::Assessments,
        FactTable::Notes,
        FactTable::Narratives,
    ];

    fn name(self) -> &'static str {
        match self {
            FactTable::Targets => "targets_history",
            FactTable::Values => "values_history",
            FactTable::Assessments => "assessments_history",
            FactTable::Notes => "notes_history",
            FactTable::Narratives => "narratives_history",
        }
    }

    /// The column the history view shows of a version it supersedes.
    fn display(self) -> &'static str {
        match self {
            FactTable::Targets | FactTable::Values => "raw",
            FactTable::Assessments => "assessed",
            FactTable::Notes | FactTable::Narratives => "text",
        }
    }

    /// Values and targets count their revisions; assessments and notes do not.
    fn revision(self) -> &'static str {
        match self {
            FactTable::Targets | FactTable::Values => "revision",
            FactTable::Assessments | FactTable::Notes | FactTable::Narratives => {
                "CAST(0 AS BIGINT)"
            }
        }
    }

    /// The columns of a version beyond its key and positions, in [`Cell`] order.
    fn columns(self) -> &'static [&'static str] {
        match self {
            FactTable::Targets => &["target", "raw", "revision"],
            FactTable::Values => &[
                "value",
                "raw",
                "amount",
                "quality",
                "source_system",
                "revision",
                "classification",
            ],
            FactTable::Assessments => &["assessed", "computed", "rule_set_version"],
            FactTable::Notes | FactTable::Narratives => &["text"],
        }
    }

    /// Assessments are kept per kind (status, direction, RAG) of a measure's period.
    fn has_kind(self) -> bool {
        self == FactTable::Assessments
    }

    fn key_columns(self) -> &'static str {
        if self.has_kind() {
            "measure_id, period, kind"
        } else {
            "measure_id, period"
        }
    }
}

/// Which fact: its table, measure and period, and for an assessment its kind.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct FactKey {
    pub table: FactTable,
    pub measure_id: String,
    pub period: String,
    pub kind: Option<&'static str>,
}

/// One column's value of a new version.
#[derive(Debug, Clone)]
pub(crate) enum Cell {
    Text(Option<String>),
    Int(Option<i64>),
}

/// A fact's current version as the batch knows it.
#[derive(Debug, Clone)]
struct Current {
    display: String,
    revision: i64,
    /// Its index among the batch's new versions, or `None` for a row already written.
    pending: Option<usize>,
}

/// A version the batch opened, to be inserted at its end.
#[derive(Debug)]
struct NewVersion {
    key: FactKey,
    cells: Vec<Cell>,
    from: i64,
    to: Option<i64>,
}

/// The facts of one batch.
#[derive(Debug)]
pub(crate) struct Facts {
    dialect: Dialect,
    /// Facts whose current version is known: `None` when there is none.
    current: BTreeMap<FactKey, Option<Current>>,
    /// New versions in the order they were opened.
    opened: Vec<NewVersion>,
    /// Rows already written that the batch supersedes, and where.
    closed: Vec<(FactKey, i64)>,
}

impl Facts {
    pub(crate) fn new(dialect: Dialect) -> Self {
        Self {
            dialect,
            current: BTreeMap::new(),
            opened: Vec::new(),
            closed: Vec::new(),
        }
    }

    /// Reads the current versions of `keys` the batch does not know yet, a few hundred keys
    /// a statement.
    pub(crate) async fn read_current(
        &mut self,
        conn: &mut AnyConnection,
        keys: impl IntoIterator<Item = FactKey>,
    ) -> Result<(), sqlx::Error> {
        let mut unknown: BTreeMap<FactTable, Vec<FactKey>> = BTreeMap::new();
        for key in keys {
            if !self.current.contains_key(&key) {
                self.current.insert(key.clone(), None);
                unknown.entry(key.table).or_default().push(key);
            }
        }
        for (table, keys) in unknown {
            for chunk in keys.chunks(KEYS_PER_STATEMENT) {
                self.read_chunk(conn, table, chunk).await?;
            }
        }
        Ok(())
    }

    async fn read_chunk(
        &mut self,
        conn: &mut AnyConnection,
        table: FactTable,
        keys: &[FactKey],
    ) -> Result<(), sqlx::Error> {
        let width = if table.has_kind() { 3 } else { 2 };
        let kind = if table.has_kind() {
            "kind"
        } else {
            "CAST(NULL AS TEXT)"
        };
        let sql = format!(
            "SELECT measure_id, period, {kind}, {}, {} FROM {} \
             WHERE recorded_to_position IS NULL AND ({}) IN (VALUES {})",
            table.display(),
            table.revision(),
            table.name(),
            table.key_columns(),
            self.rows(keys.len(), width)
        );
        let mut query = sqlx::query_as::<_, (String, String, Option<String>, String, i64)>(&sql);
        for key in keys {
            query = query
                .bind(key.measure_id.as_str())
                .bind(key.period.as_str());
            if let Some(kind) = key.kind {
                query = query.bind(kind);
            }
        }
        let asked: BTreeMap<(&str, &str, Option<&str>), &FactKey> = keys
            .iter()
            .map(|key| {
                (
                    (key.measure_id.as_str(), key.period.as_str(), key.kind),
                    key,
                )
            })
            .collect();
        for (measure_id, period, kind, display, revision) in query.fetch_all(&mut *conn).await? {
            let Some(&key) = asked.get(&(measure_id.as_str(), period.as_str(), kind.as_deref()))
            else {
                continue;
            };
            self.current.insert(
                key.clone(),
                Some(Current {
                    display,
                    revision,
                    pending: None,
                }),
            );
        }
        Ok(())
    }

    /// Supersedes the current version of `key` at `position`: returns its display text and
    /// revision, if it has one.
    pub(crate) async fn close_current(
        &mut self,
        conn: &mut AnyConnection,
        key: &FactKey,
        position: i64,
    ) -> Result<Option<(String, i64)>, sqlx::Error> {
        if !self.current.contains_key(key) {
            self.read_current(conn, [key.clone()]).await?;
        }
        let current = self.current.get_mut(key).and_then(Option::take);
        if let Some(current) = &current {
            match current.pending {
                Some(index) => self.opened[index].to = Some(position),
                None => self.closed.push((key.clone(), position)),
            }
        }
        Ok(current.map(|c| (c.display, c.revision)))
    }

    /// Opens a new current version of `key` from `position` (its current one closed first).
    pub(crate) fn open(
        &mut self,
        key: FactKey,
        display: String,
        revision: i64,
        cells: Vec<Cell>,
        position: i64,
    ) {
        debug_assert_eq!(cells.len(), key.table.columns().len());
        self.current.insert(
            key.clone(),
            Some(Current {
                display,
                revision,
                pending: Some(self.opened.len()),
            }),
        );
        self.opened.push(NewVersion {
            key,
            cells,
            from: position,
            to: None,
        });
    }

    /// Writes what the batch has changed so far, in its transaction: the superseded rows
    /// closed first (a closed row is found by its key and being current, which the new
    /// versions also are), then the new versions; returns how many rows it closed or inserted
    /// in each table.
    pub(crate) async fn flush(
        &mut self,
        conn: &mut AnyConnection,
    ) -> Result<Vec<(&'static str, u64)>, sqlx::Error> {
        let closed = std::mem::take(&mut self.closed);
        let opened = std::mem::take(&mut self.opened);
        let mut rows = Vec::with_capacity(FactTable::ALL.len());
        for table in FactTable::ALL {
            let closes: Vec<&(FactKey, i64)> = closed
                .iter()
                .filter(|(key, _)| key.table == table)
                .collect();
            for chunk in closes.chunks(KEYS_PER_STATEMENT) {
                self.close_rows(conn, table, chunk).await?;
            }
            let versions: Vec<&NewVersion> =
                opened.iter().filter(|v| v.key.table == table).collect();
            for chunk in versions.chunks(VERSIONS_PER_INSERT) {
                self.insert(conn, table, chunk).await?;
            }
            rows.push((table.name(), (closes.len() + versions.len()) as u64));
        }
        // What was pending is written now.
        for current in self.current.values_mut().flatten() {
            current.pending = None;
        }
        Ok(rows)
    }

    async fn close_rows(
        &self,
        conn: &mut AnyConnection,
        table: FactTable,
        closes: &[&(FactKey, i64)],
    ) -> Result<(), sqlx::Error> {
        let width = if table.has_kind() { 4 } else { 3 };
        let matches = if table.has_kind() {
            "t.measure_id = v.measure_id AND t.period = v.period AND t.kind = v.kind"
        } else {
            "t.measure_id = v.measure_id AND t.period = v.period"
        };
        let sql = format!(
            "WITH v({}, closed_at) AS (VALUES {}) \
             UPDATE {} AS t SET recorded_to_position = v.closed_at FROM v \
             WHERE {matches} AND t.recorded_to_position IS NULL",
            table.key_columns(),
            self.rows(closes.len(), width),
            table.name()
        );
        let mut query = sqlx::query(&sql);
        for (key, position) in closes {
            query = query
                .bind(key.measure_id.as_str())
                .bind(key.period.as_str());
            if let Some(kind) = key.kind {
                query = query.bind(kind);
            }
            query = query.bind(*position);
        }
        query.execute(&mut *conn).await?;
        Ok(())
    }

    async fn insert(
        &self,
        conn: &mut AnyConnection,
        table: FactTable,
        versions: &[&NewVersion],
    ) -> Result<(), sqlx::Error> {
        let keys = if table.has_kind() { 3 } else { 2 };
        let width = keys + table.columns().len() + 2;
        let sql = format!(
            "INSERT INTO {} ({}, {}, recorded_from_position, recorded_to_position) VALUES {}",
            table.name(),
            table.key_columns(),
            table.columns().join(", "),
            self.rows(versions.len(), width)
        );
        let mut query = sqlx::query(&sql);
        for version in versions {
            query = query
                .bind(version.key.measure_id.as_str())
                .bind(version.key.period.as_str());
            if let Some(kind) = version.key.kind {
                query = query.bind(kind);
            }
            for cell in &version.cells {
                query = match cell {
                    Cell::Text(text) => query.bind(text.as_deref()),
                    Cell::Int(int) => query.bind(*int),
                };
            }
            query = query.bind(version.from).bind(version.to);
        }
        query.execute(&mut *conn).await?;
        Ok(())
    }

    /// `(…), (…)`: `rows` groups of `width` parameters, numbered in order.
    fn rows(&self, rows: usize, width: usize) -> String {
        (0..rows)
            .map(|row| {
                let params: Vec<String> = (1..=width)
                    .map(|k| placeholder(self.dialect, row * width + k))
                    .collect();
                format!("({})", params.join(", "))
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}
