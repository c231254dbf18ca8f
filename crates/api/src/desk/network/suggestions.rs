//! Directory entries suggested as network partners of a case, ranked by the
//! topics and forms the desk asks for, the city they serve and their past
//! involvement with the city, each point explained (see
//! [`living_gate_domain::desk::network`]).

use crate::auth::Caller;
use crate::desk::cases::visible;
use crate::http::problem::ApiResult;
use crate::state::AppState;
use actix_web::{get, web, HttpResponse};
use living_gate_db::desk::network_matches as db;
use living_gate_db::{directory::taxonomy, pool};
use living_gate_domain::desk::network::{rank, Candidate, PastInvolvement, Referral};
use living_gate_domain::directory::Vocabulary;
use living_gate_domain::{authorize, Action, ValidationErrors};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NetworkSuggestionParams {
    /// Topic codes the case needs, comma-separated (at most 10; a
    /// descendant term of one counts for it), e.g. `family,children`.
    #[param(example = "family")]
    pub topics: Option<String>,
    /// Form-of-activity codes, comma-separated (at most 10), e.g. `place_to_belong`.
    #[param(example = "place_to_belong")]
    pub forms: Option<String>,
    /// How many, 1 to 50 (default 20).
    #[param(minimum = 1, maximum = 50, example = 20)]
    pub limit: Option<u32>,
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"resource_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9f01", "name": "NPO法人ざま子ども食堂ネット", "score": 11,
    "reasons": ["topics [single_parent] → 3 points", "forms [place_to_belong] → 2 points", "supported by the TRIP of ZLG-2026-0001 → 4 points", "serves the case's city → 2 points"]}))]
pub struct NetworkSuggestion {
    pub resource_id: Uuid,
    pub name: String,
    /// Sum of the points in `reasons`.
    pub score: u32,
    /// Each point counted: 3 per asked topic, 2 per asked form, 4 per
    /// earlier TRIP of the city supporting it, 2 per earlier case it agreed
    /// to partner on, 1 per referral with a past partner of the city, 2
    /// for serving the case's city (added only to an entry that scored).
    pub reasons: Vec<String>,
}

fn codes(field: &str, raw: &Option<String>, errors: &mut ValidationErrors) -> Vec<String> {
    let mut codes: Vec<String> = Vec::new();
    let parts: Vec<&str> = raw
        .as_deref()
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    if parts.len() > 10 {
        errors.add(field, "too_many", "at most 10 codes");
        return codes;
    }
    for part in parts {
        if let Some(code) = errors.check(living_gate_domain::names::code(field, part)) {
            if !codes.contains(&code) {
                codes.push(code);
            }
        }
    }
    codes
}

/// Directory entries ranked as network partners for this case, with the
/// reason for each point (the desk). Entries already proposed or accepted
/// on the case are left out.
#[utoipa::path(operation_id = "listNetworkMatchSuggestions", tag = "matches", params(NetworkSuggestionParams), security(("bearer" = [])),
    responses((status = 200, description = "Ranked entries, best first", body = Vec<NetworkSuggestion>),
        (status = 403, description = "Only the desk gets suggestions", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case visible to you", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A malformed or unknown topic or form code, too many codes, or a limit out of range", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[get("/proposals/{id}/network-match-suggestions")]
pub async fn suggestions(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    params: web::Query<NetworkSuggestionParams>,
) -> ApiResult<HttpResponse> {
    let mut conn = pool::connection(&state.pool).await?;
    let case = visible(&mut conn, &caller.actor, *id).await?;
    authorize(&caller.actor, Action::CoordinateCase)?;
    let mut errors = ValidationErrors::new();
    let topics = codes("topics", &params.topics, &mut errors);
    let forms = codes("forms", &params.forms, &mut errors);
    let limit = params.limit.unwrap_or(20);
    if !(1..=50).contains(&limit) {
        errors.add("limit", "out_of_range", "must be between 1 and 50");
    }
    errors.into_result()?;
    let mut errors = ValidationErrors::new();
    for (field, vocabulary, asked) in [
        ("topics", Vocabulary::Topic, &topics),
        ("forms", Vocabulary::Form, &forms),
    ] {
        for code in taxonomy::unknown_codes(&mut conn, vocabulary, asked).await? {
            errors.add(
                field,
                "unknown_term",
                format!("no {vocabulary} term with code {code}"),
            );
        }
    }
    errors.into_result()?;
    let candidates: Vec<Candidate> =
        db::candidates(&mut conn, case.municipality_id, case.id, &topics, &forms)
            .await?
            .into_iter()
            .map(|c| Candidate {
                resource_id: c.resource_id,
                name: c.name,
                matched_topics: c.matched_topics,
                matched_forms: c.matched_forms,
                serves_city: c.serves_city,
            })
            .collect();
    let history: Vec<PastInvolvement> = db::involvements(&mut conn, case.municipality_id, case.id)
        .await?
        .into_iter()
        .map(|h| PastInvolvement {
            resource_id: h.resource_id,
            reference: h.reference,
            role: h.role,
        })
        .collect();
    let ids: Vec<Uuid> = candidates.iter().map(|c| c.resource_id).collect();
    let referrals: Vec<Referral> = db::referrals(&mut conn, case.municipality_id, case.id, &ids)
        .await?
        .into_iter()
        .map(|r| Referral {
            resource_id: r.resource_id,
            other_name: r.other_name,
            introduced: r.introduced,
        })
        .collect();
    let ranked: Vec<NetworkSuggestion> = rank(&candidates, &history, &referrals, limit as usize)
        .into_iter()
        .map(|s| NetworkSuggestion {
            resource_id: s.resource_id,
            name: s.name,
            score: s.score,
            reasons: s.reasons,
        })
        .collect();
    Ok(HttpResponse::Ok().json(ranked))
}
