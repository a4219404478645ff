//! `--as-at DATE` / `--position N`: which log position a query is answered at.

use scoreledger_domain::Position;
use scoreledger_projections::ProjectionError;
pub use scoreledger_service::AsAt;

use crate::app::{date, App};
use crate::args::AsAtArgs;
use crate::failure::CliResult;

/// From the command line.
pub fn from_args(args: &AsAtArgs) -> CliResult<AsAt> {
    Ok(match (&args.as_at, args.position) {
        (Some(day), _) => AsAt::EndOf(date(day)?),
        (None, Some(p)) => AsAt::Position(Position(p)),
        (None, None) => AsAt::Now,
    })
}

/// Brings the read models as far up the log as it can be read and resolves `as_at` to one of
/// their positions; a position at or past a commit that cannot be read fails (exit 5).
pub async fn position(app: &App, as_at: AsAt) -> CliResult<Position> {
    let reach = app.catch_up_for_reading().await?;
    if let (Some(stop), AsAt::Position(asked)) = (reach.stopped_by, &as_at) {
        if *asked >= stop.position {
            return Err(ProjectionError::Unreadable {
                position: stop.position,
                problem: stop.problem,
            }
            .into());
        }
    }
    Ok(scoreledger_service::resolve(app.read(), reach.at, as_at).await?)
}

/// Resolves the `--as-at` / `--position` arguments.
pub async fn resolve(app: &App, args: &AsAtArgs) -> CliResult<Position> {
    position(app, from_args(args)?).await
}
