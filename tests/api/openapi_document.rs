//! The OpenAPI document is a product: checked in, current, complete.

use crate::harness::openapi_document;
use serde_json::Value;

const REGENERATE: &str = "cargo run -q -- openapi > openapi/openapi.json";

fn generated() -> Value {
    serde_json::from_str(&openapi_document().to_pretty_json().expect("json")).expect("valid json")
}

#[test]
fn the_checked_in_document_is_current() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../openapi/openapi.json");
    let checked_in: Value = std::fs::read_to_string(path)
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or(Value::Null);
    assert!(
        checked_in == generated(),
        "openapi/openapi.json is stale; regenerate it with:\n  {REGENERATE}"
    );
}

#[test]
fn every_operation_has_a_summary_responses_and_a_declared_security() {
    let doc = generated();
    assert_eq!(doc["openapi"].as_str().map(|v| &v[..3]), Some("3.1"));
    let paths = doc["paths"].as_object().expect("paths");
    assert!(paths.len() >= 20, "{} paths", paths.len());
    for (path, item) in paths {
        for (method, operation) in item.as_object().expect("path item") {
            let name = format!("{} {path}", method.to_uppercase());
            assert!(
                operation["summary"].as_str().is_some_and(|s| !s.is_empty()),
                "{name} has no summary"
            );
            let responses = operation["responses"].as_object().expect("responses");
            assert!(
                responses.keys().any(|s| s.starts_with('2')),
                "{name} has no success response"
            );
            let secured = operation["security"]
                .as_array()
                .is_some_and(|s| !s.is_empty());
            if secured {
                assert!(
                    responses.contains_key("401"),
                    "{name} is secured but documents no 401"
                );
            }
            if operation.get("requestBody").is_some() {
                for status in ["400", "413", "415", "422"] {
                    assert!(
                        responses.contains_key(status),
                        "{name} takes a body but documents no {status}"
                    );
                }
            }
            if method == "patch" {
                for status in ["412", "428"] {
                    assert!(
                        responses.contains_key(status),
                        "{name} documents no {status}"
                    );
                }
            }
        }
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    assert!(doc["components"]["schemas"]["Problem"].is_object());
}
