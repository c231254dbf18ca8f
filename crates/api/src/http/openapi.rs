//! The OpenAPI 3.1 document: generated from the handlers' annotations, plus
//! the conventions every operation shares (bearer security, the standard
//! problem+json error responses) added in one place.

use crate::http::problem::{ApiError, Problem, PROBLEM_JSON};
use crate::http::routes;
use actix_web::App;
use utoipa::openapi::path::{HttpMethod, Operation, ParameterIn, PathItem};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
use utoipa::OpenApi;
use utoipa_actix_web::AppExt;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Living Gate API",
        description = "JSON REST API of ZAMA Living Gate, Zama City's public-private co-creation desk \
(ざま共創官民連携窓口), and of the four-city regional resource directory against loneliness and isolation.\n\n\
Errors are RFC 9457 problem+json. Lists are cursor-paginated (`limit`, `cursor` → `next_cursor`). \
Single resources carry an `ETag`; changes require `If-Match`. Authenticate with `POST /v1/auth/login` \
and send `Authorization: Bearer <access_token>`.",
        license(name = "MIT", identifier = "MIT")
    ),
    // Relative: the API is served from the root of whichever host serves this
    // document (each deployment has its own), so no absolute URL is baked in.
    servers((url = "/", description = "The host serving this document")),
    components(schemas(
        Problem,
        living_gate_domain::FieldError,
        // Used only as query parameters, which utoipa does not collect.
        crate::kpis::inputs::Format,
        crate::platform::referrals::ListDirection,
        living_gate_domain::platform::meeting::FollowUpStatus,
        crate::desk::logic_models::Format,
        crate::directory::search::SortOrder,
        crate::directory::export::ExportFormat,
    )),
    tags(
        (name = "operations", description = "Health and readiness"),
        (name = "auth", description = "Login, token refresh and rotation, logout, client credentials, signing keys"),
        (name = "reference data", description = "Municipalities and departments"),
        (name = "organizations", description = "Partner organizations that propose"),
        (name = "users", description = "Accounts and invitations"),
        (name = "service accounts", description = "BI clients (client credentials, role analyst)"),
        (name = "identity providers", description = "OpenID Connect providers staff and partners sign in with (a city's IdP, GビズID), their claim and group mappings, and the links of accounts to their subjects"),
        (name = "retention", description = "Personal-data retention rules (the platform's defaults, a city's own ages) and their runs"),
        (name = "personal-data", description = "One person's records: the disclosure export (開示請求) and the anonymization"),
        (name = "audit", description = "The append-only audit log"),
        (name = "proposals", description = "The desk workflow: proposals, moves through the six steps, timelines, the change feed"),
        (name = "hearings", description = "Step 3: hearings with departments"),
        (name = "messages", description = "Messages on a case, internal or shared with the proposer"),
        (name = "matches", description = "Step 4: departments matched to a case as lead or support, and directory entries (the city's network of NPOs and citizen groups) as partners"),
        (name = "logic models", description = "Step 5: the versioned trial logic model of a case"),
        (name = "kpis", description = "KPIs per fiscal year and month with their definitions, time series, targets; JSON or CSV"),
        (name = "directory", description = "The four-city regional resource directory: entries, search, map, figures, taxonomies, import and export"),
        (name = "platform", description = "The four-city platform's own work: residents introduced to directory entries across city borders (never the resident), and the figures by from-city × to-city × topic; liaison meetings with their follow-ups; events and their reach per fiscal year"),
        (name = "trips", description = "Step 6, the lead department's decision, and the TRIPs (co-creation projects) adoptions create"),
        (name = "public", description = "Showing the results, anonymous and read-only: the TRIPs published with their partners' consent, and each city's public KPI figures"),
        (name = "notifications", description = "Mail: each account's notification preferences, the desk's delivery log of the outbox, retrying a dead message"),
        (name = "intake", description = "The public intake: the anonymous web form of a city's desk, its terms and the e-mail code confirmation"),
        (name = "webhooks", description = "Subscriptions to the change feed, delivered as signed CloudEvents (Standard Webhooks); their delivery log, secret rotation, pings and replays"),
    )
)]
struct ApiDoc;

/// The document the running service serves and `living-gate openapi` prints.
pub fn document() -> utoipa::openapi::OpenApi {
    let (_, mut api) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(routes::configure)
        .split_for_parts();
    api.info.version = env!("CARGO_PKG_VERSION").to_owned();
    add_conventions(&mut api);
    add_text_patterns(&mut api);
    api
}

/// Free text is checked by `names::bounded_text`: besides its length, no
/// control character but line feed and tab, and not blank when required.
/// The schema says so with a pattern on every bounded string (one with a
/// `maxLength`) that has no format or pattern of its own, except the fields
/// other rules check (e-mail addresses, passwords, URLs, phone numbers).
fn add_text_patterns(api: &mut utoipa::openapi::OpenApi) {
    use living_gate_domain::names::{NONBLANK_TEXT_PATTERN, TEXT_PATTERN};
    use utoipa::openapi::schema::{Object, Schema, SchemaType, Type};

    const OWN_RULES: &[&str] = &["email", "password", "website", "phone"];
    fn mark(name: &str, schema: &mut RefOr<Schema>) {
        let RefOr::T(Schema::Object(object)) = schema else {
            return;
        };
        let Object {
            schema_type,
            max_length: Some(_),
            min_length,
            pattern: pattern @ None,
            format: None,
            ..
        } = object
        else {
            return;
        };
        let text = match schema_type {
            SchemaType::Type(t) => *t == Type::String,
            SchemaType::Array(types) => types.contains(&Type::String),
            SchemaType::AnyValue => false,
        };
        if !text || OWN_RULES.contains(&name) {
            return;
        }
        *pattern = Some(if min_length.unwrap_or(0) > 0 {
            NONBLANK_TEXT_PATTERN.to_owned()
        } else {
            TEXT_PATTERN.to_owned()
        });
    }
    for schema in api
        .components
        .iter_mut()
        .flat_map(|c| c.schemas.values_mut())
    {
        if let RefOr::T(Schema::Object(object)) = schema {
            for (name, property) in object.properties.iter_mut() {
                mark(name, property);
            }
        }
    }
    for item in api.paths.paths.values_mut() {
        for (_, operation) in operations_mut(item) {
            for parameter in operation.parameters.iter_mut().flatten() {
                if let RefOr::T(parameter) = parameter {
                    if let Some(schema) = parameter.schema.as_mut() {
                        mark(&parameter.name, schema);
                    }
                }
            }
        }
    }
}

const ERRORS: &[(&str, &str, &str)] = &[
    ("BadRequest", "400", "Malformed JSON or request"),
    (
        "Unauthorized",
        "401",
        "Missing, invalid or expired access token",
    ),
    ("NotFound", "404", "No such resource, or not visible to you"),
    (
        "PreconditionFailed",
        "412",
        "The If-Match ETag is stale: read again and reapply",
    ),
    ("PayloadTooLarge", "413", "The body exceeds 256 KiB"),
    (
        "UnsupportedMediaType",
        "415",
        "The body must be application/json",
    ),
    ("PreconditionRequired", "428", "If-Match is required"),
    (
        "ValidationFailed",
        "422",
        "A field is missing, of the wrong type, unknown or invalid; see errors[]",
    ),
    (
        "InternalError",
        "500",
        "Unexpected error; the detail is in the log under the request id",
    ),
    (
        "Unavailable",
        "503",
        "The database is unavailable; retry later",
    ),
];

/// The problem the API sends with `status`, as an example: built from the
/// error itself, so the example says what the server says; `detail` is the
/// detail of a 409 (each conflict has its own), `path` the instance.
fn example_problem(status: &str, detail: Option<&str>, path: &str) -> Option<serde_json::Value> {
    let error = match status {
        "400" => ApiError::BadRequest("expected value at line 1 column 1".into()),
        "401" => ApiError::Unauthorized("missing bearer token".into()),
        "403" => ApiError::Forbidden,
        "404" => ApiError::NotFound,
        "409" => ApiError::Conflict {
            detail: detail.unwrap_or("conflict").to_owned(),
            extra: None,
        },
        "412" => ApiError::PreconditionFailed,
        "413" => ApiError::PayloadTooLarge,
        "415" => {
            ApiError::UnsupportedMediaType("send the body as Content-Type: application/json".into())
        }
        "422" => ApiError::validation("name", "required", "must not be empty"),
        "428" => ApiError::PreconditionRequired,
        "429" => ApiError::RateLimited {
            retry_after_secs: 60,
        },
        "500" => ApiError::internal("example"),
        "503" => ApiError::Unavailable("example".into()),
        _ => return None,
    };
    let mut problem = serde_json::to_value(error.problem()).ok()?;
    let instance: Vec<&str> = path
        .split('/')
        .map(|segment| match segment.starts_with('{') {
            true => "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e50",
            false => segment,
        })
        .collect();
    problem["instance"] = instance.join("/").into();
    problem["request_id"] = "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e01".into();
    Some(problem)
}

fn add_conventions(api: &mut utoipa::openapi::OpenApi) {
    let components = api.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "bearer",
        SecurityScheme::Http(
            Http::builder()
                .scheme(HttpAuthScheme::Bearer)
                .bearer_format("JWT")
                .build(),
        ),
    );
    for (name, status, description) in ERRORS {
        let content = ContentBuilder::new()
            .schema(Some(Ref::from_schema_name("Problem")))
            .example(example_problem(status, None, "/v1/proposals/{id}"))
            .build();
        components.responses.insert(
            (*name).to_owned(),
            RefOr::T(
                ResponseBuilder::new()
                    .description(*description)
                    .content(PROBLEM_JSON, content)
                    .build(),
            ),
        );
    }
    for (path, item) in api.paths.paths.iter_mut() {
        for (method, operation) in operations_mut(item) {
            // Public operations declare `security(())`: one empty requirement.
            let secured = operation
                .security
                .iter()
                .flatten()
                .any(|requirement| *requirement != SecurityRequirement::default());
            if method == HttpMethod::Post && secured {
                add_idempotency_key(operation);
            }
            let has_body = operation.request_body.is_some();
            let has_path_params = path.contains('{');
            let takes_if_match = operation.parameters.iter().flatten().any(|p| {
                matches!(p, RefOr::T(p) if p.parameter_in == ParameterIn::Header
                    && p.name.eq_ignore_ascii_case("If-Match"))
            });
            let needs_if_match = method == HttpMethod::Patch || takes_if_match;
            let uses_database = !matches!(path.as_str(), "/healthz" | "/.well-known/jwks.json");
            let wanted = [
                ("BadRequest", has_body || operation.parameters.is_some()),
                ("Unauthorized", secured),
                ("NotFound", has_path_params),
                ("PreconditionFailed", needs_if_match),
                ("PayloadTooLarge", has_body),
                ("UnsupportedMediaType", has_body),
                ("PreconditionRequired", needs_if_match),
                (
                    "ValidationFailed",
                    has_body || operation.parameters.is_some(),
                ),
                ("InternalError", uses_database),
                ("Unavailable", uses_database),
            ];
            for (name, status, _) in ERRORS {
                let applies = wanted.iter().any(|(n, yes)| n == name && *yes);
                if applies && !operation.responses.responses.contains_key(*status) {
                    operation.responses.responses.insert(
                        (*status).to_owned(),
                        RefOr::Ref(Ref::from_response_name(*name)),
                    );
                }
            }
            // The operation's own problems (403, 409, 429, …) get an example
            // of their status too, with their description as the detail.
            for (status, response) in operation.responses.responses.iter_mut() {
                let RefOr::T(response) = response else {
                    continue;
                };
                let detail = response.description.clone();
                if let Some(RefOr::T(content)) = response.content.get_mut(PROBLEM_JSON) {
                    if content.example.is_none() && content.examples.is_empty() {
                        content.example = example_problem(status, Some(&detail), path);
                    }
                }
            }
        }
    }
}

/// `Idempotency-Key`, which every authenticated POST honours
/// (`http::idempotency`), with the limits the server enforces.
fn add_idempotency_key(operation: &mut Operation) {
    use utoipa::openapi::path::ParameterBuilder;
    use utoipa::openapi::{ObjectBuilder, Required, Type};
    let parameters = operation.parameters.get_or_insert_with(Vec::new);
    if parameters.iter().any(|p| {
        matches!(p, RefOr::T(p) if p.name.eq_ignore_ascii_case(crate::http::idempotency::HEADER))
    }) {
        return;
    }
    parameters.push(RefOr::T(
        ParameterBuilder::new()
            .name("Idempotency-Key")
            .parameter_in(ParameterIn::Header)
            .required(Required::False)
            .description(Some(
                "Retry safely: the first response for this key and body is kept 24 hours and \
                 replayed (with `Idempotency-Replayed: true`); another body with the key is 422",
            ))
            .schema(Some(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .min_length(Some(1))
                    .max_length(Some(255))
                    .pattern(Some("^[!-~]+$"))
                    .examples([serde_json::json!("3f0c9a4e-6b1d-4c55-9a7e-2b8d1f0e6c31")]),
            ))
            .build(),
    ));
}

/// Every operation of a path item with its method.
pub fn operations_mut(item: &mut PathItem) -> Vec<(HttpMethod, &mut Operation)> {
    [
        (HttpMethod::Get, item.get.as_mut()),
        (HttpMethod::Post, item.post.as_mut()),
        (HttpMethod::Put, item.put.as_mut()),
        (HttpMethod::Patch, item.patch.as_mut()),
        (HttpMethod::Delete, item.delete.as_mut()),
    ]
    .into_iter()
    .filter_map(|(method, op)| op.map(|op| (method, op)))
    .collect()
}

/// The methods documented for the path template matching `path`, if any.
pub fn allowed_methods(api: &utoipa::openapi::OpenApi, path: &str) -> Option<Vec<String>> {
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    api.paths.paths.iter().find_map(|(template, item)| {
        let template_segments: Vec<&str> = template.split('/').collect();
        let matches = template_segments.len() == segments.len()
            && template_segments
                .iter()
                .zip(&segments)
                .all(|(t, s)| (t.starts_with('{') && !s.is_empty()) || t == s);
        matches.then(|| {
            [
                ("GET", item.get.is_some()),
                ("POST", item.post.is_some()),
                ("PUT", item.put.is_some()),
                ("PATCH", item.patch.is_some()),
                ("DELETE", item.delete.is_some()),
            ]
            .into_iter()
            .filter(|(_, present)| *present)
            .map(|(m, _)| m.to_owned())
            .collect()
        })
    })
}
