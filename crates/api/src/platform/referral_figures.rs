//! The platform's main outcome (seed 002): introductions per fiscal year by
//! from-city × to-city × topic, with their outcomes. Counts only, of every
//! city: the figures are the platform's, shared like the directory.

use crate::auth::Caller;
use crate::http::bounds::check_year;
use crate::http::problem::ApiResult;
use crate::kpis::inputs::{wants_csv, Format};
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{get, web, HttpRequest, HttpResponse};
use chrono::Utc;
use living_gate_db::directory::taxonomy;
use living_gate_db::platform::referrals as db;
use living_gate_db::pool;
use living_gate_db::reference::municipalities;
use living_gate_domain::directory::Vocabulary;
use living_gate_domain::platform::referral::ReferralOutcome;
use living_gate_domain::{authorize, csv, Action};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

const DEFINITION: &str = "Introductions of residents to directory entries recorded by support \
workers, counted by the fiscal year (April–March, Japan time) of the day introduced, the \
worker's city (from), the entry's city when recorded (to) and topic. The row without a topic \
counts each introduction once; topic rows overlap (an introduction on two topics is in both).";

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct FigureParams {
    /// The fiscal year (April–March, Japan time); default: the current one.
    #[param(minimum = 2000, maximum = 2200, example = 2026)]
    pub fiscal_year: Option<i32>,
    pub format: Option<Format>,
}

#[derive(Serialize, ToSchema, Clone)]
pub struct CityRef {
    pub id: Uuid,
    /// 全国地方公共団体コード.
    pub code: String,
    pub name: String,
}

/// Introductions by outcome.
#[derive(Serialize, ToSchema, Default, Clone, Copy)]
pub struct ByOutcome {
    pub unknown: i64,
    pub contacted: i64,
    pub using: i64,
    pub not_used: i64,
}

impl ByOutcome {
    fn add(&mut self, outcome: ReferralOutcome, n: i64) {
        match outcome {
            ReferralOutcome::Unknown => self.unknown += n,
            ReferralOutcome::Contacted => self.contacted += n,
            ReferralOutcome::Using => self.using += n,
            ReferralOutcome::NotUsed => self.not_used += n,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct FigureRow {
    pub from_municipality: CityRef,
    pub to_municipality: CityRef,
    /// A topic code; `null` counts each introduction once.
    pub topic: Option<String>,
    pub topic_label: Option<String>,
    /// `from` and `to` differ.
    pub cross_border: bool,
    pub referrals: i64,
    pub by_outcome: ByOutcome,
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"fiscal_year": 2026, "definition": "Introductions of residents …",
    "total": 1, "cross_border": 1, "rows": [{
        "from_municipality": {"id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e03", "code": "142131", "name": "大和市"},
        "to_municipality": {"id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e04", "code": "142158", "name": "海老名市"},
        "topic": null, "topic_label": null, "cross_border": true, "referrals": 1,
        "by_outcome": {"unknown": 1, "contacted": 0, "using": 0, "not_used": 0}}]}))]
pub struct ReferralFigures {
    pub fiscal_year: i32,
    pub definition: &'static str,
    /// Introductions of the year, each once.
    pub total: i64,
    /// Of which to an entry of another city.
    pub cross_border: i64,
    /// From × to (topic `null`) and from × to × topic, by outcome.
    pub rows: Vec<FigureRow>,
}

const HEADERS: [&str; 13] = [
    "fiscal_year",
    "from_code",
    "from_name",
    "to_code",
    "to_name",
    "topic",
    "topic_label",
    "cross_border",
    "referrals",
    "unknown",
    "contacted",
    "using",
    "not_used",
];

impl FigureRow {
    fn cells(&self, fiscal_year: i32) -> Vec<String> {
        vec![
            fiscal_year.to_string(),
            self.from_municipality.code.clone(),
            self.from_municipality.name.clone(),
            self.to_municipality.code.clone(),
            self.to_municipality.name.clone(),
            self.topic.clone().unwrap_or_default(),
            self.topic_label.clone().unwrap_or_default(),
            self.cross_border.to_string(),
            self.referrals.to_string(),
            self.by_outcome.unknown.to_string(),
            self.by_outcome.contacted.to_string(),
            self.by_outcome.using.to_string(),
            self.by_outcome.not_used.to_string(),
        ]
    }
}

/// The year's introductions by from-city × to-city × topic, with outcomes
/// (the desk, admins, analysts; every city's counts). `Accept: text/csv`
/// (or `?format=csv`) gives one row per cell.
#[utoipa::path(operation_id = "getReferralFigures", tag = "platform", params(FigureParams), security(("bearer" = [])),
    responses((status = 200, description = "The figures of the fiscal year", content(
            (ReferralFigures = "application/json"),
            (String = "text/csv", example = "\u{feff}\"fiscal_year\",\"from_code\",\"from_name\",\"to_code\",\"to_name\",\"topic\",\"topic_label\",\"cross_border\",\"referrals\",\"unknown\",\"contacted\",\"using\",\"not_used\"\r\n\"2026\",\"142131\",\"大和市\",\"142158\",\"海老名市\",\"\",\"\",\"true\",\"1\",\"1\",\"0\",\"0\",\"0\"\r\n"))),
        (status = 403, description = "Only the desk, admins and analysts read figures", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[get("/referral-figures")]
pub async fn figures(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    params: web::Query<FigureParams>,
) -> ApiResult<HttpResponse> {
    authorize(&caller.actor, Action::ReadKpis)?;
    let fiscal_year = check_year(
        "fiscal_year",
        params
            .fiscal_year
            .unwrap_or_else(|| living_gate_domain::fiscal::fiscal_year(Utc::now())),
    )?;
    let mut conn = pool::connection(&state.pool).await?;
    let counts = db::counts(&mut conn, fiscal_year).await?;
    let mut cities: HashMap<Uuid, CityRef> = HashMap::new();
    for c in &counts {
        for id in [c.from_municipality_id, c.to_municipality_id] {
            if let std::collections::hash_map::Entry::Vacant(slot) = cities.entry(id) {
                if let Some(m) = municipalities::find(&mut conn, id).await? {
                    slot.insert(CityRef {
                        id,
                        code: m.code,
                        name: m.name,
                    });
                }
            }
        }
    }
    let labels: HashMap<String, String> = taxonomy::list(&mut conn, Vocabulary::Topic)
        .await?
        .into_iter()
        .map(|t| (t.code, t.label_ja))
        .collect();
    let figures = assemble(fiscal_year, counts, &cities, &labels);
    if wants_csv(&req, params.format) {
        return Ok(crate::http::download::csv(
            &format!("referrals-FY{fiscal_year}"),
            csv::document(&HEADERS, figures.rows.iter().map(|r| r.cells(fiscal_year))),
        ));
    }
    Ok(HttpResponse::Ok()
        .insert_header((header::VARY, "Accept"))
        .json(figures))
}

fn assemble(
    fiscal_year: i32,
    counts: Vec<db::Count>,
    cities: &HashMap<Uuid, CityRef>,
    labels: &HashMap<String, String>,
) -> ReferralFigures {
    // (from code, to code, topic) keeps the rows in an order a reader follows.
    let mut cells: BTreeMap<(String, String, String), (Uuid, Uuid, ByOutcome)> = BTreeMap::new();
    let code = |id: &Uuid| cities.get(id).map(|c| c.code.clone()).unwrap_or_default();
    for c in counts {
        let key = (
            code(&c.from_municipality_id),
            code(&c.to_municipality_id),
            c.topic.clone(),
        );
        let cell = cells.entry(key).or_insert((
            c.from_municipality_id,
            c.to_municipality_id,
            ByOutcome::default(),
        ));
        cell.2.add(c.outcome, c.referrals);
    }
    let city = |id: Uuid| {
        cities.get(&id).cloned().unwrap_or(CityRef {
            id,
            code: String::new(),
            name: String::new(),
        })
    };
    let (mut total, mut cross_border) = (0, 0);
    let rows: Vec<FigureRow> = cells
        .into_iter()
        .map(|((_, _, topic), (from, to, by_outcome))| {
            let referrals =
                by_outcome.unknown + by_outcome.contacted + by_outcome.using + by_outcome.not_used;
            if topic.is_empty() {
                total += referrals;
                if from != to {
                    cross_border += referrals;
                }
            }
            let topic = (!topic.is_empty()).then_some(topic);
            FigureRow {
                from_municipality: city(from),
                to_municipality: city(to),
                topic_label: topic.as_ref().and_then(|t| labels.get(t).cloned()),
                topic,
                cross_border: from != to,
                referrals,
                by_outcome,
            }
        })
        .collect();
    ReferralFigures {
        fiscal_year,
        definition: DEFINITION,
        total,
        cross_border,
        rows,
    }
}
