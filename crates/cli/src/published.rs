//! Finding a published report from what a user types: its id, the first characters of it, or
//! the period it reported.

use scoreledger_domain::Period;
use scoreledger_projections::{self as projections, Publication};

use crate::app::App;
use crate::failure::{CliResult, Failed};

/// The publication `text` names: an id or unique id prefix, or a period (its latest
/// publication). The read models must be caught up.
pub async fn find(app: &App, text: &str) -> CliResult<Publication> {
    let publications = projections::all_publications(app.read()).await?;
    let wanted = text.trim().to_ascii_lowercase();
    let by_id: Vec<&Publication> = publications
        .iter()
        .filter(|p| !wanted.is_empty() && p.report_id.starts_with(&wanted))
        .collect();
    match by_id.as_slice() {
        [one] => return Ok((*one).clone()),
        [] => {}
        several => {
            return Err(Failed::rejected(format!(
                "{} published reports have ids starting {text:?}; give more of the id",
                several.len()
            )))
        }
    }
    if let Ok(period) = Period::parse(text) {
        let printed = period.to_string();
        return publications
            .iter()
            .rev()
            .find(|p| p.period == printed)
            .cloned()
            .ok_or_else(|| {
                Failed::rejected(format!(
                    "no report of {period} has been published; see `scoreledger report list`"
                ))
            });
    }
    Err(Failed::rejected(format!(
        "no published report has an id starting {text:?}; give an id from `scoreledger report list` or a period such as \"Q2 2016/17\""
    )))
}
