//! One person's personal data (issue 21): the disclosure export (開示請求)
//! and the anonymization. Both are audited and in the desk's feed; neither
//! audit entry holds a personal value (counts only).

use crate::auth::Caller;
use crate::http::problem::{ApiError, ApiResult};
use crate::kpis::inputs::wants_csv;
use crate::record::{self, Change, EventKind, FeedEvent};
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection;
use living_gate_db::accounts::users as users_db;
use living_gate_db::personal_data as db;
use living_gate_db::pool;
use living_gate_domain::{authorize, csv, Action, Role};
use serde::Serialize;
use serde_json::{json, Map, Value};
use utoipa::ToSchema;
use uuid::Uuid;

/// The columns of the CSV export: one row per field of every record.
const CSV_HEADERS: [&str; 4] = ["section", "record_id", "field", "value"];

/// Every record that names one person, as the desk hands it over.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"user_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e10",
    "municipality_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e02", "generated_at": "2026-12-03T09:00:00+00:00",
    "sections": [{"name": "account", "records": [{"id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e10",
        "email": "tanaka@example.co.jp", "display_name": "田中 一郎", "role": "partner"}]},
        {"name": "messages", "records": []}]}))]
pub struct Disclosure {
    pub user_id: Uuid,
    /// Whose records: the caller's city's (a city's desk or admin), or
    /// every city's (`null`, the platform admin).
    pub municipality_id: Option<Uuid>,
    pub generated_at: DateTime<Utc>,
    /// One section per kind of record, always all of them (empty when none
    /// names the person), each record with its columns; secrets (password
    /// and token hashes, sealed seeds) never appear.
    pub sections: Vec<DisclosureSection>,
}

#[derive(Serialize, ToSchema)]
pub struct DisclosureSection {
    /// `account`, `organization`, `department`, `sign_in_identities`,
    /// `second_factor`, `refresh_tokens`, `invitations`,
    /// `password_reset_tokens`, `notification_preferences`, `proposals`,
    /// `intake_submissions`, `messages`, `hearings`, `matches`,
    /// `assessments`, `trip_measurements`, `attachments`,
    /// `outbox_messages` (subjects, not bodies), `webhook_subscriptions`,
    /// `confidential_access_grants`, `audit_entries_as_actor`.
    pub name: String,
    #[schema(value_type = Vec<Object>)]
    pub records: Vec<Value>,
}

impl Disclosure {
    /// One row per field of every record: section, the record's id, the
    /// field, its value (text as is, anything else as JSON; `null` empty).
    fn csv(&self) -> String {
        let mut rows: Vec<[String; 4]> = Vec::new();
        for section in &self.sections {
            for (i, record) in section.records.iter().enumerate() {
                let Some(fields) = record.as_object() else {
                    continue;
                };
                let id = record_id(fields).unwrap_or_else(|| (i + 1).to_string());
                for (field, value) in fields {
                    let value = match value {
                        Value::Null => String::new(),
                        Value::String(text) => text.clone(),
                        other => other.to_string(),
                    };
                    rows.push([section.name.clone(), id.clone(), field.clone(), value]);
                }
            }
        }
        csv::document(&CSV_HEADERS, rows)
    }
}

fn record_id(fields: &Map<String, Value>) -> Option<String> {
    ["id", "proposal_id", "user_id"]
        .iter()
        .find_map(|key| fields.get(*key).and_then(Value::as_str).map(str::to_owned))
}

/// What an anonymization changed.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"user_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e10", "anonymized_at": "2026-12-03T09:00:00+00:00",
    "counts": {"audit_log": 3, "identity_links": 1, "intake_submissions": 1, "invitations": 0,
        "notification_preferences": 2, "outbox_messages": 4, "password_reset_tokens": 0,
        "refresh_tokens": 1, "totp_credentials": 0}}))]
pub struct Anonymization {
    pub user_id: Uuid,
    pub anonymized_at: DateTime<Utc>,
    /// Rows changed or removed, per table.
    #[schema(value_type = Object)]
    pub counts: Value,
}

/// Exports every record that names one person (開示請求), as JSON or, with
/// `Accept: text/csv`, as CSV (UTF-8 with BOM, one row per field). The desk
/// and admin of the person's city (a partner's: a city holding a case or
/// intake that names them) get their city's records, the platform admin
/// every city's. Audited (counts per section, no values) and in the desk's
/// feed.
#[utoipa::path(operation_id = "createDisclosure", tag = "personal-data", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The person's account")),
    responses((status = 200, description = "Every record that names the person", content(
            (Disclosure = "application/json"),
            (String = "text/csv", example = "\u{feff}\"section\",\"record_id\",\"field\",\"value\"\r\n\"account\",\"0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e10\",\"display_name\",\"田中 一郎\"\r\n"))),
        (status = 403, description = "Not the desk or an admin", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such person, or not of the caller's city", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[post("/users/{id}/disclosures")]
pub async fn disclose(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    authorize(
        &caller.actor,
        Action::DisclosePersonalData {
            in_callers_city: true,
        },
    )?;
    let as_csv = wants_csv(&req, None);
    let mut conn = pool::connection(&state.pool).await?;
    let disclosure = conn
        .transaction(async |conn| {
            let person = users_db::find(conn, *id).await?.ok_or(ApiError::NotFound)?;
            let city = match caller.actor.role {
                Role::PlatformAdmin => None,
                _ => caller.actor.municipality_id,
            };
            let in_callers_city = match (city, person.municipality_id) {
                (None, _) => true,
                (Some(city), Some(theirs)) => city == theirs,
                (Some(city), None) => db::named_in_city(conn, person.id, city).await?,
            };
            authorize(
                &caller.actor,
                Action::DisclosePersonalData { in_callers_city },
            )?;
            let sections = db::disclosure(conn, person.id, &person.email, city).await?;
            let counts: Map<String, Value> = sections
                .iter()
                .map(|(name, rows)| ((*name).to_owned(), json!(rows.len())))
                .collect();
            record::write(
                conn,
                &caller,
                Change {
                    action: "user.disclose".into(),
                    target_type: "user",
                    target_id: person.id.to_string(),
                    changes: json!({"format": if as_csv { "csv" } else { "json" },
                        "municipality_id": city, "counts": counts}),
                    event: FeedEvent::desk(EventKind::PersonalDataDisclosed)
                        .subject(person.id)
                        .in_municipality(city.or(person.municipality_id)),
                },
            )
            .await?;
            Ok::<_, ApiError>(Disclosure {
                user_id: person.id,
                municipality_id: city,
                generated_at: Utc::now(),
                sections: sections
                    .into_iter()
                    .map(|(name, records)| DisclosureSection {
                        name: name.to_owned(),
                        records,
                    })
                    .collect(),
            })
        })
        .await?;
    if as_csv {
        return Ok(crate::http::download::csv(
            &format!("disclosure-{}", disclosure.user_id),
            disclosure.csv(),
        ));
    }
    Ok(HttpResponse::Ok()
        .insert_header((header::VARY, "Accept"))
        .json(disclosure))
}

/// Anonymizes one person (admin of the person's city; the platform admin,
/// who alone anonymizes a person of no city, such as a partner). Their
/// e-mail, name, sign-in identities, second factor, password, tokens,
/// invitations and preferences go, the account is disabled; its id stays,
/// so the audit trail and the figures are unchanged. 409 while the person
/// is the contact of an open case, for one's own account, and for an
/// account already anonymized.
#[utoipa::path(operation_id = "createAnonymization", tag = "personal-data", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The person's account")),
    responses((status = 200, description = "Anonymized", body = Anonymization),
        (status = 403, description = "Not an admin", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such person, or not of the caller's city", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The person is the contact of an open case, is the caller, or is anonymized already", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[post("/users/{id}/anonymization")]
pub async fn anonymize(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    authorize(
        &caller.actor,
        Action::AnonymizePerson {
            municipality_id: match caller.actor.role {
                Role::PlatformAdmin => None,
                _ => caller.actor.municipality_id,
            },
        },
    )?;
    let mut conn = pool::connection(&state.pool).await?;
    let done = conn
        .transaction(async |conn| {
            let person = users_db::find_for_update(conn, *id)
                .await?
                .ok_or(ApiError::NotFound)?;
            authorize(
                &caller.actor,
                Action::AnonymizePerson {
                    municipality_id: person.municipality_id,
                },
            )?;
            if person.id == caller.actor.id {
                return Err(ApiError::Conflict {
                    detail: "you cannot anonymize your own account; ask another admin".into(),
                    extra: None,
                });
            }
            if db::anonymized_at(conn, person.id).await?.is_some() {
                return Err(ApiError::Conflict {
                    detail: "this person is anonymized already".into(),
                    extra: None,
                });
            }
            let open = db::open_cases_of_contact(conn, person.id).await?;
            if !open.is_empty() {
                return Err(ApiError::Conflict {
                    detail: format!(
                        "this person is the contact of open cases ({}): close them or change their contact first",
                        open.join(", ")
                    ),
                    extra: None,
                });
            }
            let counts = db::anonymize_person(conn, person.id)
                .await?
                .ok_or(ApiError::NotFound)?;
            let anonymized_at = db::anonymized_at(conn, person.id)
                .await?
                .unwrap_or_else(Utc::now);
            record::write(
                conn,
                &caller,
                Change {
                    action: "user.anonymize".into(),
                    target_type: "user",
                    target_id: person.id.to_string(),
                    changes: json!({"counts": counts}),
                    event: FeedEvent::desk(EventKind::UserAnonymized)
                        .subject(person.id)
                        .in_municipality(person.municipality_id),
                },
            )
            .await?;
            Ok::<_, ApiError>(Anonymization {
                user_id: person.id,
                anonymized_at,
                counts,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(done))
}
