//! Events are a persisted format: one committed snapshot of the stored JSON per event type.
//! A failing snapshot means the format changed; that needs a new schema version and an
//! upcaster, not an updated snapshot.

use chrono::NaiveDate;
use scoreledger_domain::event::ReportKind;
use scoreledger_domain::target::TargetSpec;
use scoreledger_domain::value::Quality;
use scoreledger_domain::{
    AccessId, ActionId, BasisKind, DataQuality, Direction, DomainEvent, FieldChange, Frequency,
    MeasureDefinition, MeasureField, MeasureId, MeasureRef, MeetingId, PartDigest, Period, PlanId,
    Polarity, Position, Rag, RecordedValue, ReportId, RevisionClass, Role, RuleSet, SchemaVersion,
    SetAsideId, Status, StatusScheme, TokenId, ValueKind,
};
use uuid::Uuid;

fn plan() -> PlanId {
    PlanId(Uuid::from_u128(1))
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn value(raw: &str) -> RecordedValue {
    RecordedValue::parse(raw).unwrap()
}

/// The stored form (type tag + payload) and a check that it reads back to the same event.
fn stored(event: &DomainEvent) -> String {
    let (event_type, payload) = event.to_payload();
    let back =
        DomainEvent::from_payload(event_type, SchemaVersion::CURRENT, payload.clone()).unwrap();
    assert_eq!(&back, event, "{event_type} reads back unchanged");
    format!(
        "{event_type}\n{}",
        serde_json::to_string_pretty(&payload).unwrap()
    )
}

macro_rules! golden {
    ($name:ident, $event:expr) => {
        #[test]
        fn $name() {
            insta::assert_snapshot!(stored(&$event));
        }
    };
}

golden!(
    plan_defined,
    DomainEvent::PlanDefined {
        plan_id: plan(),
        name: "Corporate Plan 2016/17".into(),
        financial_year: Period::financial_year(2016),
        status_scheme: StatusScheme::Corporate2016,
        approved_on: Some(day(2016, 7, 13)),
        approved_by: Some("Council".into()),
    }
);
golden!(
    priority_defined,
    DomainEvent::PriorityDefined {
        number: 1,
        title: "Every child making the best start in life".into()
    }
);
golden!(
    outcome_defined,
    DomainEvent::OutcomeDefined {
        priority: 1,
        letter: "A".into(),
        title: "Protected and safeguarded".into()
    }
);
golden!(
    rule_set_defined,
    DomainEvent::RuleSetDefined {
        rule_set: RuleSet::default()
    }
);
golden!(measure_defined, DomainEvent::MeasureDefined {
    measure_id: MeasureId(Uuid::from_u128(2)),
    definition: MeasureDefinition {
        plan_id: plan(),
        measure_ref: MeasureRef::parse("1.A3").unwrap(),
        ref_as_printed: "1.A3".into(),
        priority: 1,
        outcome: "A".into(),
        action: "Children's Social Care Improvement".into(),
        title: "% children who had a social care concern raised within 12 months of the last concern ending (Re-referrals) (Priority measure)".into(),
        priority_measure: true,
        lead_officer: "Mel Meggs".into(),
        directorate: "CYPS".into(),
        lead_accountability: "Ian Thomas, Strategic Director Children and Young People's Services".into(),
        polarity: Polarity::Low,
        polarity_text: "low".into(),
        frequency: Frequency::Monthly,
        frequency_text: "Monthly".into(),
        value_kind: ValueKind::Rolling,
        status_scheme: StatusScheme::Corporate2016,
        baseline: String::new(),
    },
});
golden!(
    lead_accountability_assigned,
    DomainEvent::LeadAccountabilityAssigned {
        person: "Anne Marie Lubanski, Strategic Director Adult Social Care and Housing".into(),
        effective_from: day(2016, 8, 8),
    }
);
golden!(
    target_set,
    DomainEvent::TargetSet {
        period: Period::financial_year(2016),
        target: TargetSpec::parse("April - September 26% October - March 23%").unwrap(),
    }
);
golden!(
    target_set_with_milestones_spanning_years,
    DomainEvent::TargetSet {
        period: Period::financial_year(2010),
        target: TargetSpec::parse("65% March 2010 68% October 2010 70% March 2011").unwrap(),
    }
);
golden!(
    target_set_as_a_band,
    DomainEvent::TargetSet {
        period: Period::financial_year(2010),
        target: TargetSpec::parse("60% - 70%").unwrap(),
    }
);
golden!(measure_defined_mid_range_with_a_baseline, DomainEvent::MeasureDefined {
    measure_id: MeasureId(Uuid::from_u128(68)),
    definition: MeasureDefinition {
        plan_id: plan(),
        measure_ref: MeasureRef::parse("NI 68").unwrap(),
        ref_as_printed: "NI 68".into(),
        priority: 1,
        outcome: "A".into(),
        action: String::new(),
        title: "Increase the % of referrals of children in need to children's social care going onto initial assessment".into(),
        priority_measure: false,
        lead_officer: "Gani Martins".into(),
        directorate: "CYPS".into(),
        lead_accountability: String::new(),
        polarity: Polarity::MidRange,
        polarity_text: "mid range is good performance".into(),
        frequency: Frequency::Monthly,
        frequency_text: "monthly".into(),
        value_kind: ValueKind::PointInTime,
        status_scheme: StatusScheme::Rag2010,
        baseline: "57.6% (2008/09 outturn) (2270/3940) 59.8% (position as at Nov 2009) 2009/10 outturn 73.4%".into(),
    },
});
golden!(
    target_changed,
    DomainEvent::TargetChanged {
        period: Period::financial_year(2016),
        old: TargetSpec::parse("94%").unwrap(),
        new: TargetSpec::parse("95%").unwrap(),
    }
);
golden!(
    value_recorded,
    DomainEvent::ValueRecorded {
        period: Period::quarter(2016, 3),
        value: value("62 (Oct-Nov only)"),
        quality: DataQuality {
            quality: Quality::Provisional,
            source_system: Some("SWIFT/AIS".into())
        },
    }
);
golden!(
    value_revised,
    DomainEvent::ValueRevised {
        period: Period::quarter(2016, 2),
        old: value("112"),
        new: value("95"),
        classification: RevisionClass::Correction,
        quality: DataQuality::default(),
    }
);
golden!(
    value_confirmed,
    DomainEvent::ValueConfirmed {
        period: Period::quarter(2016, 3),
        value: value("0.03"),
        classification: None,
        was: DataQuality {
            quality: Quality::Provisional,
            source_system: Some("DfE".to_owned()),
        },
        quality: DataQuality {
            quality: Quality::Final,
            source_system: Some("DfE validated release".to_owned()),
        },
    }
);
golden!(
    clinic_called,
    DomainEvent::ClinicCalled {
        on: NaiveDate::from_ymd_opt(2017, 2, 13).unwrap(),
        chair: "Safer Rotherham Partnership Board".into(),
    }
);
golden!(
    clinic_held,
    DomainEvent::ClinicHeld {
        on: NaiveDate::from_ymd_opt(2017, 2, 13).unwrap(),
        mandates: vec![scoreledger_domain::clinic::Mandate {
            action: "Hotspot patrols in the town centre".into(),
            owner: "South Yorkshire Police".into(),
            due_on: NaiveDate::from_ymd_opt(2017, 3, 31).unwrap(),
        }],
    }
);
golden!(
    clinic_cancelled,
    DomainEvent::ClinicCancelled {
        on: NaiveDate::from_ymd_opt(2017, 2, 13).unwrap(),
    }
);
golden!(
    action_registered,
    DomainEvent::ActionRegistered {
        action_id: ActionId(Uuid::from_u128(9)),
        plan: "RMBC Notice to Improve Action Plan".into(),
        objective: "Recruit and retain a stable social care workforce".into(),
        key_action: "Reduce the vacancy rate of qualified social workers".into(),
        lead: "Gani Martins".into(),
        target_date: "June 2010".into(),
        measures: vec![MeasureRef::parse("NI 59").unwrap()],
    }
);
golden!(
    action_target_date_moved,
    DomainEvent::ActionTargetDateMoved {
        from: "June 2010".into(),
        to: "October 2010".into(),
    }
);
golden!(
    action_rated,
    DomainEvent::ActionRated {
        rag: Rag::Amber,
        arrow: Some(Direction::Improved),
    }
);
golden!(
    action_text_set,
    DomainEvent::ActionTextSet {
        field: scoreledger_domain::ActionText::Targets,
        before: Some(
            "10% reduction in overall contact and referrals which result in NFA by March 2010"
                .into()
        ),
        after: "reduction in overall contact and referrals which result in NFA by March 2010"
            .into(),
    }
);
golden!(
    action_completed,
    DomainEvent::ActionCompleted {
        on: NaiveDate::from_ymd_opt(2010, 8, 20).unwrap(),
    }
);
golden!(
    meeting_recorded,
    DomainEvent::MeetingRecorded {
        meeting_id: MeetingId(Uuid::from_u128(7)),
        body: "Overview and Scrutiny Management Board".into(),
        held_on: NaiveDate::from_ymd_opt(2017, 2, 17).unwrap(),
    }
);
golden!(
    agenda_item_added,
    DomainEvent::AgendaItemAdded {
        item: "7".into(),
        title: "Corporate Plan Quarter 3 Performance Report".into(),
        report_id: Some(ReportId(Uuid::from_u128(3))),
        exempt_paragraph: Some(3),
    }
);
golden!(
    decision_recorded,
    DomainEvent::DecisionRecorded {
        item: "7".into(),
        decision: "Resolved: that the report be noted.".into(),
    }
);
golden!(
    decision_called_in,
    DomainEvent::DecisionCalledIn {
        item: "7".into(),
        by: "Councillor Steele".into(),
    }
);
golden!(
    status_assessed,
    DomainEvent::StatusAssessed {
        period: Period::quarter(2016, 3),
        status: Status::Satisfactory,
        computed: Some(Status::OffTarget),
        rule_set_version: 1,
    }
);
golden!(
    rag_assessed,
    DomainEvent::RagAssessed {
        period: Period::quarter(2010, 1),
        rag: Rag::Amber,
        computed: Some(Rag::Green),
        rule_set_version: Some(1),
    }
);

/// A rating recorded before the rules' suggestion was kept beside it still reads, with none.
#[test]
fn a_rag_rating_without_its_suggestion_reads_with_none() {
    let payload = serde_json::json!({"period": "Q1 Apr - Jun 2010", "rag": "amber"});
    let read = DomainEvent::from_payload("RagAssessed", SchemaVersion::CURRENT, payload).unwrap();
    assert_eq!(
        read,
        DomainEvent::RagAssessed {
            period: Period::quarter(2010, 1),
            rag: Rag::Amber,
            computed: None,
            rule_set_version: None,
        }
    );
}
golden!(
    direction_assessed,
    DomainEvent::DirectionAssessed {
        period: Period::quarter(2016, 3),
        direction: Direction::Improved,
        computed: Some(Direction::Improved),
    }
);
golden!(
    commentary_edited,
    DomainEvent::CommentaryEdited {
        period: Period::quarter(2016, 3),
        text:
            "Rolling year indicator including data from the 12 months prior to 31st December 2016."
                .into(),
    }
);
golden!(
    narrative_edited,
    DomainEvent::NarrativeEdited {
        period: Period::quarter(2016, 3),
        text: "The percentage of children who have had a social care concern raised within 12 \
               months of the last concern ending is now at 25.3% against the target of 23%."
            .into(),
    }
);
golden!(
    basis_changed,
    DomainEvent::BasisChanged {
        kind: BasisKind::Definition,
        from: Period::quarter(2016, 3),
        note: "Definition change in PHOF. Data for 2013-15 and retrospective data revised. \
               2012-14 data as shown in Corporate Plan = 9.7"
            .into(),
        restated: true,
    }
);
golden!(
    refresh_announced,
    DomainEvent::RefreshAnnounced {
        period: Period::quarter(2016, 3),
        due: Period::quarter(2016, 4),
        note: "All performance shown for 2016-17 has now been taken from the new liquid logic \
               social care system ... all performance data will be refreshed for the end of \
               Qtr 4/outturn report."
            .into(),
    }
);
golden!(
    value_recorded_for_a_year_so_far,
    DomainEvent::ValueRecorded {
        period: Period::parse("2010/11 to 20 Aug 2010").expect("a year so far"),
        value: RecordedValue::parse("80.11%").expect("a value"),
        quality: DataQuality::default(),
    }
);
golden!(
    report_published,
    DomainEvent::ReportPublished {
        report_id: ReportId(Uuid::from_u128(3)),
        plan_id: plan(),
        kind: ReportKind::QuarterlyScorecard,
        period: Period::quarter(2016, 3),
        cut_off: Position(660),
        meeting: "Cabinet and Commissioners' Decision Making Meeting".into(),
        published_on: day(2017, 1, 13),
        rule_set_version: 1,
        sha256: "eefa9fcdbf9e3a07184673f9442e397317ea633490ed9ec8e029f072ef306331".into(),
        parts: vec![PartDigest {
            part: "summary".into(),
            sha256: "5797ad33a70102fc02432d44d2aefc17b2acd0671e4f714f499b6a8a96c47109".into(),
        }],
    }
);

#[test]
fn a_publication_stored_before_part_digests_still_reads() {
    let (event_type, mut payload) = DomainEvent::ReportPublished {
        report_id: ReportId(Uuid::from_u128(3)),
        plan_id: plan(),
        kind: ReportKind::QuarterlyScorecard,
        period: Period::quarter(2016, 2),
        cut_off: Position(477),
        meeting: "Cabinet".into(),
        published_on: day(2016, 11, 14),
        rule_set_version: 1,
        sha256: "ed674c38a7ef1d743eaedb26cbf9d2b0a9b4bc0d14ad75db2b22a52881ba9b1e".into(),
        parts: Vec::new(),
    }
    .to_payload();
    payload.as_object_mut().unwrap().remove("parts");
    let read = DomainEvent::from_payload(event_type, SchemaVersion::CURRENT, payload).unwrap();
    assert!(matches!(read, DomainEvent::ReportPublished { parts, .. } if parts.is_empty()));
}

#[test]
fn an_unknown_schema_version_is_refused_with_a_hint() {
    let (event_type, payload) = DomainEvent::RagAssessed {
        period: Period::quarter(2010, 1),
        rag: Rag::Red,
        computed: None,
        rule_set_version: None,
    }
    .to_payload();
    let err = DomainEvent::from_payload(event_type, SchemaVersion(2), payload).unwrap_err();
    assert!(err.to_string().contains("upgrade scoreledger"), "{err}");
}

golden!(
    period_locked,
    DomainEvent::PeriodLocked {
        period: Period::quarter(2016, 3)
    }
);
golden!(
    period_reopened,
    DomainEvent::PeriodReopened {
        period: Period::quarter(2016, 3)
    }
);

golden!(
    token_issued,
    DomainEvent::TokenIssued {
        token_id: TokenId(Uuid::from_u128(4)),
        user_id: "sam.newton".into(),
        name: "Sam Newton".into(),
        role: Role::Officer,
        directorate: Some("Adult Social Care and Housing".into()),
        secret_sha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08".into(),
        expires_on: Some(day(2017, 3, 31)),
    }
);
golden!(
    token_revoked,
    DomainEvent::TokenRevoked {
        token_id: TokenId(Uuid::from_u128(4)),
    }
);
golden!(
    access_recorded,
    DomainEvent::AccessRecorded {
        access_id: AccessId(Uuid::from_u128(5)),
        what: "GET /api/history?measure=2.B1".into(),
        measure_ref: Some("2.B1".into()),
    }
);
golden!(
    commit_set_aside,
    DomainEvent::CommitSetAside {
        set_aside_id: SetAsideId(Uuid::from_u128(6)),
        position: Position(41),
        problem: "event type ValueRecorded (schema version 1) has a malformed payload".into(),
    }
);
golden!(
    value_signed_off,
    DomainEvent::ValueSignedOff {
        period: Period::quarter(2016, 2),
        revision: 1,
    }
);
golden!(
    commentary_approved,
    DomainEvent::CommentaryApproved {
        period: Period::quarter(2016, 3),
    }
);
golden!(
    measure_withdrawn,
    DomainEvent::MeasureWithdrawn {
        from: Period::quarter(2016, 3),
    }
);
golden!(
    measure_reinstated,
    DomainEvent::MeasureReinstated {
        from: Period::quarter(2017, 1),
    }
);
golden!(
    measure_amended,
    DomainEvent::MeasureAmended {
        changes: vec![
            FieldChange {
                field: MeasureField::LeadOfficer,
                before: "Sam Newton".into(),
                after: "Jo Smith".into(),
            },
            FieldChange {
                field: MeasureField::PriorityMeasure,
                before: "yes".into(),
                after: "no".into(),
            },
        ],
    }
);
