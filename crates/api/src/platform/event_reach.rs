//! The reach of the platform's events per fiscal year × kind (seed 002,
//! FY2024: an exhibition with 3,198 visitors, a symposium with 126,
//! workshops with about 60). Counts only, of every city, like the
//! introductions' figures.

use crate::auth::Caller;
use crate::http::bounds::check_year;
use crate::http::problem::ApiResult;
use crate::kpis::inputs::{wants_csv, Format};
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{get, web, HttpRequest, HttpResponse};
use chrono::Utc;
use living_gate_db::platform::events as db;
use living_gate_db::pool;
use living_gate_domain::platform::event::{share, PlatformEventKind};
use living_gate_domain::{authorize, csv, Action};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

const DEFINITION: &str = "Events of the platform (exhibitions, workshops, symposiums, study \
sessions) counted by the fiscal year (April–March, Japan time) of their first day and kind: \
the events, the people who came, of them clients of support services, the questionnaires \
returned and of them the answers that they felt it; felt_it_share = felt_it / \
questionnaire_responses.";

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReachParams {
    /// The fiscal year (April–March, Japan time); default: the current one.
    #[param(minimum = 2000, maximum = 2200, example = 2024)]
    pub fiscal_year: Option<i32>,
    pub format: Option<Format>,
}

/// The reach of one kind of event (or of every kind: `kind` null).
#[derive(Serialize, ToSchema, Default)]
pub struct ReachRow {
    /// Null: all kinds together.
    pub kind: Option<PlatformEventKind>,
    pub events: i64,
    pub attendance: i64,
    pub clients_of_support: i64,
    pub questionnaire_responses: i64,
    pub felt_it: i64,
    /// Null without responses.
    pub felt_it_share: Option<f64>,
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"fiscal_year": 2024, "definition": "Events of the platform …",
    "total": {"kind": null, "events": 3, "attendance": 3384, "clients_of_support": 12, "questionnaire_responses": 48, "felt_it": 39, "felt_it_share": 0.8125},
    "rows": [{"kind": "exhibition", "events": 1, "attendance": 3198, "clients_of_support": 0, "questionnaire_responses": 0, "felt_it": 0, "felt_it_share": null}]}))]
pub struct EventReach {
    pub fiscal_year: i32,
    pub definition: &'static str,
    pub total: ReachRow,
    /// One row per kind, every kind (zeros where none was held).
    pub rows: Vec<ReachRow>,
}

const HEADERS: [&str; 8] = [
    "fiscal_year",
    "kind",
    "events",
    "attendance",
    "clients_of_support",
    "questionnaire_responses",
    "felt_it",
    "felt_it_share",
];

impl ReachRow {
    fn cells(&self, fiscal_year: i32) -> Vec<String> {
        vec![
            fiscal_year.to_string(),
            self.kind.map(|k| k.as_str().to_owned()).unwrap_or_default(),
            self.events.to_string(),
            self.attendance.to_string(),
            self.clients_of_support.to_string(),
            self.questionnaire_responses.to_string(),
            self.felt_it.to_string(),
            self.felt_it_share
                .map(|s| format!("{s:.4}"))
                .unwrap_or_default(),
        ]
    }
}

/// The events' reach in a fiscal year by kind (the desk, admins, analysts;
/// every city's). `Accept: text/csv` (or `?format=csv`) gives one row per
/// kind and a total row (kind empty).
#[utoipa::path(operation_id = "getEventReach", tag = "platform", params(ReachParams), security(("bearer" = [])),
    responses((status = 200, description = "The reach of the fiscal year", content(
            (EventReach = "application/json"),
            (String = "text/csv", example = "\u{feff}\"fiscal_year\",\"kind\",\"events\",\"attendance\",\"clients_of_support\",\"questionnaire_responses\",\"felt_it\",\"felt_it_share\"\r\n\"2024\",\"exhibition\",\"1\",\"3198\",\"0\",\"0\",\"0\",\"\"\r\n"))),
        (status = 403, description = "Only the desk, admins and analysts read figures", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[get("/event-reach")]
pub async fn reach(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    params: web::Query<ReachParams>,
) -> ApiResult<HttpResponse> {
    authorize(&caller.actor, Action::ReadKpis)?;
    let fiscal_year = check_year(
        "fiscal_year",
        params
            .fiscal_year
            .unwrap_or_else(|| living_gate_domain::fiscal::fiscal_year(Utc::now())),
    )?;
    let mut conn = pool::connection(&state.pool).await?;
    let counted = db::reach(&mut conn, fiscal_year).await?;
    let mut total = ReachRow::default();
    let rows: Vec<ReachRow> = PlatformEventKind::ALL
        .iter()
        .map(|kind| {
            let mut row = ReachRow {
                kind: Some(*kind),
                ..ReachRow::default()
            };
            if let Some(c) = counted.iter().find(|c| c.kind == kind.as_str()) {
                row.events = c.events;
                row.attendance = c.attendance;
                row.clients_of_support = c.clients_of_support;
                row.questionnaire_responses = c.questionnaire_responses;
                row.felt_it = c.felt_it;
                row.felt_it_share = share(c.felt_it, c.questionnaire_responses);
            }
            total.events += row.events;
            total.attendance += row.attendance;
            total.clients_of_support += row.clients_of_support;
            total.questionnaire_responses += row.questionnaire_responses;
            total.felt_it += row.felt_it;
            row
        })
        .collect();
    total.felt_it_share = share(total.felt_it, total.questionnaire_responses);
    if wants_csv(&req, params.format) {
        return Ok(crate::http::download::csv(
            &format!("event-reach-FY{fiscal_year}"),
            csv::document(
                &HEADERS,
                rows.iter()
                    .chain(std::iter::once(&total))
                    .map(|r| r.cells(fiscal_year)),
            ),
        ));
    }
    Ok(HttpResponse::Ok()
        .insert_header((header::VARY, "Accept"))
        .json(EventReach {
            fiscal_year,
            definition: DEFINITION,
            total,
            rows,
        }))
}
