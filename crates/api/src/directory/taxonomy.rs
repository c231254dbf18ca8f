//! The directory's managed taxonomies: everybody reads them, the desk adds terms.

use crate::auth::{Caller, MaybeCaller};
use crate::http::body::Json;
use crate::http::problem::{ApiError, ApiResult};
use crate::record::{self, EventKind, FeedEvent};
use crate::state::AppState;
use actix_web::{get, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection;
use living_gate_db::directory::taxonomy::{self as db, NewTerm};
use living_gate_db::pool;
use living_gate_domain::directory::Vocabulary;
use living_gate_domain::names::{bounded_text, code};
use living_gate_domain::{authorize, Action, ValidationErrors};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"id": "01900000-0000-7000-8000-000000000105", "vocabulary": "topic", "code": "dv",
    "parent_code": "family", "label_ja": "DV", "label_en": "Domestic violence", "created_at": "2026-11-27T00:00:00Z"}))]
pub struct Term {
    pub id: Uuid,
    pub vocabulary: Vocabulary,
    /// Stable code used in filters (`?topic=dv`) and in entries.
    pub code: String,
    /// The parent term's code (topics form a hierarchy); `null` at the top.
    pub parent_code: Option<String>,
    pub label_ja: String,
    pub label_en: String,
    pub created_at: DateTime<Utc>,
}

fn view(term: db::Term, codes: &HashMap<Uuid, String>) -> Term {
    Term {
        id: term.id,
        vocabulary: term.vocabulary,
        code: term.code,
        parent_code: term.parent_id.and_then(|p| codes.get(&p).cloned()),
        label_ja: term.label_ja,
        label_en: term.label_en,
        created_at: term.created_at,
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TermListParams {
    /// Only this vocabulary (all when absent).
    pub vocabulary: Option<Vocabulary>,
}

/// Every term of a vocabulary. A taxonomy is small (dozens of terms), so it comes whole.
#[derive(Serialize, ToSchema)]
pub struct TermList {
    pub items: Vec<Term>,
}

/// The taxonomy terms (topics, a hierarchy, forms of activity, and the city's policy areas), by vocabulary and code; no token needed.
#[utoipa::path(operation_id = "listTaxonomyTerms", tag = "directory", params(TermListParams), security((), ("bearer" = [])),
    responses((status = 200, description = "Every term", body = TermList)))]
#[get("/taxonomy-terms")]
pub async fn list(
    state: web::Data<AppState>,
    _caller: MaybeCaller,
    params: web::Query<TermListParams>,
) -> ApiResult<HttpResponse> {
    let mut conn = pool::connection(&state.pool).await?;
    let mut terms = db::list(&mut conn, Vocabulary::Topic).await?;
    terms.extend(db::list(&mut conn, Vocabulary::Form).await?);
    terms.extend(db::list(&mut conn, Vocabulary::PolicyArea).await?);
    let codes: HashMap<Uuid, String> = terms.iter().map(|t| (t.id, t.code.clone())).collect();
    let items = terms
        .into_iter()
        .filter(|t| params.vocabulary.is_none_or(|v| v == t.vocabulary))
        .map(|t| view(t, &codes))
        .collect();
    Ok(HttpResponse::Ok().json(TermList { items }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"vocabulary": "topic", "code": "school_refusal", "parent_code": "children",
    "label_ja": "不登校", "label_en": "School refusal"}))]
pub struct CreateTerm {
    pub vocabulary: Vocabulary,
    #[schema(pattern = "^[a-z0-9_-]{2,40}$")]
    pub code: String,
    /// The parent's code, in the same vocabulary.
    #[schema(pattern = "^[a-z0-9_-]{2,40}$")]
    pub parent_code: Option<String>,
    #[schema(min_length = 1, max_length = 100)]
    pub label_ja: String,
    #[schema(min_length = 1, max_length = 100)]
    pub label_en: String,
}

/// Adds a term to a taxonomy (desk).
#[utoipa::path(operation_id = "createTaxonomyTerm", tag = "directory", request_body = CreateTerm, security(("bearer" = [])),
    responses((status = 201, description = "Added", body = Term),
        (status = 403, description = "Only the desk manages the directory", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The code is taken in this vocabulary", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[post("/taxonomy-terms")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<CreateTerm>,
) -> ApiResult<HttpResponse> {
    authorize(&caller.actor, Action::ManageDirectory)?;
    let mut errors = ValidationErrors::new();
    let term_code = errors.check(code("code", &body.code));
    let label_ja = errors.check(bounded_text("label_ja", &body.label_ja, 1, 100));
    let label_en = errors.check(bounded_text("label_en", &body.label_en, 1, 100));
    errors.into_result()?;
    let vocabulary = body.vocabulary;
    let mut conn = pool::connection(&state.pool).await?;
    let parent = match &body.parent_code {
        None => None,
        Some(parent) => Some(
            db::find_by_code(&mut conn, vocabulary, parent)
                .await?
                .ok_or_else(|| {
                    ApiError::validation(
                        "parent_code",
                        "unknown_term",
                        "no such term in this vocabulary",
                    )
                })?,
        ),
    };
    let new = NewTerm {
        id: Uuid::now_v7(),
        vocabulary,
        code: term_code.unwrap_or_default(),
        parent_id: parent.as_ref().map(|p| p.id),
        label_ja: label_ja.unwrap_or_default(),
        label_en: label_en.unwrap_or_default(),
    };
    let row = conn
        .transaction(async |conn| {
            let row = db::insert(conn, &new).await?;
            record::created(
                conn,
                &caller,
                "taxonomy_term",
                &row,
                FeedEvent::desk(EventKind::TaxonomyTermCreated).subject(row.id),
            )
            .await?;
            Ok::<_, ApiError>(row)
        })
        .await?;
    let codes: HashMap<Uuid, String> = parent.map(|p| (p.id, p.code)).into_iter().collect();
    Ok(HttpResponse::Created().json(view(row, &codes)))
}
