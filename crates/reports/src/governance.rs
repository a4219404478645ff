//! The governance record as a public rendering shows it, and the meetings that considered a
//! report. The rule of what is public is the domain's
//! ([`scoreledger_domain::governance::is_public`]): an item considered in exempt session is
//! left out, and so is every report such an item considered.

use serde::Serialize;

use scoreledger_domain::governance::{is_public, report_is_public};
use scoreledger_projections::{AgendaItemRecord, MeetingRecord, Publication};

/// The meetings with their exempt items left out.
pub fn public_meetings(meetings: &[MeetingRecord]) -> Vec<MeetingRecord> {
    meetings
        .iter()
        .map(|meeting| MeetingRecord {
            items: meeting
                .items
                .iter()
                .filter(|item| is_public(item.exempt_paragraph))
                .cloned()
                .collect(),
            ..meeting.clone()
        })
        .collect()
}

/// Whether a public rendering may show the publication `report_id`: no meeting considered
/// it in exempt session.
pub fn publication_is_public(report_id: &str, meetings: &[MeetingRecord]) -> bool {
    report_is_public(
        considered_by(report_id, meetings)
            .into_iter()
            .map(|c| c.item.exempt_paragraph),
    )
}

/// The publications a public rendering may show.
pub fn public_publications(
    publications: &[Publication],
    meetings: &[MeetingRecord],
) -> Vec<Publication> {
    publications
        .iter()
        .filter(|p| publication_is_public(&p.report_id, meetings))
        .cloned()
        .collect()
}

/// An agenda item that considered a report, with its meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Consideration {
    /// The committee, board or panel.
    pub body: String,
    /// The day it met.
    pub held_on: String,
    /// The item.
    pub item: AgendaItemRecord,
}

/// Every agenda item that considered `report_id`, by meeting date.
pub fn considered_by(report_id: &str, meetings: &[MeetingRecord]) -> Vec<Consideration> {
    meetings
        .iter()
        .flat_map(|meeting| {
            meeting
                .items
                .iter()
                .filter(|item| item.report_id.as_deref() == Some(report_id))
                .map(|item| Consideration {
                    body: meeting.body.clone(),
                    held_on: meeting.held_on.clone(),
                    item: item.clone(),
                })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(number: &str, report: Option<&str>, exempt: Option<u8>) -> AgendaItemRecord {
        AgendaItemRecord {
            item: number.into(),
            title: format!("Item {number}"),
            report_id: report.map(str::to_owned),
            exempt_paragraph: exempt,
            outcomes: Vec::new(),
        }
    }

    fn meeting(items: Vec<AgendaItemRecord>) -> MeetingRecord {
        MeetingRecord {
            meeting_id: "m".into(),
            body: "Cabinet".into(),
            held_on: "2017-01-13".into(),
            items,
        }
    }

    #[test]
    fn exempt_items_and_the_reports_they_considered_are_not_public() {
        let meetings = [
            meeting(vec![item("2", None, None), item("7", Some("q3"), None)]),
            meeting(vec![item("9", Some("q2"), Some(3))]),
        ];
        let public = public_meetings(&meetings);
        assert_eq!(public[0].items.len(), 2);
        assert!(public[1].items.is_empty());
        assert!(publication_is_public("q3", &meetings));
        assert!(!publication_is_public("q2", &meetings));
        // A report no meeting record names is public, as its publication was.
        assert!(publication_is_public("q1", &meetings));
        assert_eq!(considered_by("q2", &meetings)[0].item.item, "9");
    }
}
