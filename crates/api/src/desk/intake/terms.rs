//! The intake terms (seed 000, 提案の取り扱い) the form shows and the
//! submission acknowledges by version.

use crate::http::problem::ApiResult;
use actix_web::{get, HttpResponse};
use living_gate_domain::intake::current_terms;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"version": "2026-04-01", "text_ja": "本窓口は、全ての提案の受け入れや即時事業化を約束するものではなく…", "text_en": "The desk does not promise to accept every proposal…"}))]
pub struct IntakeTerms {
    /// Name it as `terms_version` in the submission.
    pub version: &'static str,
    pub text_ja: &'static str,
    pub text_en: &'static str,
}

/// The current intake terms: what a proposer acknowledges (the desk does
/// not promise acceptance or immediate implementation; the department
/// decides).
#[utoipa::path(operation_id = "getIntakeTerms", tag = "intake", security(()),
    responses((status = 200, description = "The current terms", body = IntakeTerms)))]
#[get("/intake/terms")]
pub async fn get() -> ApiResult<HttpResponse> {
    let terms = current_terms();
    Ok(HttpResponse::Ok().json(IntakeTerms {
        version: terms.version,
        text_ja: terms.text_ja,
        text_en: terms.text_en,
    }))
}
