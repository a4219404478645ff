//! The web pages on every backend pair, read over plain HTTP: signing in with a token, the
//! published report beside today's figures with its hash checked, the audit search's CSV,
//! and evidence packs that verify without Scoreledger. (The browser test in tests/e2e drives
//! the same pages in Chromium.)

use std::collections::BTreeMap;
use std::io::{Cursor, Read};

use chrono::NaiveDate;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use reqwest::redirect::Policy;
use reqwest::StatusCode;
use scoreledger_domain::target::TargetSpec;
use scoreledger_domain::{Command, Period, Role};
use scoreledger_projections::{drain, history, HistoryEntry, HistoryFilter};
use scoreledger_testkit::{measure_id, pair_test};
use sha2::{Digest, Sha256};

use crate::queries::{history_with_a_restatement, performance, run, token};
use crate::support::TestServer;

pub(crate) fn browser() -> reqwest::Client {
    // Redirects are followed by hand so their targets and cookies can be checked.
    reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap()
}

/// Signs in through the form; returns the `Cookie` header value to send afterwards.
pub(crate) async fn sign_in(server: &TestServer, secret: &str) -> String {
    let response = browser()
        .post(server.url("/signin"))
        .header("origin", &server.base)
        .form(&[("token", secret), ("next", "/reports")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()[LOCATION], "/reports");
    let cookie = response.headers()[SET_COOKIE].to_str().unwrap().to_owned();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Strict"), "{cookie}");
    cookie.split(';').next().unwrap().to_owned()
}

pub(crate) async fn page(server: &TestServer, cookie: &str, path: &str) -> (StatusCode, String) {
    let response = browser()
        .get(server.url(path))
        .header(COOKIE, cookie)
        .send()
        .await
        .unwrap();
    (response.status(), response.text().await.unwrap())
}

async fn download(server: &TestServer, cookie: &str, path: &str) -> Vec<u8> {
    let response = browser()
        .get(server.url(path))
        .header(COOKIE, cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    response.bytes().await.unwrap().to_vec()
}

/// The files of a zip, by name.
fn unzip(bytes: Vec<u8>) -> BTreeMap<String, Vec<u8>> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip");
    (0..archive.len())
        .map(|i| {
            let mut file = archive.by_index(i).unwrap();
            let mut contents = Vec::new();
            file.read_to_end(&mut contents).unwrap();
            (file.name().unwrap().to_string(), contents)
        })
        .collect()
}

/// What `sha256sum -c SHA256SUMS` checks: every file listed, with the hash listed.
fn assert_sums_verify(files: &BTreeMap<String, Vec<u8>>) {
    let sums = String::from_utf8(files["SHA256SUMS"].clone()).unwrap();
    let mut listed = 0;
    for line in sums.lines() {
        let (hash, name) = line.split_once("  ").expect("sha256sum format");
        assert_eq!(
            hex::encode(Sha256::digest(&files[name])),
            hash,
            "{name} is as packed"
        );
        listed += 1;
    }
    assert_eq!(
        listed,
        files.len() - 1,
        "every file but SHA256SUMS is listed"
    );
}

/// Each commit's `prev_hash` is the `hash` of the previous commit of its stream (64 zeros
/// for a stream's first).
fn assert_chained(commits_jsonl: &[u8]) -> usize {
    let mut last: BTreeMap<String, String> = BTreeMap::new();
    let mut count = 0;
    for line in std::str::from_utf8(commits_jsonl).unwrap().lines() {
        let commit: serde_json::Value = serde_json::from_str(line).unwrap();
        let stream = commit["stream"].as_str().unwrap().to_owned();
        let previous = last.get(&stream).cloned().unwrap_or_else(|| "0".repeat(64));
        assert_eq!(commit["prev_hash"].as_str().unwrap(), previous, "{line}");
        last.insert(stream, commit["hash"].as_str().unwrap().to_owned());
        count += 1;
    }
    count
}

/// The reads of the history recorded in the log, as projected.
async fn recorded_reads(db: &scoreledger_testkit::pair::Pair) -> Vec<HistoryEntry> {
    history(
        &db.read,
        &HistoryFilter {
            what: vec!["history read".into()],
            ..HistoryFilter::default()
        },
    )
    .await
    .unwrap()
}

pair_test!(
    pages_need_a_signed_in_token_and_send_nobody_elsewhere,
    |db| {
        history_with_a_restatement(&db).await;
        let auditor = token(&db, 1, Role::Auditor, None).await;
        let expired = token(&db, 2, Role::Auditor, NaiveDate::from_ymd_opt(2017, 1, 12)).await;
        drain(&*db.store, &db.read, 100, |_| {}).await.unwrap();
        let server = TestServer::start(&db).await;

        // A stranger is sent to sign in, and brought back afterwards.
        let response = browser()
            .get(server.url("/audit?measure=2.B1"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            response.headers()[LOCATION],
            "/signin?next=%2Faudit%3Fmeasure%3D2.B1"
        );

        // A bad or expired token is refused on the form, and no cookie is set.
        for (secret, why) in [("slt_nobody", "not known"), (expired.as_str(), "expired")] {
            let response = browser()
                .post(server.url("/signin"))
                .header("origin", &server.base)
                .form(&[("token", secret)])
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
            assert!(response.headers().get(SET_COOKIE).is_none());
            let body = response.text().await.unwrap();
            assert!(body.contains("That token was not accepted"), "{body}");
            assert!(body.contains(why), "{body}");
        }

        // A sign-in posted from another site's page is refused (login CSRF): a foreign
        // Origin, or without one a cross-site fetch or referrer, or no proof at all.
        let own_page = server.url("/signin");
        for proof in [
            vec![("origin", "https://evil.example")],
            vec![("origin", "null")],
            vec![("sec-fetch-site", "cross-site")],
            vec![("referer", "https://evil.example/login.html")],
            vec![],
        ] {
            let mut request = browser().post(server.url("/signin"));
            for (name, value) in &proof {
                request = request.header(*name, *value);
            }
            let response = request
                .form(&[("token", auditor.as_str())])
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::FORBIDDEN, "{proof:?}");
            assert!(response.headers().get(SET_COOKIE).is_none(), "{proof:?}");
        }
        // Without an Origin, fetch metadata or a referrer on this site is proof enough.
        for (name, value) in [
            ("sec-fetch-site", "same-origin"),
            ("referer", own_page.as_str()),
        ] {
            let response = browser()
                .post(server.url("/signin"))
                .header(name, value)
                .form(&[("token", auditor.as_str())])
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::SEE_OTHER, "{name}");
        }

        // Only a path on this site is followed after signing in.
        let response = browser()
            .post(server.url("/signin"))
            .header("origin", &server.base)
            .form(&[("token", auditor.as_str()), ("next", "//evil.example/")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.headers()[LOCATION], "/scorecard");

        // A tab in the address would be dropped by the browser, turning a path into another site.
        let form = browser()
            .get(server.url("/signin?next=/%09/evil.example"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            form.contains("name=\"next\" value=\"/scorecard\""),
            "{form}"
        );

        // A signed-in page names who is reading; signing out forgets the cookie.
        let cookie = sign_in(&server, &auditor).await;
        let (status, body) = page(&server, &cookie, "/reports").await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            body.contains("Signed in as <strong>User 1</strong> (auditor)"),
            "{body}"
        );
        let headers = browser()
            .get(server.url("/reports"))
            .header(COOKIE, &cookie)
            .send()
            .await
            .unwrap()
            .headers()
            .clone();
        let policy = headers["content-security-policy"].to_str().unwrap();
        assert!(policy.contains("default-src 'none'") && policy.contains("frame-ancestors 'none'"));
        assert_eq!(headers["cache-control"], "no-store");
        // Signing out is a form too: another site cannot sign the reader out.
        for foreign in [
            ("origin", "https://evil.example"),
            ("sec-fetch-site", "cross-site"),
        ] {
            let response = browser()
                .post(server.url("/signout"))
                .header(COOKIE, &cookie)
                .header(foreign.0, foreign.1)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::FORBIDDEN, "{foreign:?}");
            assert!(response.headers().get(SET_COOKIE).is_none());
        }
        let response = browser()
            .post(server.url("/signout"))
            .header(COOKIE, &cookie)
            .header("origin", &server.base)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let cleared = response.headers()[SET_COOKIE].to_str().unwrap();
        assert!(cleared.contains("Max-Age=0"), "{cleared}");
        // The session ended on the server: the old cookie is sent to sign in.
        let (status, _) = page(&server, &cookie, "/reports").await;
        assert_eq!(status, StatusCode::SEE_OTHER);

        // Page errors are pages that say what to do.
        let cookie = sign_in(&server, &auditor).await;
        let (status, body) = page(&server, &cookie, "/scorecard?period=Q9+2016").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("role=\"alert\""), "{body}");
        let (status, _) = page(&server, &cookie, "/measures/9.Z9").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, body) = page(&server, &cookie, "/audit?since=yesterday").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("YYYY-MM-DD"), "{body}");
        server.stop().await;
    }
);

pair_test!(
    a_target_edit_is_shown_word_by_word_on_the_measure_page,
    |db| {
        history_with_a_restatement(&db).await;
        let target = |text: &str| Command::SetTarget {
            period: Period::financial_year(2016),
            target: TargetSpec::parse(text).unwrap(),
        };
        let stream = measure_id(1).stream();
        let before = "10% reduction in overall contact and referrals which result in NFA";
        run(&db, &stream, target(before), performance(), Some("set")).await;
        let after = "reduction in overall contact and referrals which result in NFA";
        run(
            &db,
            &stream,
            target(after),
            performance(),
            Some("no 10% was agreed"),
        )
        .await;
        let auditor = token(&db, 1, Role::Auditor, None).await;
        drain(&*db.store, &db.read, 100, |_| {}).await.unwrap();
        let server = TestServer::start(&db).await;
        let cookie = sign_in(&server, &auditor).await;
        let (status, body) = page(&server, &cookie, "/measures/2.B1").await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            body.contains("<del>10%</del><del> </del>reduction in overall contact"),
            "{body}"
        );
        // A value's change is shown whole, not word by word.
        assert!(body.contains("<del>112</del> → <ins>95</ins>"), "{body}");
        server.stop().await;
    }
);

pair_test!(
    a_published_report_is_shown_beside_today_with_evidence_that_verifies,
    |db| {
        history_with_a_restatement(&db).await;
        let auditor = token(&db, 1, Role::Auditor, None).await;
        drain(&*db.store, &db.read, 100, |_| {}).await.unwrap();
        let reads_before = recorded_reads(&db).await.len();
        let server = TestServer::start(&db).await;
        let cookie = sign_in(&server, &auditor).await;

        // The report as published beside today's figures: the hash checked, 112 → 95 marked.
        let (status, body) = page(&server, &cookie, "/reports/Q2%202016%2F17").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let publication = &scoreledger_projections::all_publications(&db.read)
            .await
            .unwrap()[0];
        assert!(body.contains("Hash verified."), "{body}");
        assert!(body.contains(&publication.sha256), "{body}");
        assert!(
        body.contains("<td class=\"restated\"><mark class=\"restated\"><del>112</del></mark><br><span>now <ins>95"),
        "{body}"
    );
        assert!(
            body.contains("completed enquiries, not those started"),
            "{body}"
        );

        // The evidence pack of the report: sums verify, report.json is the published hash,
        // and the commits up to the cut-off chain stream by stream.
        let files = unzip(download(&server, &cookie, "/reports/Q2%202016%2F17/evidence.zip").await);
        assert_sums_verify(&files);
        assert_eq!(
            hex::encode(Sha256::digest(&files["report.json"])),
            publication.sha256
        );
        assert_eq!(
            assert_chained(&files["commits.jsonl"]),
            publication.position as usize
        );
        let last: serde_json::Value = serde_json::from_str(
            std::str::from_utf8(&files["commits.jsonl"])
                .unwrap()
                .lines()
                .last()
                .unwrap(),
        )
        .unwrap();
        assert_eq!(last["events"][0]["type"], "ReportPublished");
        assert_eq!(
            last["events"][0]["payload"]["sha256"].as_str(),
            Some(publication.sha256.as_str())
        );
        let restated: serde_json::Value =
            serde_json::from_slice(&files["restatements.json"]).unwrap();
        assert_eq!(
            restated["restatements"][0]["now"],
            "95 (revised; first published 112)"
        );
        assert!(String::from_utf8_lossy(&files["README.txt"]).contains("sha256sum -c SHA256SUMS"));
        // This log signs nothing: no checkpoint, keys or proofs, and the README says so.
        for signed in ["checkpoint.txt", "keys.txt", "proofs.jsonl"] {
            assert!(!files.contains_key(signed), "{signed}");
        }
        let manifest: serde_json::Value = serde_json::from_slice(&files["manifest.json"]).unwrap();
        assert_eq!(
            manifest,
            serde_json::json!({"format": 1, "signed_from": null, "keys": []})
        );
        assert!(String::from_utf8_lossy(&files["README.txt"]).contains(
            "No signed checkpoint of the log covers these commits (the log does not sign)"
        ));

        // The evidence pack of the measure: its own stream's commits, its history.
        let files = unzip(download(&server, &cookie, "/measures/2.B1/evidence.zip").await);
        assert_sums_verify(&files);
        assert_eq!(
            assert_chained(&files["commits.jsonl"]),
            3,
            "defined, recorded, revised"
        );
        let csv = String::from_utf8(files["history.csv"].clone()).unwrap();
        assert!(csv.starts_with("position,seq,recorded_at,"), "{csv}");

        // The audit search and its CSV export.
        let (status, body) = page(&server, &cookie, "/audit?measure=2.B1&revisions=on").await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("<del>112</del> → <ins>95</ins>"), "{body}");
        assert!(
            body.contains("href=\"/audit.csv?measure=2.B1&amp;revisions=on\""),
            "{body}"
        );
        let csv = String::from_utf8(
            download(&server, &cookie, "/audit.csv?measure=2.B1&revisions=on").await,
        )
        .unwrap();
        assert_eq!(
            csv.lines().count(),
            2,
            "a header and the one revision: {csv}"
        );
        assert!(
            csv.contains("Sam Newton") && csv.contains(",112,95,"),
            "{csv}"
        );

        // The measure page: its chart and its history.
        let (status, body) = page(&server, &cookie, "/measures/2.B1").await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("<svg class=\"trend\""), "{body}");

        // Each read of the history above left a trace: report page, two evidence packs, the
        // audit page, its CSV and the measure page.
        server.stop().await;
        drain(&*db.store, &db.read, 100, |_| {}).await.unwrap();
        let reads = recorded_reads(&db).await;
        assert_eq!(reads.len() - reads_before, 6, "{reads:#?}");
        assert!(reads.iter().all(|r| r.actor_name == "User 1"));
    }
);

pair_test!(
    a_report_the_read_models_no_longer_reproduce_is_flagged_and_not_packed,
    |db| {
        history_with_a_restatement(&db).await;
        let auditor = token(&db, 1, Role::Auditor, None).await;
        drain(&*db.store, &db.read, 100, |_| {}).await.unwrap();
        sqlx::query(
        "UPDATE values_history SET value = REPLACE(value, '\"raw\":\"112\"', '\"raw\":\"999\"') WHERE raw = '112'",
    )
    .execute(db.read.pool())
    .await
    .unwrap();
        let server = TestServer::start(&db).await;
        let cookie = sign_in(&server, &auditor).await;
        let (status, body) = page(&server, &cookie, "/reports/Q2%202016%2F17").await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("Hash NOT verified."), "{body}");
        assert!(body.contains("first differing part: 2.B1"), "{body}");
        let response = browser()
            .get(server.url("/reports/Q2%202016%2F17/evidence.zip"))
            .header(COOKIE, &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        server.stop().await;
    }
);

pair_test!(two_publications_are_compared_measure_by_measure, |db| {
    use scoreledger_domain::event::ReportKind;
    use scoreledger_domain::{Command, Period, ReportId};

    // Q2 published to Cabinet with 112, revised to 95, then published again to the
    // scrutiny board: the second publication's figure is the restated one.
    let (plan, _) = history_with_a_restatement(&db).await;
    drain(&*db.store, &db.read, 100, |_| {}).await.unwrap();
    let q2 = Period::quarter(2016, 2);
    let cut_off = db.store.head().await.unwrap();
    let report = scoreledger_service::report_at(&db.read, q2, cut_off)
        .await
        .unwrap();
    let second = ReportId(scoreledger_testkit::uuid(51));
    crate::queries::run(
        &db,
        &second.stream(),
        Command::PublishReport {
            report_id: second,
            plan_id: plan,
            kind: ReportKind::QuarterlyScorecard,
            period: q2,
            cut_off,
            meeting: "Overview and Scrutiny Management Board".into(),
            published_on: NaiveDate::from_ymd_opt(2016, 12, 5).unwrap(),
            rule_set_version: report.rule_set_version,
            sha256: report.sha256(),
            parts: report.part_digests(),
        },
        crate::queries::performance(),
        None,
    )
    .await;
    let auditor = token(&db, 1, Role::Auditor, None).await;
    drain(&*db.store, &db.read, 100, |_| {}).await.unwrap();
    let first = scoreledger_projections::all_publications(&db.read)
        .await
        .unwrap()[0]
        .report_id
        .clone();
    let server = TestServer::start(&db).await;
    let cookie = sign_in(&server, &auditor).await;

    // The report page leads to the comparison, whose form offers the other publication.
    let (status, body) = page(&server, &cookie, &format!("/reports/{first}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        body.contains(&format!("href=\"/reports/{first}/compare\"")),
        "{body}"
    );
    let (status, body) = page(&server, &cookie, &format!("/reports/{first}/compare")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        body.contains(&format!("<option value=\"{second}\">")),
        "{body}"
    );
    assert!(
        body.contains("Overview and Scrutiny Management Board"),
        "{body}"
    );

    // Measure by measure: the value 112 → 95, marked; whichever report the page is of,
    // the earlier publication comes first.
    for (of, with) in [
        (first.clone(), second.to_string()),
        (second.to_string(), first.clone()),
    ] {
        let (status, body) = page(
            &server,
            &cookie,
            &format!("/reports/{of}/compare?with={with}&changed=on"),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(
            body.contains("<td class=\"restated\"><del>112</del> → <ins>95"),
            "{body}"
        );
        assert!(
            body.contains("1 measure(s) changed, shown below."),
            "{body}"
        );
    }

    // A publication that does not exist is a page that says so.
    let (status, body) = page(
        &server,
        &cookie,
        &format!("/reports/{first}/compare?with=nonesuch"),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    server.stop().await;
});

/// The restated history's 2.B1 (CYPS, Mel Meggs) and a measure 2.B2 of Adult Social Care and
/// Housing (Nathan Atkinson), the directorate of the officers' tokens `token` issues.
pub(crate) async fn two_directorates(db: &scoreledger_testkit::pair::Pair) {
    use scoreledger_domain::{Command, Polarity};
    use scoreledger_testkit::{measure_definition, measure_id};

    let (plan, _) = history_with_a_restatement(db).await;
    let mut definition = measure_definition(plan, "2.B2", Polarity::High);
    definition.directorate = "Adult Social Care and Housing".into();
    definition.lead_officer = "Nathan Atkinson".into();
    let second = measure_id(2);
    crate::queries::run(
        db,
        &second.stream(),
        Command::DefineMeasure {
            measure_id: second,
            definition,
            target: None,
        },
        crate::queries::performance(),
        None,
    )
    .await;
}

pair_test!(
    the_chase_list_shows_what_each_measure_lacks_by_directorate,
    |db| {
        // 2.B1 (CYPS) has Q2's value, entered by the performance team and not signed off; 2.B2
        // (Adult Social Care and Housing) has nothing for Q2.
        two_directorates(&db).await;
        let performance = token(&db, 1, Role::Performance, None).await;
        let officer = token(&db, 2, Role::Officer, None).await;
        let server = TestServer::start(&db).await;

        let cookie = sign_in(&server, &performance).await;
        let (status, form) = page(&server, &cookie, "/chase").await;
        assert_eq!(status, StatusCode::OK);
        assert!(form.contains("Choose the period being reported"), "{form}");
        let (status, body) = page(&server, &cookie, "/chase?period=Q2+2016%2F17").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let rows = |body: &str| -> Vec<String> {
            body.split("<tr>")
                .skip(1)
                .filter(|row| row.contains("<td>"))
                .map(|row| {
                    row.split("<td")
                        .skip(1)
                        .map(|cell| {
                            let text = cell.split_once('>').map_or("", |(_, t)| t);
                            let mut plain = String::new();
                            let mut inside = false;
                            for c in text.split("</td>").next().unwrap_or("").chars() {
                                match c {
                                    '<' => inside = true,
                                    '>' => inside = false,
                                    c if !inside => plain.push(c),
                                    _ => {}
                                }
                            }
                            plain.split_whitespace().collect::<Vec<_>>().join(" ")
                        })
                        .collect::<Vec<_>>()
                        .join(" | ")
                })
                .collect()
        };
        assert_eq!(
        rows(&body),
        [
            "Nathan Atkinson | 2.B2 Measure 2.B2 | value | Q2 Jul - Sep 2016 | 2016-10-14 overdue",
            "Nathan Atkinson | 2.B2 Measure 2.B2 | data note | Q2 Jul - Sep 2016 | 2016-10-14 overdue",
            "Nathan Atkinson | 2.B2 Measure 2.B2 | status | Q2 Jul - Sep 2016 | 2016-10-14 overdue",
            "Nathan Atkinson | 2.B2 Measure 2.B2 | direction of travel | Q2 Jul - Sep 2016 | 2016-10-14 overdue",
            "Mel Meggs | 2.B1 Measure 2.B1 | sign-off of the value | Q2 Jul - Sep 2016 | 2016-10-14 overdue",
            "Mel Meggs | 2.B1 Measure 2.B1 | data note | Q2 Jul - Sep 2016 | 2016-10-14 overdue",
            "Mel Meggs | 2.B1 Measure 2.B1 | status | Q2 Jul - Sep 2016 | 2016-10-14 overdue",
            "Mel Meggs | 2.B1 Measure 2.B1 | direction of travel | Q2 Jul - Sep 2016 | 2016-10-14 overdue",
        ]
    );
        assert!(
            body.contains("<h2>Adult Social Care and Housing</h2>"),
            "{body}"
        );
        assert!(body.contains("<h2>CYPS</h2>"), "{body}");

        // An officer sees their own directorate's, whatever the address asks for.
        let cookie = sign_in(&server, &officer).await;
        let (status, body) = page(
            &server,
            &cookie,
            "/chase?period=Q2+2016%2F17&directorate=CYPS",
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(rows(&body).iter().all(|row| row.contains("2.B2")), "{body}");
        assert!(!body.contains("<h2>CYPS</h2>"), "{body}");
        let (status, _) = page(&server, &cookie, "/chase?period=Q2+2019%2F20").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        server.stop().await;
    }
);

/// The value of a form's hidden field `name` on `page`.
pub(crate) fn hidden(page: &str, name: &str) -> String {
    let marker = format!(r#"name="{name}" value=""#);
    let start = page
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in:\n{page}"))
        + marker.len();
    page[start..].split('"').next().unwrap().to_owned()
}

pair_test!(
    an_officer_enters_a_value_and_a_note_on_the_measure_s_page,
    |db| {
        two_directorates(&db).await;
        let officer = token(&db, 2, Role::Officer, None).await;
        let server = TestServer::start(&db).await;
        let cookie = sign_in(&server, &officer).await;

        let (status, form) = page(&server, &cookie, "/measures/2.B2").await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            form.contains(r#"action="/measures/2.B2/entries""#),
            "{form}"
        );
        let fields = |version: &str, key: &str| {
            vec![
                ("period".to_owned(), "Q3 2016/17".to_owned()),
                ("value".to_owned(), "27.5%".to_owned()),
                ("note".to_owned(), "From Liquid Logic".to_owned()),
                ("version".to_owned(), version.to_owned()),
                ("key".to_owned(), key.to_owned()),
            ]
        };
        let (version, key) = (hidden(&form, "version"), hidden(&form, "key"));
        let post = |fields: Vec<(String, String)>, origin: Option<String>| {
            let mut request = browser()
                .post(server.url("/measures/2.B2/entries"))
                .header(COOKIE, &cookie)
                .form(&fields);
            if let Some(origin) = origin {
                request = request.header("origin", origin);
            }
            request.send()
        };
        let head = db.store.head().await.unwrap();

        // From another site's page: refused, nothing appended.
        let forged = post(fields(&version, &key), Some("http://evil.example".into()))
            .await
            .unwrap();
        assert_eq!(forged.status(), StatusCode::FORBIDDEN);
        assert_eq!(db.store.head().await.unwrap(), head);

        let entered = post(fields(&version, &key), Some(server.base.clone()))
            .await
            .unwrap();
        assert_eq!(entered.status(), StatusCode::SEE_OTHER);
        let location = entered.headers()[LOCATION].to_str().unwrap().to_owned();
        assert!(
            location.starts_with("/measures/2.B2?entered="),
            "{location}"
        );
        let (status, after) = page(&server, &cookie, &location).await;
        assert_eq!(status, StatusCode::OK, "{after}");
        assert!(
            after.contains("Entered: your change is in the log at position"),
            "{after}"
        );
        assert!(
            after.contains("27.5%") && after.contains("From Liquid Logic"),
            "{after}"
        );

        // The same form sent again lands nothing new; a form drawn before the entry conflicts.
        let head = db.store.head().await.unwrap();
        let again = post(fields(&version, &key), Some(server.base.clone()))
            .await
            .unwrap();
        assert_eq!(
            again.status(),
            StatusCode::SEE_OTHER,
            "{:?}",
            again.text().await
        );
        assert_eq!(again.headers()[LOCATION].to_str().unwrap(), location);
        assert_eq!(db.store.head().await.unwrap(), head);
        let stale = post(fields(&version, "another-key"), Some(server.base.clone()))
            .await
            .unwrap();
        assert_eq!(stale.status(), StatusCode::CONFLICT);
        assert!(stale
            .text()
            .await
            .unwrap()
            .contains("someone changed it since you read it"));

        // Another directorate's measure: no form, and a post is refused.
        let (_, other) = page(&server, &cookie, "/measures/2.B1").await;
        assert!(!other.contains("/entries"), "{other}");
        // (Reading the page recorded the read.)
        let head = db.store.head().await.unwrap();
        let refused = browser()
            .post(server.url("/measures/2.B1/entries"))
            .header(COOKIE, &cookie)
            .header("origin", &server.base)
            .form(&fields("1", "k"))
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        assert_eq!(db.store.head().await.unwrap(), head);
        server.stop().await;
    }
);

pair_test!(
    an_approver_signs_off_from_the_queue_and_never_sees_their_own,
    |db| {
        use scoreledger_domain::{Actor, Command, DataQuality, Period, RecordedValue};
        use scoreledger_testkit::measure_id;

        // 2.B1's Q2 value was last revised by Sam Newton; its Q3 value is entered by an admin.
        history_with_a_restatement(&db).await;
        let approver = token(&db, 3, Role::Approver, None).await;
        let admin = token(&db, 4, Role::Admin, None).await;
        let performance = token(&db, 5, Role::Performance, None).await;
        crate::queries::run(
            &db,
            &measure_id(1).stream(),
            Command::RecordValue {
                period: Period::quarter(2016, 3),
                value: RecordedValue::parse("101").unwrap(),
                quality: DataQuality::default(),
            },
            Actor::new("user4", "User 4", Role::Admin),
            None,
        )
        .await;
        let server = TestServer::start(&db).await;

        let cookie = sign_in(&server, &performance).await;
        let (status, _) = page(&server, &cookie, "/approvals?period=Q2+2016%2F17").await;
        assert_eq!(status, StatusCode::FORBIDDEN);

        let cookie = sign_in(&server, &approver).await;
        let (status, queue) = page(&server, &cookie, "/approvals?period=Q2+2016%2F17").await;
        assert_eq!(status, StatusCode::OK, "{queue}");
        assert!(
            queue.contains("sign-off of the value") && queue.contains("sam.newton"),
            "{queue}"
        );
        let key = hidden(&queue, "key");
        let sign_off = |cookie: String, key: String| {
            browser()
                .post(server.url("/approvals?period=Q2+2016%2F17"))
                .header(COOKIE, cookie)
                .header("origin", &server.base)
                .form(&[
                    ("measure", "2.B1"),
                    ("period", "Q2 2016/17"),
                    ("what", "value"),
                    ("key", key.as_str()),
                ])
                .send()
        };
        let checked = sign_off(cookie.clone(), key.clone()).await.unwrap();
        assert_eq!(checked.status(), StatusCode::SEE_OTHER);
        let location = checked.headers()[LOCATION].to_str().unwrap().to_owned();
        assert!(
            location.starts_with("/approvals?period=Q2%202016%2F17&checked="),
            "{location}"
        );
        let head = db.store.head().await.unwrap();
        let again = sign_off(cookie.clone(), key).await.unwrap();
        assert_eq!(again.headers()[LOCATION].to_str().unwrap(), location);
        assert_eq!(
            db.store.head().await.unwrap(),
            head,
            "pressed twice, checked once"
        );
        let (_, after) = page(&server, &cookie, &location).await;
        assert!(after.contains("Checked: in the log at position"), "{after}");
        assert!(!after.contains("sign-off of the value"), "{after}");

        // The admin's own Q3 figure waits for someone else; the approver sees it.
        let (_, approvers) = page(&server, &cookie, "/approvals?period=Q3+2016%2F17").await;
        assert!(approvers.contains("user4"), "{approvers}");
        let cookie = sign_in(&server, &admin).await;
        let (_, own) = page(&server, &cookie, "/approvals?period=Q3+2016%2F17").await;
        assert!(!own.contains("<td>user4</td>"), "{own}");
        assert!(
            own.contains("1 entered by you wait for another approver"),
            "{own}"
        );
        server.stop().await;
    }
);

pair_test!(
    the_performance_team_assesses_with_the_rules_suggestion_beside_the_form,
    |db| {
        history_with_a_restatement(&db).await;
        let performance = token(&db, 5, Role::Performance, None).await;
        let officer = token(&db, 2, Role::Officer, None).await;
        let server = TestServer::start(&db).await;
        let cookie = sign_in(&server, &performance).await;

        let (status, chooser) = page(&server, &cookie, "/measures/2.B1").await;
        assert_eq!(status, StatusCode::OK);
        assert!(chooser.contains(r#"name="assess""#), "{chooser}");
        let (status, form) = page(&server, &cookie, "/measures/2.B1?assess=Q2+2016%2F17").await;
        assert_eq!(status, StatusCode::OK, "{form}");
        assert!(
            form.contains("The figure for Q2 Jul - Sep 2016 is <strong>95</strong>"),
            "{form}"
        );
        assert!(form.contains("the direction <strong>"), "{form}");
        let (version, key) = (hidden(&form, "version"), hidden(&form, "key"));
        let assess = |key: String| {
            browser()
                .post(server.url("/measures/2.B1/assessments"))
                .header(COOKIE, &cookie)
                .header("origin", &server.base)
                .form(&[
                    ("period", "Q2 2016/17"),
                    ("status", "off_target"),
                    ("direction", "worse"),
                    ("reason", "judged at the clinic"),
                    ("version", version.as_str()),
                    ("key", key.as_str()),
                ])
                .send()
        };
        let assessed = assess(key.clone()).await.unwrap();
        assert_eq!(
            assessed.status(),
            StatusCode::SEE_OTHER,
            "{:?}",
            assessed.text().await
        );
        let location = assessed.headers()[LOCATION].to_str().unwrap().to_owned();
        let head = db.store.head().await.unwrap();
        let again = assess(key).await.unwrap();
        assert_eq!(again.headers()[LOCATION].to_str().unwrap(), location);
        assert_eq!(
            db.store.head().await.unwrap(),
            head,
            "sent twice, assessed once"
        );
        let (_, after) = page(&server, &cookie, &location).await;
        assert!(
            after.contains("off_target") && after.contains("judged at the clinic"),
            "{after}"
        );

        // Officers do not assess.
        let cookie = sign_in(&server, &officer).await;
        let (_, theirs) = page(&server, &cookie, "/measures/2.B1?assess=Q2+2016%2F17").await;
        assert!(!theirs.contains("/assessments"), "{theirs}");
        let refused = browser()
            .post(server.url("/measures/2.B1/assessments"))
            .header(COOKIE, &cookie)
            .header("origin", &server.base)
            .form(&[
                ("period", "Q2 2016/17"),
                ("status", "on_target"),
                ("version", "1"),
                ("key", "k"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        server.stop().await;
    }
);
