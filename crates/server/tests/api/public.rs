//! The public pages, on every backend pair: anyone may read the published reports and the
//! meetings' public business without signing in; an agenda item considered in exempt session
//! (Schedule 12A) and a report such an item considered never appear there, while the internal
//! pages keep both.

use chrono::NaiveDate;
use reqwest::StatusCode;
use scoreledger_domain::event::ReportKind;
use scoreledger_domain::{Command, Period, ReportId, Role};
use scoreledger_projections::drain;
use scoreledger_testkit::pair::Pair;
use scoreledger_testkit::{pair_test, plan_id, uuid};

use crate::pages::{browser, page, sign_in};
use crate::queries::{history_with_a_restatement, performance, run, token};
use crate::support::TestServer;

const SECRET_TITLE: &str = "Waste PFI contract: terms of the variation";
const SECRET_DECISION: &str = "Resolved: that the variation be agreed at the figure reported";

/// A second publication of Q2, to the scrutiny board.
async fn publish_again(db: &Pair) -> ReportId {
    drain(&*db.store, &db.read, 100, |_| {}).await.unwrap();
    let q2 = Period::quarter(2016, 2);
    let cut_off = db.store.head().await.unwrap();
    let report = scoreledger_service::report_at(&db.read, q2, cut_off)
        .await
        .unwrap();
    let report_id = ReportId(uuid(51));
    run(
        db,
        &report_id.stream(),
        Command::PublishReport {
            report_id,
            plan_id: plan_id(1),
            kind: ReportKind::QuarterlyScorecard,
            period: q2,
            cut_off,
            meeting: "Overview and Scrutiny Management Board".into(),
            published_on: NaiveDate::from_ymd_opt(2016, 11, 18).unwrap(),
            rule_set_version: report.rule_set_version,
            sha256: report.sha256(),
            parts: report.part_digests(),
        },
        performance(),
        None,
    )
    .await;
    report_id
}

/// An agenda item: number, title, the report it considered, its exempt paragraph, its decision.
type Item<'a> = (
    &'a str,
    &'a str,
    Option<ReportId>,
    Option<u8>,
    Option<&'a str>,
);

/// A meeting with its items and decisions.
async fn meeting(db: &Pair, body: &str, day: (i32, u32, u32), items: &[Item<'_>]) {
    let held_on = NaiveDate::from_ymd_opt(day.0, day.1, day.2).unwrap();
    let meeting_id = scoreledger_store::meeting_id_for(body, held_on);
    let stream = meeting_id.stream();
    run(
        db,
        &stream,
        Command::RecordMeeting {
            meeting_id,
            body: body.into(),
            held_on,
        },
        performance(),
        None,
    )
    .await;
    for (item, title, report_id, exempt, decision) in items {
        let add = Command::AddAgendaItem {
            item: (*item).into(),
            title: (*title).into(),
            report_id: *report_id,
            exempt_paragraph: *exempt,
        };
        run(db, &stream, add, performance(), None).await;
        if let Some(decision) = decision {
            let decide = Command::RecordDecision {
                item: (*item).into(),
                decision: (*decision).into(),
            };
            run(db, &stream, decide, performance(), None).await;
        }
    }
}

pair_test!(
    exempt_items_and_the_reports_they_considered_never_appear_in_the_public_pages,
    |db| {
        history_with_a_restatement(&db).await;
        let public_report = ReportId(uuid(50));
        let exempt_report = publish_again(&db).await;
        meeting(
            &db,
            "Cabinet and Commissioners' Decision Making Meeting",
            (2016, 11, 14),
            &[
                (
                    "5",
                    "Corporate Plan Quarter 2 Performance Report",
                    Some(public_report),
                    None,
                    Some("Resolved: that the report be noted"),
                ),
                ("9", SECRET_TITLE, None, Some(3), Some(SECRET_DECISION)),
            ],
        )
        .await;
        meeting(
            &db,
            "Overview and Scrutiny Management Board",
            (2016, 11, 18),
            &[(
                "7",
                "Quarter 2 figures behind the contract",
                Some(exempt_report),
                Some(3),
                None,
            )],
        )
        .await;
        let performance = token(&db, 5, Role::Performance, None).await;
        drain(&*db.store, &db.read, 100, |_| {}).await.unwrap();
        let server = TestServer::start(&db).await;

        // Without signing in: the public business only.
        let public = browser().get(server.url("/public")).send().await.unwrap();
        assert_eq!(public.status(), StatusCode::OK);
        let body = public.text().await.unwrap();
        assert!(
            body.contains("Corporate Plan Quarter 2 Performance Report"),
            "{body}"
        );
        assert!(
            body.contains("Resolved: that the report be noted"),
            "{body}"
        );
        assert!(
            body.contains(&format!("/public/reports/{public_report}")),
            "{body}"
        );
        for secret in [
            SECRET_TITLE,
            SECRET_DECISION,
            "Quarter 2 figures behind the contract",
            &exempt_report.to_string(),
        ] {
            assert!(!body.contains(secret), "{secret} is public:\n{body}");
        }
        assert!(
            body.contains("Overview and Scrutiny Management Board"),
            "{body}"
        );
        assert!(body.contains("No public business recorded."), "{body}");

        let shown = browser()
            .get(server.url(&format!("/public/reports/{public_report}")))
            .send()
            .await
            .unwrap();
        assert_eq!(shown.status(), StatusCode::OK);
        let shown = shown.text().await.unwrap();
        assert!(shown.contains("2.B1") && shown.contains("112"), "{shown}");
        let pdf = browser()
            .get(server.url(&format!("/public/reports/{public_report}/pack.pdf")))
            .send()
            .await
            .unwrap();
        assert_eq!(pdf.status(), StatusCode::OK);
        assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF"));
        for path in [
            format!("/public/reports/{exempt_report}/pack.pdf"),
            "/public/reports/no-such-report".to_owned(),
        ] {
            let status = browser()
                .get(server.url(&path))
                .send()
                .await
                .unwrap()
                .status();
            assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        }
        let hidden = browser()
            .get(server.url(&format!("/public/reports/{exempt_report}")))
            .send()
            .await
            .unwrap();
        assert_eq!(hidden.status(), StatusCode::NOT_FOUND);
        let hidden = hidden.text().await.unwrap();
        assert!(!hidden.contains("Quarter 2 figures"), "{hidden}");

        // Signed in, the internal pages keep the exempt publication.
        let cookie = sign_in(&server, &performance).await;
        let (status, internal) = page(&server, &cookie, "/reports").await;
        assert_eq!(status, StatusCode::OK);
        assert!(internal.contains(&exempt_report.to_string()), "{internal}");
        server.stop().await;
    }
);
