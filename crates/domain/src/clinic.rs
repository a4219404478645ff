//! Performance clinics: called for a measure that is off target (the reason on the commit),
//! then held, with the mandates for action and their deadlines, or cancelled with a reason.
//! A clinic is known by the day it is called for.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::decide::{non_empty, Context, Rejection};
use crate::event::DomainEvent;
use crate::state::MeasureState;

/// An action a clinic mandated, who owns it and by when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mandate {
    /// What is to be done.
    pub action: String,
    /// Who is to do it.
    pub owner: String,
    /// By when.
    pub due_on: NaiveDate,
}

/// Where a clinic stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClinicState {
    /// Called, not yet held.
    Called,
    /// Held.
    Held,
    /// Cancelled.
    Cancelled,
}

fn needs_reason(ctx: &Context, what: &str) -> Result<(), Rejection> {
    match ctx.reason() {
        Some(_) => Ok(()),
        None => Err(Rejection::Invalid {
            field: "reason",
            message: format!("say why the clinic is {what} (--reason)"),
        }),
    }
}

/// `CallClinic`: a clinic for `on`, chaired by `chair`, with the reason it is called.
pub(crate) fn call(
    measure: &MeasureState,
    on: NaiveDate,
    chair: &str,
    ctx: &Context,
) -> Result<Vec<DomainEvent>, Rejection> {
    non_empty("chair", chair)?;
    if measure.clinics.contains_key(&on) {
        return Err(Rejection::Invalid {
            field: "clinic",
            message: format!("a clinic for {on} is already called"),
        });
    }
    needs_reason(ctx, "called")?;
    Ok(vec![DomainEvent::ClinicCalled {
        on,
        chair: chair.trim().to_owned(),
    }])
}

/// The clinic called for `on`, still to be held.
fn open(measure: &MeasureState, on: NaiveDate) -> Result<(), Rejection> {
    match measure.clinics.get(&on) {
        Some(ClinicState::Called) => Ok(()),
        Some(state) => Err(Rejection::Invalid {
            field: "clinic",
            message: format!(
                "the clinic for {on} is already {}",
                if *state == ClinicState::Held {
                    "held"
                } else {
                    "cancelled"
                }
            ),
        }),
        None => Err(Rejection::Invalid {
            field: "clinic",
            message: format!("no clinic is called for {on}; call one first"),
        }),
    }
}

/// `HoldClinic`: the clinic for `on` held, with its mandates.
pub(crate) fn hold(
    measure: &MeasureState,
    on: NaiveDate,
    mandates: &[Mandate],
) -> Result<Vec<DomainEvent>, Rejection> {
    open(measure, on)?;
    for mandate in mandates {
        non_empty("mandated action", &mandate.action)?;
        non_empty("mandate owner", &mandate.owner)?;
        if mandate.due_on < on {
            return Err(Rejection::Invalid {
                field: "mandate deadline",
                message: format!(
                    "{} is due on {}, before the clinic on {on}",
                    mandate.action.trim(),
                    mandate.due_on
                ),
            });
        }
    }
    Ok(vec![DomainEvent::ClinicHeld {
        on,
        mandates: mandates
            .iter()
            .map(|m| Mandate {
                action: m.action.trim().to_owned(),
                owner: m.owner.trim().to_owned(),
                due_on: m.due_on,
            })
            .collect(),
    }])
}

/// `CancelClinic`: the clinic for `on` cancelled, with the reason.
pub(crate) fn cancel(
    measure: &MeasureState,
    on: NaiveDate,
    ctx: &Context,
) -> Result<Vec<DomainEvent>, Rejection> {
    open(measure, on)?;
    needs_reason(ctx, "cancelled")?;
    Ok(vec![DomainEvent::ClinicCancelled { on }])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actor::Role;

    fn measure(clinics: &[(NaiveDate, ClinicState)]) -> MeasureState {
        let mut state = crate::state::tests_support::measure();
        state.clinics = clinics.iter().copied().collect();
        state
    }

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2017, 2, d).unwrap()
    }

    fn ctx(reason: Option<&str>) -> Context {
        Context {
            role: Some(Role::Performance),
            reason: reason.map(str::to_owned),
            ..Context::default()
        }
    }

    fn mandate(due: NaiveDate) -> Mandate {
        Mandate {
            action: "Hotspot patrols".into(),
            owner: "South Yorkshire Police".into(),
            due_on: due,
        }
    }

    #[test]
    fn a_clinic_is_called_with_a_reason_then_held_or_cancelled_once() {
        let none = measure(&[]);
        assert!(
            call(&none, day(13), "Board", &ctx(None)).is_err(),
            "no reason"
        );
        assert!(
            call(&none, day(13), " ", &ctx(Some("off target"))).is_err(),
            "no chair"
        );
        assert!(call(&none, day(13), "Board", &ctx(Some("off target"))).is_ok());
        assert!(hold(&none, day(13), &[]).is_err(), "not called");

        let called = measure(&[(day(13), ClinicState::Called)]);
        assert!(call(&called, day(13), "Board", &ctx(Some("again"))).is_err());
        assert!(
            hold(&called, day(13), &[mandate(day(12))]).is_err(),
            "due before"
        );
        assert_eq!(
            hold(
                &called,
                day(13),
                &[mandate(NaiveDate::from_ymd_opt(2017, 3, 31).unwrap())]
            )
            .unwrap()
            .len(),
            1
        );
        assert!(cancel(&called, day(13), &ctx(None)).is_err(), "no reason");
        assert!(cancel(&called, day(13), &ctx(Some("the board did not meet"))).is_ok());

        let held = measure(&[(day(13), ClinicState::Held)]);
        assert!(hold(&held, day(13), &[]).is_err());
        assert!(cancel(&held, day(13), &ctx(Some("late"))).is_err());
    }
}
