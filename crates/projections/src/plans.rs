//! The plans as at a log position, each with its corporate priorities and the key delivery
//! outcomes under them: the structure a client needs before it can define a measure.

use chrono::NaiveDate;
use serde::Serialize;

use scoreledger_domain::{Period, PlanId, Position, StatusScheme};

use crate::read_models::ReadModels;

/// A key delivery outcome under a priority.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct OutcomeView {
    /// Its letter (`A`).
    pub letter: String,
    /// Its title.
    pub title: String,
}

/// A corporate priority with its outcomes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PriorityView {
    /// Its number.
    pub number: u8,
    /// Its title.
    pub title: String,
    /// Its outcomes, by letter.
    pub outcomes: Vec<OutcomeView>,
}

/// A plan with its priorities.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PlanView {
    /// The plan.
    pub plan_id: PlanId,
    /// Its name.
    pub name: String,
    /// The financial year it covers.
    pub financial_year: Period,
    /// The status scheme its measures are assessed in.
    pub status_scheme: StatusScheme,
    /// When it was approved.
    pub approved_on: Option<NaiveDate>,
    /// By whom.
    pub approved_by: Option<String>,
    /// Its priorities, by number.
    pub priorities: Vec<PriorityView>,
}

fn corrupt(what: &str, err: impl std::fmt::Display) -> sqlx::Error {
    sqlx::Error::Decode(format!("read model holds an unreadable {what}: {err}").into())
}

/// Every plan defined by `position`, oldest first, with the priorities and outcomes defined
/// by then.
pub async fn plans_as_at(
    read: &ReadModels,
    position: Position,
) -> Result<Vec<PlanView>, sqlx::Error> {
    let at = position.0 as i64;
    type PlanColumns = (
        String,
        String,
        String,
        String,
        Option<String>,
        Option<String>,
    );
    let plans = sqlx::query_as::<_, PlanColumns>(
        "SELECT plan_id, name, financial_year, status_scheme, approved_on, approved_by FROM plans \
         WHERE recorded_from_position <= $1 ORDER BY recorded_from_position, plan_id",
    )
    .bind(at)
    .fetch_all(read.pool())
    .await?;
    let mut views = Vec::with_capacity(plans.len());
    for (plan_id, name, year, scheme, approved_on, approved_by) in plans {
        let priorities = sqlx::query_as::<_, (i64, String)>(
            "SELECT number, title FROM priorities WHERE plan_id = $1 AND recorded_from_position <= $2 \
             ORDER BY number",
        )
        .bind(&plan_id)
        .bind(at)
        .fetch_all(read.pool())
        .await?;
        let outcomes = sqlx::query_as::<_, (i64, String, String)>(
            "SELECT priority, letter, title FROM outcomes WHERE plan_id = $1 AND recorded_from_position <= $2 \
             ORDER BY priority, letter",
        )
        .bind(&plan_id)
        .bind(at)
        .fetch_all(read.pool())
        .await?;
        views.push(PlanView {
            plan_id: PlanId(plan_id.parse().map_err(|err| corrupt("plan id", err))?),
            name,
            financial_year: Period::parse(&year).map_err(|err| corrupt("period", err))?,
            status_scheme: scheme
                .parse()
                .map_err(|err| corrupt("status scheme", err))?,
            approved_on: approved_on
                .map(|d| d.parse().map_err(|err| corrupt("date", err)))
                .transpose()?,
            approved_by,
            priorities: priorities
                .into_iter()
                .map(|(number, title)| PriorityView {
                    number: number as u8,
                    title,
                    outcomes: outcomes
                        .iter()
                        .filter(|(p, _, _)| *p == number)
                        .map(|(_, letter, title)| OutcomeView {
                            letter: letter.clone(),
                            title: title.clone(),
                        })
                        .collect(),
                })
                .collect(),
        });
    }
    Ok(views)
}
