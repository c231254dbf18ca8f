//! The filters of a directory search, shared by the list, the map, the
//! figures and the exports.

use crate::http::problem::{ApiError, ApiResult};
use living_gate_db::directory::resource_search::{Near, SearchFilter};
use living_gate_db::AsyncPgConnection;
use living_gate_domain::directory::{
    parse_near, LegalForm, ParticipationIntent, Reader, Vocabulary,
};
use living_gate_domain::names::bounded_text;
use living_gate_domain::ValidationErrors;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

/// The filters of a directory search (combined with AND), shared by the
/// list, the map, the figures and the exports.
#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct ResourceFilterParams {
    /// Words that must all occur in the name, kana, other names or description
    /// (substring; full-/half-width and katakana/hiragana are equivalent).
    /// Addresses and contacts are not searched.
    #[param(max_length = 100, example = "就労")]
    pub q: Option<String>,
    /// A topic code; entries with a descendant term match too.
    #[param(example = "family")]
    pub topic: Option<String>,
    /// A form code; entries with a descendant term match too.
    #[param(example = "place_to_belong")]
    pub form: Option<String>,
    /// A municipality the entry serves.
    pub serves: Option<Uuid>,
    /// The municipality where the entry is.
    pub municipality_id: Option<Uuid>,
    pub intent: Option<ParticipationIntent>,
    pub legal_form: Option<LegalForm>,
    /// `latitude,longitude`: only entries with a location within `radius_km`.
    /// For the public, only entries whose position is public.
    #[param(pattern = r"^-?[0-9.]+,\s*-?[0-9.]+$", example = "35.4886,139.4075")]
    pub near: Option<String>,
    /// Radius around `near`, 0.1 to 50 km (default 5).
    #[param(minimum = 0.1, maximum = 50, example = 3)]
    pub radius_km: Option<f64>,
}

impl ResourceFilterParams {
    /// The database filter for `reader`; 422 on an invalid parameter.
    pub fn filter(&self, reader: &Reader) -> ApiResult<SearchFilter> {
        let mut errors = ValidationErrors::new();
        let terms = match self.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            None => Vec::new(),
            Some(q) => match errors.check(bounded_text("q", q, 1, 100)) {
                Some(q) => q
                    .split(char::is_whitespace)
                    .filter(|w| !w.is_empty())
                    .take(5)
                    .map(str::to_owned)
                    .collect(),
                None => Vec::new(),
            },
        };
        let near = match &self.near {
            None => {
                if self.radius_km.is_some() {
                    errors.add(
                        "radius_km",
                        "requires_near",
                        "give near=latitude,longitude too",
                    );
                }
                None
            }
            Some(raw) => {
                let radius_km = self.radius_km.unwrap_or(5.0);
                if !(0.1..=50.0).contains(&radius_km) {
                    errors.add("radius_km", "out_of_range", "must be between 0.1 and 50");
                }
                errors
                    .check(parse_near("near", raw))
                    .map(|(latitude, longitude)| Near {
                        latitude,
                        longitude,
                        radius_m: radius_km * 1000.0,
                    })
            }
        };
        let code = |errors: &mut ValidationErrors, field: &str, raw: &Option<String>| {
            raw.as_deref()
                .and_then(|v| errors.check(living_gate_domain::names::code(field, v)))
        };
        let topic = code(&mut errors, "topic", &self.topic);
        let form = code(&mut errors, "form", &self.form);
        errors.into_result()?;
        Ok(SearchFilter {
            staff: reader.is_staff(),
            confidential: reader.confidential_municipalities().to_vec(),
            terms,
            topic,
            form,
            serves: self.serves,
            municipality_id: self.municipality_id,
            intent: self.intent,
            legal_form: self.legal_form,
            near,
        })
    }
}

/// 422 when a `topic` or `form` filter names no term.
pub async fn unknown_filter_term(
    conn: &mut AsyncPgConnection,
    filter: &SearchFilter,
) -> ApiResult<Option<ApiError>> {
    for (field, vocabulary, code) in [
        ("topic", Vocabulary::Topic, &filter.topic),
        ("form", Vocabulary::Form, &filter.form),
    ] {
        if let Some(code) = code {
            if living_gate_db::directory::taxonomy::find_by_code(conn, vocabulary, code)
                .await?
                .is_none()
            {
                return Ok(Some(ApiError::validation(
                    field,
                    "unknown_term",
                    "no such term",
                )));
            }
        }
    }
    Ok(None)
}
