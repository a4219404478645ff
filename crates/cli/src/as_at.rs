//! `--as-at DATE` / `--position N`: which log position a query is answered at.

use chrono::{Days, NaiveTime, TimeZone, Utc};
use scoreledger_domain::Position;
use scoreledger_projections as projections;

use crate::app::{date, App};
use crate::args::AsAtArgs;
use crate::failure::{CliResult, Failed};

/// Which position a query is wanted at.
#[derive(Debug, Clone, Copy)]
pub enum AsAt {
    /// Everything known now.
    Now,
    /// The end of a day (UTC).
    EndOf(chrono::NaiveDate),
    /// A log position.
    Position(Position),
}

impl AsAt {
    /// From the command line.
    pub fn from_args(args: &AsAtArgs) -> CliResult<Self> {
        Ok(match (&args.as_at, args.position) {
            (Some(day), _) => AsAt::EndOf(date(day)?),
            (None, Some(p)) => AsAt::Position(Position(p)),
            (None, None) => AsAt::Now,
        })
    }

    /// Whether this is the present.
    pub fn is_now(self) -> bool {
        matches!(self, AsAt::Now)
    }
}

/// Brings the read models up to date and resolves `as_at` to one of their positions.
pub async fn position(app: &App, as_at: AsAt) -> CliResult<Position> {
    let now = app.catch_up().await?;
    Ok(match as_at {
        AsAt::Now => now,
        AsAt::Position(p) => {
            if p > now {
                return Err(Failed::rejected(format!(
                    "position {p} is beyond the end of the log ({now})"
                )));
            }
            p
        }
        AsAt::EndOf(day) => {
            let next = day
                .checked_add_days(Days::new(1))
                .expect("dates far from the end of time");
            let moment = Utc.from_utc_datetime(&next.and_time(NaiveTime::MIN));
            projections::position_before(app.read(), moment).await?
        }
    })
}

/// Resolves the `--as-at` / `--position` arguments.
pub async fn resolve(app: &App, args: &AsAtArgs) -> CliResult<Position> {
    position(app, AsAt::from_args(args)?).await
}
