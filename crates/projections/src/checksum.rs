//! A checksum of every read-model table: rows as text, sorted, hashed. Two read models built
//! from the same log must have equal checksums, whichever way they got there (a clean
//! rebuild, or a rebuild killed half-way and resumed).

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use crate::projector::TABLES;
use crate::read_models::{Dialect, ReadModels};

async fn columns(read: &ReadModels, table: &str) -> Result<Vec<String>, sqlx::Error> {
    let sql = match read.dialect() {
        Dialect::Sqlite => "SELECT name FROM pragma_table_info($1) ORDER BY cid",
        Dialect::Postgres => {
            "SELECT CAST(column_name AS TEXT) FROM information_schema.columns \
             WHERE table_name = $1 AND table_schema = current_schema() ORDER BY ordinal_position"
        }
    };
    sqlx::query_scalar(sql)
        .bind(table)
        .fetch_all(read.pool())
        .await
}

/// SHA-256 (hex) of each read-model table's rows.
pub async fn table_checksums(
    read: &ReadModels,
) -> Result<BTreeMap<&'static str, String>, sqlx::Error> {
    let mut sums = BTreeMap::new();
    for table in TABLES {
        let cells: Vec<String> = columns(read, table)
            .await?
            .iter()
            .map(|column| format!("COALESCE(CAST({column} AS TEXT), '∅')"))
            .collect();
        let sql = format!("SELECT {} FROM {table}", cells.join(" || '|' || "));
        let mut rows: Vec<String> = sqlx::query_scalar(&sql).fetch_all(read.pool()).await?;
        rows.sort();
        let mut hasher = Sha256::new();
        for row in &rows {
            hasher.update(row.as_bytes());
            hasher.update(b"\n");
        }
        sums.insert(table, hex::encode(hasher.finalize()));
    }
    Ok(sums)
}
