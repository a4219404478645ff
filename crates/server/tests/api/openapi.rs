//! The OpenAPI document is valid OpenAPI 3.1, and what the service really answers matches the
//! schemas the document declares for it, on every backend pair.
//!
//! The official schema is vendored in `tests/schemas/openapi-3.1.json` (see the README there for
//! where it came from), so nothing is fetched. Response schemas are checked closed-world: every
//! documented object is treated as if it had `additionalProperties: false`, so a field serde
//! emits that the schema does not name fails as surely as a missing or mistyped one.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use scoreledger_domain::target::TargetSpec;
use scoreledger_domain::{Command, DataQuality, Direction, Period, RecordedValue, Role, Status};
use scoreledger_testkit::measure_id;
use scoreledger_testkit::pair::Pair;
use scoreledger_testkit::pair_test;
use serde_json::{json, Map, Value};

use crate::pages::sign_in;
use crate::queries::{history_with_a_restatement, performance, run, token};
use crate::support::TestServer;

/// The official OpenAPI 3.1 schema (2022-10-07).
const OPENAPI_3_1: &str = include_str!("../schemas/openapi-3.1.json");

/// Every error `validator` finds in `instance`, one line each.
fn errors(validator: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    validator
        .iter_errors(instance)
        .map(|err| format!("at {}: {err}", err.instance_path()))
        .collect()
}

/// `schema` with every object that lists `properties` closed to others.
fn closed(schema: &Value) -> Value {
    match schema {
        Value::Object(fields) => {
            let mut closed: Map<String, Value> =
                fields.iter().map(|(k, v)| (k.clone(), closed(v))).collect();
            if closed.contains_key("properties") && !closed.contains_key("additionalProperties") {
                closed.insert("additionalProperties".into(), Value::Bool(false));
            }
            Value::Object(closed)
        }
        Value::Array(items) => Value::Array(items.iter().map(closed).collect()),
        other => other.clone(),
    }
}

/// The schema `document` declares for a 200 answer to `GET path`, with the document's
/// components beside it so its `$ref`s (`#/components/schemas/…`) resolve, and whether the
/// body is JSON.
fn declared_200(document: &Value, path: &str) -> (Value, bool) {
    let content = &document["paths"][path]["get"]["responses"]["200"]["content"];
    let (media_type, body) = content
        .as_object()
        .and_then(|c| c.iter().next())
        .unwrap_or_else(|| panic!("GET {path} documents no 200 body"));
    let mut schema = closed(&body["schema"]);
    let fields = schema.as_object_mut().expect("a schema object");
    fields.insert(
        "$schema".into(),
        json!("https://json-schema.org/draft/2020-12/schema"),
    );
    fields.insert("components".into(), closed(&document["components"]));
    (schema, media_type.ends_with("json"))
}

/// Asserts that the body of a 200 answer to `GET path` (as documented) matches the schema the
/// document declares for it.
#[track_caller]
fn check(document: &Value, path: &str, body: &str) {
    let (schema, json) = declared_200(document, path);
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap_or_else(|err| panic!("GET {path}: the declared schema does not compile: {err}"));
    let instance = if json {
        serde_json::from_str(body).unwrap_or_else(|err| panic!("GET {path}: not JSON: {err}"))
    } else {
        Value::String(body.to_owned())
    };
    let found = errors(&validator, &instance);
    assert!(
        found.is_empty(),
        "GET {path}: the answer does not match its documented schema:\n{}\n\nanswer: {instance:#}",
        found.join("\n")
    );
}

async fn fetch(server: &TestServer, url: &str, secret: &str) -> String {
    let response = reqwest::Client::new()
        .get(server.url(url))
        .bearer_auth(secret)
        .send()
        .await
        .expect("the server answers");
    let status = response.status();
    let body = response.text().await.unwrap();
    assert_eq!(status, reqwest::StatusCode::OK, "GET {url}: {body}");
    body
}

async fn document(server: &TestServer) -> Value {
    reqwest::get(server.url("/openapi.json"))
        .await
        .expect("the server answers")
        .json()
        .await
        .expect("a JSON document")
}

/// The restatement fixture, plus every kind of fact a measure view and a report carry: a
/// target, a status with the rules' suggestion, a direction, a note, a change of accountability
/// and values with fractions and qualifiers.
pub(crate) async fn every_kind_of_fact(db: &Pair) {
    history_with_a_restatement(db).await;
    let measure = measure_id(1).stream();
    let q1 = Period::quarter(2016, 1);
    let q2 = Period::quarter(2016, 2);
    for command in [
        Command::SetTarget {
            period: Period::financial_year(2016),
            target: TargetSpec::parse("100").unwrap(),
        },
        Command::RecordValue {
            period: q1,
            value: RecordedValue::parse("62.5% (2270/3940) Oct-Nov only").unwrap(),
            quality: DataQuality::default(),
        },
        Command::AssessStatus {
            period: q2,
            status: Status::OffTarget,
        },
        Command::AssessDirection {
            period: q2,
            direction: Direction::Worse,
        },
        Command::EditCommentary {
            period: q2,
            text: "Completed enquiries only from Q2".into(),
        },
        Command::AssignLeadAccountability {
            person: "Ian Thomas".into(),
            effective_from: NaiveDate::from_ymd_opt(2016, 7, 1).unwrap(),
        },
    ] {
        run(
            db,
            &measure,
            command,
            performance(),
            Some("quarterly update"),
        )
        .await;
    }
}

pair_test!(the_openapi_document_is_valid_openapi_3_1, |db| {
    let server = TestServer::start(&db).await;
    let document = document(&server).await;
    server.stop().await;

    let official: Value = serde_json::from_str(OPENAPI_3_1).unwrap();
    let validator = jsonschema::draft202012::new(&official).expect("the official schema compiles");
    let found = errors(&validator, &document);
    assert!(
        found.is_empty(),
        "/openapi.json is not valid OpenAPI 3.1:\n{}",
        found.join("\n")
    );
    // The base schema leaves Schema Objects to their dialect: each must be JSON Schema 2020-12.
    let schemas = document["components"]["schemas"].as_object().unwrap();
    for (name, schema) in schemas {
        if let Err(err) = jsonschema::meta::validate(schema) {
            panic!("components.schemas.{name} is not valid JSON Schema: {err}");
        }
    }
    // The answers are described, not left as free-form objects.
    for name in [
        "QuarterReport",
        "Publication",
        "HistoryEntry",
        "Restated",
        "MeasureView",
        "Verification",
    ] {
        assert!(schemas.contains_key(name), "{name} in {:?}", schemas.keys());
    }
});

pair_test!(
    every_answer_matches_the_schema_the_document_declares,
    |db| {
        db.sign(std::sync::Arc::new(
            scoreledger_integrity::LogKey::generate("scoreledger.test/api").unwrap(),
        ))
        .await;
        every_kind_of_fact(&db).await;
        let first = scoreledger_service::checkpoints::record_checkpoint(&*db.store)
            .await
            .unwrap()
            .expect("a first checkpoint");
        let auditor = token(&db, 1, Role::Auditor, None).await;
        let admin = token(&db, 2, Role::Admin, None).await;
        scoreledger_service::checkpoints::record_checkpoint(&*db.store)
            .await
            .unwrap()
            .expect("a second checkpoint");
        let head = db.store.head().await.unwrap().0;
        let server = TestServer::start(&db).await;
        let document = document(&server).await;
        // A web session, so the sessions list has a row to check.
        sign_in(&server, &auditor).await;
        let q2 = "Q2%202016%2F17";
        let calls = [
            ("/healthz", "/healthz".to_owned()),
            ("/readyz", "/readyz".to_owned()),
            ("/metrics", "/metrics".to_owned()),
            (
                "/api/scorecard",
                format!("/api/scorecard?period={q2}&min_position={head}"),
            ),
            ("/api/reports", "/api/reports".to_owned()),
            ("/api/reports/{report}", format!("/api/reports/{q2}")),
            (
                "/api/reports/{report}/restatements",
                format!("/api/reports/{q2}/restatements"),
            ),
            (
                "/api/reports/{report}/verification",
                format!("/api/reports/{q2}/verification"),
            ),
            ("/api/history", "/api/history".to_owned()),
            ("/api/plans", "/api/plans".to_owned()),
            ("/api/verification", "/api/verification".to_owned()),
            ("/checkpoint", "/checkpoint".to_owned()),
            (
                "/api/proofs/inclusion",
                "/api/proofs/inclusion?position=1".to_owned(),
            ),
            (
                "/api/proofs/consistency",
                format!("/api/proofs/consistency?from={}", first.size),
            ),
            (
                "/api/measures/{measure}",
                "/api/measures/2.B1?on=2016-08-01".to_owned(),
            ),
            ("/api/sessions", "/api/sessions".to_owned()),
        ];
        // Every documented GET is called, so a new one cannot go unchecked.
        let documented: BTreeSet<&str> = document["paths"]
            .as_object()
            .unwrap()
            .iter()
            .filter(|(_, item)| item.get("get").is_some())
            .map(|(path, _)| path.as_str())
            .collect();
        let called: BTreeSet<&str> = calls.iter().map(|(path, _)| *path).collect();
        assert_eq!(documented, called);

        for (path, url) in &calls {
            // Only an admin may list the web sessions.
            let secret = if *path == "/api/sessions" {
                &admin
            } else {
                &auditor
            };
            let body = fetch(&server, url, secret).await;
            check(&document, path, &body);
        }
        let sessions: Value =
            serde_json::from_str(&fetch(&server, "/api/sessions", &admin).await).unwrap();
        assert_eq!(sessions.as_array().unwrap().len(), 1, "{sessions}");
        // The fixture reaches the parts of the schemas that an empty answer would skip.
        let measure: Value =
            serde_json::from_str(&fetch(&server, "/api/measures/2.B1", &auditor).await).unwrap();
        for facts in ["targets", "values", "statuses", "directions", "notes"] {
            assert!(
                !measure["measure"][facts].as_array().unwrap().is_empty(),
                "{facts}: {measure}"
            );
        }
        assert_eq!(
            measure["measure"]["accountability"]
                .as_array()
                .unwrap()
                .len(),
            2
        );
        server.stop().await;
    }
);

#[test]
fn a_schema_that_drifts_from_the_serialisation_is_caught() {
    // The same check as above, on answers that break the documented shape in each way drift
    // shows: a mistyped field, a missing one, and one the schema does not name.
    let document = json!({
        "paths": {"/p": {"get": {"responses": {"200": {"content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/Publication"}}}}}}}},
        "components": {"schemas": {"Publication": {
            "type": "object",
            "required": ["cut_off", "sha256"],
            "properties": {
                "cut_off": {"type": "integer", "format": "int64"},
                "sha256": {"type": "string"},
                "note": {"type": ["string", "null"]}
            }
        }}}
    });
    check(
        &document,
        "/p",
        r#"{"cut_off": 3, "sha256": "ab", "note": null}"#,
    );
    for drifted in [
        r#"{"cut_off": "3", "sha256": "ab"}"#,
        r#"{"cut_off": 3}"#,
        r#"{"cut_off": 3, "sha256": "ab", "parts": "[]"}"#,
    ] {
        let caught = std::panic::catch_unwind(|| check(&document, "/p", drifted));
        assert!(caught.is_err(), "{drifted} passed");
    }
}
