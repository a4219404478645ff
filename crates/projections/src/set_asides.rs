//! Commits that could not be read and were set aside by an admin: every report built across
//! one lists it, so nothing is ever passed over silently.

use serde::{Deserialize, Serialize};

use scoreledger_domain::Position;

use crate::read_models::ReadModels;

/// One commit the projector passed over because an admin set it aside.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct SetAside {
    /// The position of the commit that cannot be read.
    pub position: i64,
    /// The position of the commit that set it aside.
    pub set_aside_at: i64,
    /// When it was set aside (RFC 3339).
    pub recorded_at: String,
    /// Who set it aside (user id).
    pub actor_id: String,
    /// Their name.
    pub actor_name: String,
    /// Why.
    pub reason: String,
    /// Why it cannot be read, as the store said.
    pub problem: String,
}

/// The commits set aside at or before `position`, in log order.
pub async fn set_asides_through(
    read: &ReadModels,
    position: Position,
) -> Result<Vec<SetAside>, sqlx::Error> {
    sqlx::query_as::<_, SetAside>(
        "SELECT position, set_aside_at, recorded_at, actor_id, actor_name, reason, problem \
         FROM set_asides WHERE position <= $1 ORDER BY position",
    )
    .bind(position.0 as i64)
    .fetch_all(read.pool())
    .await
}
