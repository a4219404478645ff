//! "As at": the log position a query is answered at (now, the end of a day, or a position).

use chrono::{Datelike, Days, NaiveTime, TimeZone, Utc};
use scoreledger_domain::Position;
use scoreledger_projections::{self as projections, ReadModels};

use crate::error::QueryError;

/// Which position a query is wanted at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AsAt {
    /// Everything the read models know.
    Now,
    /// The end of a day (UTC).
    EndOf(chrono::NaiveDate),
    /// A log position.
    Position(Position),
}

/// Resolves `as_at` against read models that have projected up to `now`.
pub async fn resolve(
    read: &ReadModels,
    now: Position,
    as_at: AsAt,
) -> Result<Position, QueryError> {
    Ok(match as_at {
        AsAt::Now => now,
        AsAt::Position(p) if p > now => {
            return Err(QueryError::rejected(format!(
                "position {p} is beyond the end of the log ({now})"
            )))
        }
        AsAt::Position(p) => p,
        AsAt::EndOf(day) => {
            // Past the year 9999 the dates stop comparing as text in the read models.
            let next = day
                .checked_add_days(Days::new(1))
                .filter(|next| next.year() <= 9999)
                .ok_or_else(|| {
                    QueryError::rejected(format!("{day} is too far in the future to ask about"))
                })?;
            let moment = Utc.from_utc_datetime(&next.and_time(NaiveTime::MIN));
            projections::position_before(read, moment)
                .await?
                .map_or(now, |before| before.min(now))
        }
    })
}
