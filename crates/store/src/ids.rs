//! The one place ids are minted from the clock: UUID v7, so they sort by creation time.

use sha2::{Digest, Sha256};
use uuid::Uuid;

use scoreledger_domain::{ActionId, MeasureId, MeasureRef, MeetingId, Period, PlanId};

/// A fresh, time-ordered id (commits, events, publications, tokens, accesses).
pub fn new_id() -> Uuid {
    #[expect(
        clippy::disallowed_methods,
        reason = "the one place that mints time-ordered random ids"
    )]
    Uuid::now_v7()
}

/// A plan's id, from its name and year: an import, the API and a roll-over that name the same
/// plan name the same stream, so it is defined once.
pub fn plan_id_for(name: &str, financial_year: &Period) -> PlanId {
    PlanId(derived_id(&["plan", name, &financial_year.to_string()]))
}

/// A measure's id, from its plan and reference: the same reference in another plan (the next
/// year's, say) is another measure.
pub fn measure_id_for(plan: PlanId, reference: &MeasureRef) -> MeasureId {
    MeasureId(derived_id(&[
        "measure",
        &plan.to_string(),
        reference.as_str(),
    ]))
}

/// A meeting's id, from its body and day: the same meeting recorded twice is one stream.
pub fn meeting_id_for(body: &str, held_on: chrono::NaiveDate) -> MeetingId {
    MeetingId(derived_id(&["meeting", body.trim(), &held_on.to_string()]))
}

/// An improvement action's id, from its plan and key action (spaces normalised): the same
/// action registered twice is one stream, and a later update names it by the same words.
pub fn action_id_for(plan: &str, key_action: &str) -> ActionId {
    let words = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");
    ActionId(derived_id(&["action", &words(plan), &words(key_action)]))
}

/// A stable id from the given parts (SHA-256, first 16 bytes, RFC 9562 version 8): the same
/// parts always give the same id, so a repeated import or request is recognised.
pub fn derived_id(parts: &[&str]) -> Uuid {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part.as_bytes());
        hasher.update([0u8]);
    }
    let digest = hasher.finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_custom_bytes(bytes).into_uuid()
}
