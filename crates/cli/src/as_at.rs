//! `--as-at DATE` / `--position N`: which log position a query is answered at.

use scoreledger_domain::Position;
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

/// Brings the read models up to date and resolves `as_at` to one of their positions.
pub async fn position(app: &App, as_at: AsAt) -> CliResult<Position> {
    let now = app.catch_up().await?;
    Ok(scoreledger_service::resolve(app.read(), now, as_at).await?)
}

/// Resolves the `--as-at` / `--position` arguments.
pub async fn resolve(app: &App, args: &AsAtArgs) -> CliResult<Position> {
    position(app, from_args(args)?).await
}
