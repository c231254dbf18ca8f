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
            // Every operation declares its security; public ones with one
            // empty requirement (`security(())`), as Redocly's
            // `security-defined` rule wants.
            let security = operation["security"]
                .as_array()
                .unwrap_or_else(|| panic!("{name} declares no security"));
            let secured = security
                .iter()
                .any(|requirement| requirement.as_object().is_some_and(|r| !r.is_empty()));
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

// What a client generator needs of the document. Each check is a function
// returning what is wrong, run on the generated document (which must give
// nothing) and on a broken sample (which must give something), so that no
// check passes for want of being able to fail.

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// Every operation as ("METHOD /path", operation).
fn operations(doc: &Value) -> Vec<(String, &Value)> {
    let mut all = Vec::new();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for method in METHODS {
            if let Some(operation) = item.get(method) {
                all.push((format!("{} {path}", method.to_uppercase()), operation));
            }
        }
    }
    all
}

/// The `$ref`s that do not resolve to a part of the document itself.
fn dangling_refs(doc: &Value) -> Vec<String> {
    fn walk<'a>(value: &'a Value, refs: &mut Vec<&'a str>) {
        match value {
            Value::Object(map) => {
                for (key, value) in map {
                    match (key.as_str(), value) {
                        ("$ref", Value::String(target)) => refs.push(target),
                        _ => walk(value, refs),
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|v| walk(v, refs)),
            _ => {}
        }
    }
    let mut refs = Vec::new();
    walk(doc, &mut refs);
    let mut dangling: Vec<String> = refs
        .into_iter()
        .filter(|target| {
            let resolved = target.strip_prefix('#').and_then(|pointer| {
                // JSON Pointer (RFC 6901) as a URI fragment.
                let pointer = percent_decode(pointer);
                doc.pointer(&pointer)
            });
            resolved.is_none()
        })
        .map(str::to_owned)
        .collect();
    dangling.sort();
    dangling.dedup();
    dangling
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Operations without an operationId, with one that is not camelCase, or
/// sharing one with another operation.
fn operation_id_problems(doc: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let mut seen: std::collections::BTreeMap<&str, String> = Default::default();
    for (name, operation) in operations(doc) {
        let Some(id) = operation["operationId"]
            .as_str()
            .filter(|id| !id.is_empty())
        else {
            problems.push(format!("{name} has no operationId"));
            continue;
        };
        let camel = id.starts_with(|c: char| c.is_ascii_lowercase())
            && id.chars().all(|c| c.is_ascii_alphanumeric());
        if !camel {
            problems.push(format!("{name}: operationId {id:?} is not camelCase"));
        }
        if let Some(first) = seen.insert(id, name.clone()) {
            problems.push(format!("{name} shares operationId {id:?} with {first}"));
        }
    }
    problems
}

/// Operations that take `If-Match` but do not document 412 and 428.
fn if_match_problems(doc: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    for (name, operation) in operations(doc) {
        let takes_if_match = operation["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|p| {
                p["in"] == "header"
                    && p["name"]
                        .as_str()
                        .is_some_and(|n| n.eq_ignore_ascii_case("if-match"))
            });
        for status in ["412", "428"] {
            if takes_if_match && operation["responses"].get(status).is_none() {
                problems.push(format!("{name} takes If-Match but documents no {status}"));
            }
        }
    }
    problems
}

/// The schema names given to more than one Rust type deriving `ToSchema`
/// in `sources` ((file, text)). utoipa keys components by name, so two
/// types of one name leave one schema standing for both (as the survey's
/// `Channel` once stood for the proposal's): the document alone cannot show
/// it, the sources can.
fn schema_names_defined_twice(sources: &[(String, String)]) -> Vec<String> {
    let mut names: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for (file, text) in sources {
        let mut derives_schema = false;
        let mut alias: Option<String> = None;
        let mut in_derive = false;
        for line in text.lines().map(str::trim) {
            if line.starts_with("#[derive(") || in_derive {
                derives_schema |= line.contains("ToSchema");
                in_derive = !line.contains(")]");
                continue;
            }
            if !derives_schema {
                continue;
            }
            if let Some(rest) = line.strip_prefix("#[schema(") {
                if let Some((_, after)) = rest.split_once("as = ") {
                    let path: String = after
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                        .collect();
                    alias = path.rsplit("::").next().map(str::to_owned);
                }
                continue;
            }
            if line.starts_with("#[") || line.starts_with("//") {
                continue;
            }
            let item = line
                .strip_prefix("pub(crate) ")
                .or(line.strip_prefix("pub "))
                .unwrap_or(line);
            let declared = item
                .strip_prefix("struct ")
                .or(item.strip_prefix("enum "))
                .map(|rest| {
                    rest.chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect::<String>()
                });
            if let Some(declared) = declared {
                let name = alias.take().unwrap_or(declared);
                names.entry(name).or_default().push(file.clone());
            }
            derives_schema = false;
            alias = None;
        }
    }
    names
        .into_iter()
        .filter(|(_, files)| files.len() > 1)
        .map(|(name, files)| format!("{name}: {}", files.join(", ")))
        .collect()
}

fn workspace_sources() -> Vec<(String, String)> {
    fn walk(dir: &std::path::Path, out: &mut Vec<(String, String)>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .expect("readable source directory")
            .map(|e| e.expect("entry").path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("readable source");
                out.push((path.display().to_string(), text));
            }
        }
    }
    let crates = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut sources = Vec::new();
    for krate in std::fs::read_dir(&crates).expect("crates/") {
        let src = krate.expect("crate").path().join("src");
        if src.is_dir() {
            walk(&src, &mut sources);
        }
    }
    assert!(sources.len() > 50, "found {} source files", sources.len());
    sources
}

#[test]
fn every_ref_resolves() {
    let doc = generated();
    assert_eq!(dangling_refs(&doc), Vec::<String>::new());
    // The check can fail: a reference to a schema never registered, one
    // to a missing response, one outside the document (while an escaped
    // name, `~0` for `~`, resolves).
    let broken = serde_json::json!({
        "components": {"schemas": {"Problem": {"type": "object"}, "A~B": {}}},
        "paths": {"/x": {"get": {"responses": {
            "200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Format"}}}},
            "201": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/A~0B"}}}},
            "404": {"$ref": "#/components/responses/NotFound"},
            "500": {"$ref": "other.json#/components/schemas/Problem"},
            "503": {"$ref": "#/components/schemas/Problem"}
        }}}}
    });
    assert_eq!(
        dangling_refs(&broken),
        [
            "#/components/responses/NotFound",
            "#/components/schemas/Format",
            "other.json#/components/schemas/Problem",
        ]
    );
}

#[test]
fn every_operation_has_its_own_camel_case_operation_id() {
    let doc = generated();
    assert_eq!(operation_id_problems(&doc), Vec::<String>::new());
    assert!(
        operations(&doc).len() >= 81,
        "{} operations",
        operations(&doc).len()
    );
    for (name, id) in [
        ("GET /v1/proposals", "listProposals"),
        ("POST /v1/proposals", "createProposal"),
        ("GET /v1/proposals/{id}", "getProposal"),
        ("PATCH /v1/proposals/{id}", "updateProposal"),
        ("POST /v1/proposals/{id}/transitions", "transitionProposal"),
        ("POST /v1/proposals/{id}/decision", "decideProposal"),
        ("GET /v1/trips", "listTrips"),
    ] {
        let found = operations(&doc)
            .into_iter()
            .find(|(n, _)| n == name)
            .map(|(_, op)| op["operationId"].clone());
        assert_eq!(found, Some(Value::from(id)), "{name}");
    }
    let broken = serde_json::json!({"paths": {
        "/a": {"get": {"operationId": "list"}, "post": {"operationId": "create"}},
        "/b": {"get": {"operationId": "list"}, "patch": {}, "put": {"operationId": "set_targets"}}
    }});
    assert_eq!(
        operation_id_problems(&broken),
        [
            "GET /b shares operationId \"list\" with GET /a",
            "PUT /b: operationId \"set_targets\" is not camelCase",
            "PATCH /b has no operationId",
        ]
    );
}

#[test]
fn no_schema_name_is_given_to_two_types() {
    assert_eq!(
        schema_names_defined_twice(&workspace_sources()),
        Vec::<String>::new()
    );
    let sample = |text: &str| (format!("{}.rs", text.len()), text.to_owned());
    let broken = [
        sample(
            "#[derive(Deserialize, ToSchema)]\n#[serde(rename_all = \"snake_case\")]\npub enum Format {\n    Json,\n}\n",
        ),
        sample(
            "/// Doc.\n#[derive(\n    Serialize,\n    utoipa::ToSchema,\n)]\n/// More doc.\npub(crate) enum Format { Csv }\n\
             #[derive(ToSchema)]\n#[schema(as = KpiFormat)]\npub enum Other { A }\n\
             #[derive(ToSchema)]\n#[schema(as = crate::KpiFormat)]\nstruct Third;\n\
             #[derive(Debug)]\npub struct NotASchema;\n#[derive(Debug)]\npub struct NotASchema2;\n",
        ),
    ];
    let found = schema_names_defined_twice(&broken);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found[0].starts_with("Format: "), "{found:?}");
    assert!(found[1].starts_with("KpiFormat: "), "{found:?}");
}

#[test]
fn every_operation_taking_if_match_documents_412_and_428() {
    let doc = generated();
    assert_eq!(if_match_problems(&doc), Vec::<String>::new());
    let if_match = |responses: Value| {
        serde_json::json!({
            "parameters": [{"name": "If-Match", "in": "header", "required": true}],
            "responses": responses
        })
    };
    let broken = serde_json::json!({"paths": {"/v1/kpis/targets/{fiscal_year}": {
        "put": if_match(serde_json::json!({"200": {}, "412": {}})),
        "patch": if_match(serde_json::json!({"200": {}, "412": {}, "428": {}})),
        "get": {"parameters": [{"name": "If-None-Match", "in": "header"}], "responses": {"200": {}}}
    }}});
    assert_eq!(
        if_match_problems(&broken),
        ["PUT /v1/kpis/targets/{fiscal_year} takes If-Match but documents no 428"]
    );
}

/// The idempotency middleware honours the key on every authenticated POST:
/// each documents it, with the limits the server enforces (1-255 printable
/// ASCII characters; a longer key is 422, see `idempotency.rs`).
#[test]
fn every_authenticated_post_documents_idempotency_key() {
    let doc = generated();
    let mut missing = Vec::new();
    for (name, operation) in operations(&doc) {
        let public = operation["security"].as_array().is_some_and(|s| {
            s.iter()
                .all(|r| r.as_object().is_some_and(|r| r.is_empty()))
        });
        if !name.starts_with("POST ") || public {
            continue;
        }
        let key = operation["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|p| p["name"] == "Idempotency-Key" && p["in"] == "header");
        match key {
            Some(key) if key["schema"]["maxLength"] == 255 && key["schema"]["minLength"] == 1 => {}
            _ => missing.push(name),
        }
    }
    assert!(
        missing.is_empty(),
        "no Idempotency-Key documented: {missing:?}"
    );
}
