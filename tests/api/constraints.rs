//! The document's constraints are the server's: what the schema allows the
//! server accepts, and what the server refuses the schema forbids (the
//! schemathesis suite, tests/schemathesis, sends what the schema allows).

use crate::harness::{json, openapi_document, problem, TestApp, Who};
use living_gate_domain::names::{bounded_text, NONBLANK_TEXT_PATTERN, TEXT_PATTERN};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

fn document() -> Value {
    serde_json::from_str(&openapi_document().to_pretty_json().expect("json")).expect("valid json")
}

fn allows(schema: &Value, value: &Value) -> bool {
    jsonschema::validator_for(schema)
        .expect("a valid schema")
        .is_valid(value)
}

/// Every bounded string (`maxLength`) of a request schema or a query
/// parameter that no other rule checks, with its schema.
fn free_text_fields(doc: &Value) -> Vec<(String, Value)> {
    const OWN_RULES: &[&str] = &["email", "password", "website", "phone"];
    let is_free_text = |name: &str, schema: &Value| {
        let string = schema["type"] == "string"
            || schema["type"]
                .as_array()
                .is_some_and(|t| t.contains(&json!("string")));
        string
            && schema.get("maxLength").is_some()
            && schema.get("format").is_none()
            && schema["pattern"]
                .as_str()
                .is_none_or(|p| [TEXT_PATTERN, NONBLANK_TEXT_PATTERN].contains(&p))
            && !OWN_RULES.contains(&name)
    };
    let mut fields = Vec::new();
    for (name, schema) in doc["components"]["schemas"].as_object().expect("schemas") {
        for (property, schema) in schema["properties"].as_object().into_iter().flatten() {
            if is_free_text(property, schema) {
                fields.push((format!("{name}.{property}"), schema.clone()));
            }
        }
    }
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("path item") {
            for parameter in operation["parameters"].as_array().into_iter().flatten() {
                let name = parameter["name"].as_str().unwrap_or_default();
                if is_free_text(name, &parameter["schema"]) {
                    fields.push((
                        format!("{method} {path} ?{name}"),
                        parameter["schema"].clone(),
                    ));
                }
            }
        }
    }
    fields
}

#[test]
fn every_free_text_schema_allows_exactly_what_bounded_text_accepts() {
    let doc = document();
    let fields = free_text_fields(&doc);
    assert!(fields.len() > 50, "{} free-text fields", fields.len());
    let probes = [
        "ok",
        "市民協働課",
        "two\nlines",
        "a\ttab",
        "carriage\rreturn",
        "bell\u{7}",
        "delete\u{7f}",
        "next\u{85}line",
        "c1\u{9f}",
        "escape\u{1b}[0m",
        " ",
        "\n\t",
        "\u{3000}",
        "",
    ];
    let mut disagreements = Vec::new();
    for (field, schema) in &fields {
        let min = schema["minLength"].as_u64().unwrap_or(0) as usize;
        let max = schema["maxLength"].as_u64().expect("maxLength") as usize;
        for probe in probes {
            let server = bounded_text(field, probe, min, max).is_ok();
            if allows(schema, &json!(probe)) != server {
                disagreements.push(format!("{field} {probe:?}: server accepts {server}"));
            }
        }
    }
    assert!(
        disagreements.is_empty(),
        "schema and bounded_text disagree:\n{}",
        disagreements.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn patterns_and_lengths_refuse_what_the_server_refuses() {
    let app = TestApp::spawn().await;
    let doc = document();
    let schemas = &doc["components"]["schemas"];
    let timeseries = doc["paths"]["/v1/kpis/timeseries"]["get"]["parameters"]
        .as_array()
        .expect("parameters")
        .iter()
        .find(|p| p["name"] == "from")
        .expect("from")["schema"]
        .clone();

    // The month of a time series.
    for (month, valid) in [
        ("2026-04", true),
        ("2026-04-30", true),
        ("2026-13", false),
        ("2026-4", true),
        ("2026-00", false),
        ("April", false),
    ] {
        assert_eq!(allows(&timeseries, &json!(month)), valid, "{month}");
        let response = app
            .get(
                &format!("/v1/kpis/timeseries?metric=proposals_received&from={month}&to=2027-03"),
                Who::Analyst,
            )
            .await;
        if valid {
            json(response, StatusCode::OK).await;
        } else {
            let body = problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
            assert_eq!(body["errors"][0]["field"], "from", "{month}");
        }
    }

    // The grant type of the client-credentials grant.
    let grant = &schemas["ClientCredentialsRequest"]["properties"]["grant_type"];
    assert!(allows(grant, &json!("client_credentials")));
    assert!(!allows(grant, &json!("password")));
    let refused = app
        .post(
            "/v1/auth/token",
            Who::Anonymous,
            &json!({"grant_type": "password", "client_id": "x", "client_secret": "y"}),
        )
        .await;
    let body = problem(refused, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(body["errors"][0]["field"], "grant_type");

    // An organization's kana and address, when given, are not empty.
    let create = &schemas["CreateOrganization"];
    for field in ["name_kana", "address"] {
        let mut organization = json!({"name": "空欄テスト", "kind": "npo"});
        organization[field] = json!("");
        assert!(!allows(&create["properties"][field], &json!("")), "{field}");
        let response = app
            .post("/v1/organizations", Who::Admin, &organization)
            .await;
        let body = problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(body["errors"][0]["field"], field);
    }
    let update = &schemas["UpdateOrganization"]["properties"]["name_kana"];
    assert!(!allows(update, &json!("")));
    assert!(!allows(update, &json!("か".repeat(201))));
    assert!(allows(update, &Value::Null));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_integer_may_be_written_with_a_zero_fraction() {
    // JSON Schema's `integer` is any number without a fractional part.
    let app = TestApp::spawn().await;
    let doc = document();
    let targets = &doc["components"]["schemas"]["SetTargets"];
    assert!(allows(targets, &json!({"trips_started": 2.0})));
    assert!(!allows(targets, &json!({"trips_started": 2.5})));

    let put = |body: Value| {
        app.request(Method::PUT, "/v1/kpis/targets/2027", Who::Desk)
            .json(&body)
            .send()
    };
    let fraction = put(json!({"trips_started": 2.5})).await.expect("request");
    problem(fraction, StatusCode::UNPROCESSABLE_ENTITY).await;
    let created = put(json!({"trips_started": 2.0, "community_supports": 1e0}))
        .await
        .expect("request");
    let created = json(created, StatusCode::CREATED).await;
    assert_eq!(created["trips_started"], 2);
    assert_eq!(created["community_supports"], 1);
    // Still a 400 when it is not JSON at all, and a 415 when not sent as JSON.
    let broken = app
        .request(Method::PUT, "/v1/kpis/targets/2028", Who::Desk)
        .header("content-type", "application/json")
        .body("{\"trips_started\" 2.0}")
        .send()
        .await
        .expect("request");
    problem(broken, StatusCode::BAD_REQUEST).await;
}
