//! Restatement diff: every cell of a period's report that differs between two builds
//! (typically: as published, and as known now).

use serde::Serialize;

use crate::quarter::QuarterReport;

/// One cell that changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CellChange {
    /// Measure reference.
    pub measure_ref: String,
    /// The column (a period as printed) or `target`, `status`, `direction`, `note`.
    pub field: String,
    /// As in the earlier build.
    pub before: Option<String>,
    /// As in the later build.
    pub after: Option<String>,
}

/// Cells of `before` that read differently in `after`, in row order then column order.
/// Rows only in one build appear with `measure` as the field.
pub fn diff(before: &QuarterReport, after: &QuarterReport) -> Vec<CellChange> {
    let mut changes = Vec::new();
    for new in &after.rows {
        let Some(old) = before
            .rows
            .iter()
            .find(|r| r.measure_ref == new.measure_ref)
        else {
            changes.push(CellChange {
                measure_ref: new.measure_ref.clone(),
                field: "measure".into(),
                before: None,
                after: Some(new.measure.clone()),
            });
            continue;
        };
        let mut push = |field: &str, a: Option<String>, b: Option<String>| {
            if a != b {
                changes.push(CellChange {
                    measure_ref: new.measure_ref.clone(),
                    field: field.to_owned(),
                    before: a,
                    after: b,
                });
            }
        };
        for (i, column) in after.columns.iter().enumerate() {
            let old_cell = before
                .columns
                .iter()
                .position(|c| c == column)
                .and_then(|j| old.values[j].clone());
            push(column, old_cell, new.values[i].clone());
        }
        push("target", old.target.clone(), new.target.clone());
        push(
            "status",
            Some(old.status.to_string()),
            Some(new.status.to_string()),
        );
        push(
            "direction",
            Some(old.direction.to_string()),
            Some(new.direction.to_string()),
        );
        push("note", old.note.clone(), new.note.clone());
    }
    for old in &before.rows {
        if !after.rows.iter().any(|r| r.measure_ref == old.measure_ref) {
            changes.push(CellChange {
                measure_ref: old.measure_ref.clone(),
                field: "measure".into(),
                before: Some(old.measure.clone()),
                after: None,
            });
        }
    }
    changes
}
