//! Survey campaigns of the directory (seed 002's survey as data): the desk
//! runs them, staff read them. An answer updates the entry it concerns.

use crate::auth::Caller;
use crate::directory::editing::{authorize_edit, create_entry};
use crate::directory::entries::created_response;
use crate::directory::entry_view::Resource;
use crate::directory::input::{parse_create, CreateResource};
use crate::http::body::Json;
use crate::http::pagination::{PageParams, Paginated};
use crate::http::problem::{ApiError, ApiResult};
use crate::record::{self, EventKind, FeedEvent};
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{get, post, web, HttpResponse};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use diesel_async::AsyncConnection;
use living_gate_db::directory::resources::{self as resources_db, ResourceChanges};
use living_gate_db::directory::surveys::{self as db, NewCampaign, NewRecipient};
use living_gate_db::directory::taxonomy;
use living_gate_db::{pool, reference::municipalities};
use living_gate_domain::directory::{ParticipationIntent, SurveyChannel, Vocabulary};
use living_gate_domain::names::bounded_text;
use living_gate_domain::platform::meeting::check_texts;
use living_gate_domain::platform::survey::{self, WorksOn, MAX_IDEA, MAX_IDEAS, MAX_INTRODUCED};
use living_gate_domain::{authorize, Action};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"title": "孤独・孤立対策 地域資源調査 2026", "starts_on": "2026-06-01", "ends_on": "2026-07-31"}))]
pub struct CreateCampaign {
    #[schema(min_length = 1, max_length = 200)]
    pub title: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}

/// Distributed and answered counts.
#[derive(Serialize, ToSchema)]
pub struct Tally {
    /// A channel, or a municipality id.
    pub key: String,
    pub distributed: i64,
    pub answered: i64,
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9fa1", "title": "孤独・孤立対策 地域資源調査 2026",
    "starts_on": "2026-06-01", "ends_on": "2026-07-31", "distributed": 157, "answered": 63,
    "by_channel": [{"key": "email", "distributed": 90, "answered": 41}],
    "by_municipality": [{"key": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e02", "distributed": 60, "answered": 25}],
    "response_rate": 0.4013,
    "content": {"works_on": [{"key": "kodoku_koritsu", "answered": 20}], "kodoku_koritsu": 31,
        "kodoku_koritsu_by_municipality": [{"key": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e02", "answered": 12}],
        "kodoku_koritsu_by_form": [{"key": "ibasho", "answered": 9}]},
    "created_at": "2026-06-01T00:00:00Z"}))]
pub struct Campaign {
    pub id: Uuid,
    pub title: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// Organizations the survey was sent to.
    pub distributed: i64,
    pub answered: i64,
    pub by_channel: Vec<Tally>,
    /// By municipality id of the recipient.
    pub by_municipality: Vec<Tally>,
    /// `answered / distributed`; null before anything was sent.
    pub response_rate: Option<f64>,
    /// What the answers say.
    pub content: SurveyContent,
    pub created_at: DateTime<Utc>,
}

/// Answers counted by one key.
#[derive(Serialize, ToSchema)]
pub struct ContentTally {
    /// A `works_on` value (`""`: not answered), a municipality id, or a form code.
    pub key: String,
    pub answered: i64,
}

/// The content of the answers: how many work on つながり / 孤独・孤立, and of
/// those working on 孤独・孤立 (`kodoku_koritsu` or `both`), by city and by
/// form of activity (an answer with two forms is in both).
#[derive(Serialize, ToSchema)]
pub struct SurveyContent {
    pub works_on: Vec<ContentTally>,
    /// Answers working on 孤独・孤立 (`kodoku_koritsu` or `both`).
    pub kodoku_koritsu: i64,
    /// By municipality id of the recipient.
    pub kodoku_koritsu_by_municipality: Vec<ContentTally>,
    /// By form code (vocabulary `form`).
    pub kodoku_koritsu_by_form: Vec<ContentTally>,
}

async fn campaign_view(
    conn: &mut living_gate_db::AsyncPgConnection,
    c: db::Campaign,
) -> ApiResult<Campaign> {
    let tallies = db::report(conn, c.id).await?;
    let pick = |dimension: &str| {
        let mut out: Vec<Tally> = tallies
            .iter()
            .filter(|t| t.dimension == dimension)
            .map(|t| Tally {
                key: t.key.clone(),
                distributed: t.distributed,
                answered: t.answered,
            })
            .collect();
        out.sort_by(|a, b| b.distributed.cmp(&a.distributed).then(a.key.cmp(&b.key)));
        out
    };
    let total = tallies.iter().find(|t| t.dimension == "total");
    let counted = db::content(conn, c.id).await?;
    let content_of = |dimension: &str| {
        let mut out: Vec<ContentTally> = counted
            .iter()
            .filter(|t| t.dimension == dimension)
            .map(|t| ContentTally {
                key: t.key.clone(),
                answered: t.answered,
            })
            .collect();
        out.sort_by(|a, b| b.answered.cmp(&a.answered).then(a.key.cmp(&b.key)));
        out
    };
    let works_on = content_of("works_on");
    let kodoku_koritsu = works_on
        .iter()
        .filter(|t| {
            living_gate_domain::code::parse::<WorksOn>(&t.key).is_ok_and(WorksOn::on_kodoku_koritsu)
        })
        .map(|t| t.answered)
        .sum();
    let (distributed, answered) = (
        total.map_or(0, |t| t.distributed),
        total.map_or(0, |t| t.answered),
    );
    Ok(Campaign {
        id: c.id,
        title: c.title,
        starts_on: c.starts_on,
        ends_on: c.ends_on,
        distributed,
        answered,
        by_channel: pick("channel"),
        by_municipality: pick("municipality"),
        response_rate: living_gate_domain::platform::event::share(answered, distributed),
        content: SurveyContent {
            works_on,
            kodoku_koritsu,
            kodoku_koritsu_by_municipality: content_of("municipality"),
            kodoku_koritsu_by_form: content_of("form"),
        },
        created_at: c.created_at,
    })
}

/// Starts a survey campaign (desk).
#[utoipa::path(operation_id = "createSurvey", tag = "directory", request_body = CreateCampaign, security(("bearer" = [])),
    responses((status = 201, description = "Created", body = Campaign, headers(("Location" = String))),
        (status = 403, description = "Only the desk runs surveys", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[post("/surveys")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<CreateCampaign>,
) -> ApiResult<HttpResponse> {
    authorize(&caller.actor, Action::ManageDirectory)?;
    let title = bounded_text("title", &body.title, 1, 200)?;
    if body.ends_on < body.starts_on {
        return Err(ApiError::validation(
            "ends_on",
            "before_start",
            "must not be before starts_on",
        ));
    }
    let mut conn = pool::connection(&state.pool).await?;
    let row = conn
        .transaction(async |conn| {
            let row = db::insert_campaign(
                conn,
                &NewCampaign {
                    id: Uuid::now_v7(),
                    title,
                    starts_on: body.starts_on,
                    ends_on: body.ends_on,
                },
            )
            .await?;
            record::created(
                conn,
                &caller,
                "survey",
                &row,
                FeedEvent::desk(EventKind::SurveyCreated).subject(row.id),
            )
            .await?;
            Ok::<_, ApiError>(row)
        })
        .await?;
    let location = format!("/v1/surveys/{}", row.id);
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, location))
        .json(campaign_view(&mut conn, row).await?))
}

/// The survey campaigns (desk, departments).
#[utoipa::path(operation_id = "listSurveys", tag = "directory", params(PageParams), security(("bearer" = [])),
    responses((status = 200, description = "A page of campaigns", body = Paginated<Campaign>),
        (status = 403, description = "Surveys are for the desk and departments", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[get("/surveys")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    params: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    authorize(&caller.actor, Action::ReadSurveys)?;
    let page = params.page()?;
    let mut conn = pool::connection(&state.pool).await?;
    let (rows, next) = page.finish(db::list_campaigns(&mut conn, page).await?, |c| c.id);
    let mut items = Vec::with_capacity(rows.len());
    for row in rows {
        items.push(campaign_view(&mut conn, row).await?);
    }
    Ok(HttpResponse::Ok().json(Paginated::new(items, next)))
}

/// A campaign with its report: distributed vs answered, by channel and by city (desk, departments).
#[utoipa::path(operation_id = "getSurvey", tag = "directory", security(("bearer" = [])),
    responses((status = 200, description = "The campaign and its report", body = Campaign),
        (status = 403, description = "Surveys are for the desk and departments", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[get("/surveys/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    authorize(&caller.actor, Action::ReadSurveys)?;
    let mut conn = pool::connection(&state.pool).await?;
    let row = db::find_campaign(&mut conn, *id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(HttpResponse::Ok().json(campaign_view(&mut conn, row).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"resource_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9f01", "channel": "email", "sent_on": "2026-06-03"}))]
pub struct AddRecipient {
    /// The directory entry the survey went to; or give `prospective_name`.
    pub resource_id: Option<Uuid>,
    /// An organization not (yet) in the directory.
    #[schema(min_length = 1, max_length = 200)]
    pub prospective_name: Option<String>,
    /// Its city; defaults to the entry's.
    pub municipality_id: Option<Uuid>,
    pub channel: SurveyChannel,
    pub sent_on: NaiveDate,
}

#[derive(Serialize, ToSchema)]
pub struct Recipient {
    pub id: Uuid,
    pub campaign_id: Uuid,
    pub resource_id: Option<Uuid>,
    pub prospective_name: Option<String>,
    pub municipality_id: Uuid,
    pub channel: SurveyChannel,
    pub sent_on: NaiveDate,
    pub answered_on: Option<NaiveDate>,
    /// Forms of activity as answered (vocabulary `form`).
    pub activities: Vec<String>,
    pub works_on: Option<WorksOn>,
    pub ideas: Vec<String>,
    /// Organizations it introduced that are not in the directory, by name.
    pub introduced_names: Vec<String>,
    pub participation_intent: Option<ParticipationIntent>,
}

impl From<db::Recipient> for Recipient {
    fn from(r: db::Recipient) -> Self {
        Recipient {
            id: r.id,
            campaign_id: r.campaign_id,
            resource_id: r.resource_id,
            prospective_name: r.prospective_name,
            municipality_id: r.municipality_id,
            channel: r.channel,
            sent_on: r.sent_on,
            answered_on: r.answered_on,
            activities: r.activities,
            works_on: r.works_on,
            ideas: r.ideas,
            introduced_names: r.introduced_names,
            participation_intent: r.participation_intent,
        }
    }
}

/// Adds an organization to the distribution list (desk).
#[utoipa::path(operation_id = "addSurveyRecipient", tag = "directory", request_body = AddRecipient, security(("bearer" = [])),
    responses((status = 201, description = "Added", body = Recipient),
        (status = 403, description = "Only the desk runs surveys", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The entry is already on the list", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[post("/surveys/{id}/recipients")]
pub async fn add_recipient(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: Json<AddRecipient>,
) -> ApiResult<HttpResponse> {
    authorize(&caller.actor, Action::ManageDirectory)?;
    let prospective = body
        .prospective_name
        .as_deref()
        .map(|n| bounded_text("prospective_name", n, 1, 200))
        .transpose()?;
    let mut conn = pool::connection(&state.pool).await?;
    let campaign = db::find_campaign(&mut conn, *id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let entry = match body.resource_id {
        Some(rid) => Some(resources_db::find(&mut conn, rid).await?.ok_or_else(|| {
            ApiError::validation(
                "resource_id",
                "unknown_reference",
                "no such directory entry",
            )
        })?),
        None if prospective.is_none() => {
            return Err(ApiError::validation(
                "resource_id",
                "required",
                "give resource_id or prospective_name",
            ))
        }
        None => None,
    };
    let municipality_id = match (body.municipality_id, &entry) {
        (Some(m), _) => m,
        (None, Some(e)) => e.municipality_id,
        (None, None) => {
            return Err(ApiError::validation(
                "municipality_id",
                "required",
                "give the city of a prospective organization",
            ))
        }
    };
    if municipalities::find(&mut conn, municipality_id)
        .await?
        .is_none()
    {
        return Err(ApiError::validation(
            "municipality_id",
            "unknown_reference",
            "no such municipality",
        ));
    }
    let row = conn
        .transaction(async |conn| {
            let row = db::insert_recipient(
                conn,
                &NewRecipient {
                    id: Uuid::now_v7(),
                    campaign_id: campaign.id,
                    resource_id: entry.as_ref().map(|e| e.id),
                    prospective_name: prospective.clone(),
                    municipality_id,
                    channel: body.channel,
                    sent_on: body.sent_on,
                    answered_on: None,
                },
            )
            .await?;
            record::created(
                conn,
                &caller,
                "survey_recipient",
                &row,
                FeedEvent::desk(EventKind::SurveyRecipientAdded).subject(row.id),
            )
            .await?;
            Ok::<_, ApiError>(row)
        })
        .await?;
    Ok(HttpResponse::Created().json(Recipient::from(row)))
}

/// Makes a prospective recipient (an organization not in the directory)
/// an entry in one step: the desk of the organization's city completes it
/// with the body of `POST /v1/resources`, and in one transaction the entry
/// is created (audited, `resource_created`) and the recipient points at it
/// (audited, `survey_recipient_entered`). Its answer stays on the
/// recipient.
#[utoipa::path(operation_id = "createSurveyRecipientEntry", tag = "directory", request_body = CreateResource, security(("bearer" = [])),
    responses((status = 201, description = "The new entry", body = Resource, headers(("ETag" = String), ("Location" = String))),
        (status = 403, description = "Only the desk of the organization's city creates its entry", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The recipient is a directory entry already, or the external key is taken", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or `municipality_id` is not the recipient's city (`municipality_mismatch`)", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[post("/surveys/{id}/recipients/{recipient_id}/entry")]
pub async fn make_entry(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
    body: Json<CreateResource>,
) -> ApiResult<HttpResponse> {
    let (campaign_id, recipient_id) = path.into_inner();
    authorize_edit(&caller, body.municipality_id)?;
    let mut conn = pool::connection(&state.pool).await?;
    let new = parse_create(&mut conn, &body, caller.actor.id).await?;
    let id = Uuid::now_v7();
    let created = conn
        .transaction(async |conn| {
            let before = db::find_recipient_for_update(conn, campaign_id, recipient_id)
                .await?
                .ok_or(ApiError::NotFound)?;
            if before.resource_id.is_some() {
                return Err(ApiError::Conflict {
                    detail: "the recipient is a directory entry already".into(),
                    extra: None,
                });
            }
            if before.municipality_id != body.municipality_id {
                return Err(ApiError::validation(
                    "municipality_id",
                    "municipality_mismatch",
                    "the entry is in the recipient's city",
                ));
            }
            let created = create_entry(conn, &caller, id, new).await?;
            let after = db::link_entry(conn, before.id, id).await?;
            record::updated(
                conn,
                &caller,
                "survey_recipient",
                &before,
                &after,
                FeedEvent::desk(EventKind::SurveyRecipientEntered).subject(after.id),
            )
            .await?;
            Ok::<_, ApiError>(created)
        })
        .await?;
    Ok(created_response(&caller, created))
}

/// The distribution list of a campaign (desk, departments).
#[utoipa::path(operation_id = "listSurveyRecipients", tag = "directory", params(PageParams), security(("bearer" = [])),
    responses((status = 200, description = "A page of recipients", body = Paginated<Recipient>),
        (status = 403, description = "Surveys are for the desk and departments", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[get("/surveys/{id}/recipients")]
pub async fn recipients(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    params: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    authorize(&caller.actor, Action::ReadSurveys)?;
    let page = params.page()?;
    let mut conn = pool::connection(&state.pool).await?;
    db::find_campaign(&mut conn, *id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let (rows, next) = page.finish(db::list_recipients(&mut conn, *id, page).await?, |r| r.id);
    Ok(HttpResponse::Ok().json(Paginated::new(
        rows.into_iter().map(Recipient::from).collect(),
        next,
    )))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"answered_on": "2026-06-20", "participation_intent": "yes", "introduced_ids": [],
    "activities": ["ibasho"], "works_on": "both", "ideas": ["多世代が集まれる食堂"], "introduced_names": ["ざま子ども食堂"]}))]
pub struct RecordAnswer {
    pub answered_on: NaiveDate,
    /// PF参画意向 as answered; kept on the answer and written to the entry.
    pub participation_intent: Option<ParticipationIntent>,
    /// The organizations it introduced (紹介先); replaces the entry's referrals.
    pub introduced_ids: Option<Vec<Uuid>>,
    /// Its forms of activity: form codes (`GET /v1/taxonomy-terms?vocabulary=form`), at most 20.
    #[schema(max_items = 20)]
    pub activities: Option<Vec<String>>,
    /// Whether it works on つながり / 孤独・孤立.
    pub works_on: Option<WorksOn>,
    /// The ideas it gave, at most 20 of at most 1,000 characters.
    #[schema(max_items = 20)]
    pub ideas: Option<Vec<String>>,
    /// Organizations it introduced that are not in the directory, by name
    /// (at most 50): the desk adds them as prospective recipients or entries.
    #[schema(max_items = 50)]
    pub introduced_names: Option<Vec<String>>,
}

/// Records an answer (desk): the recipient is answered, and the entry it
/// concerns gets the answered participation intent and referrals, and is
/// marked verified on the day of the answer.
#[utoipa::path(operation_id = "answerSurveyRecipient", tag = "directory", request_body = RecordAnswer, security(("bearer" = [])),
    responses((status = 200, description = "Recorded", body = Recipient),
        (status = 403, description = "Only the desk runs surveys", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[post("/surveys/{id}/recipients/{recipient_id}/answer")]
pub async fn answer(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
    body: Json<RecordAnswer>,
) -> ApiResult<HttpResponse> {
    authorize(&caller.actor, Action::ManageDirectory)?;
    let (campaign_id, recipient_id) = *path;
    let introduced = body
        .introduced_ids
        .as_deref()
        .map(living_gate_domain::validation::dedup);
    let ideas = body
        .ideas
        .as_deref()
        .map(|i| {
            if i.len() > MAX_IDEAS {
                return Err(ApiError::validation(
                    "ideas",
                    "too_many",
                    format!("at most {MAX_IDEAS} ideas"),
                ));
            }
            Ok(check_texts("ideas", i, MAX_IDEA)?)
        })
        .transpose()?;
    let introduced_names = body
        .introduced_names
        .as_deref()
        .map(|n| {
            if n.len() > MAX_INTRODUCED {
                return Err(ApiError::validation(
                    "introduced_names",
                    "too_many",
                    format!("at most {MAX_INTRODUCED} organizations"),
                ));
            }
            Ok(check_texts("introduced_names", n, 200)?)
        })
        .transpose()?;
    let mut conn = pool::connection(&state.pool).await?;
    let activities = match body.activities.as_deref() {
        Some(given) => {
            let codes = survey::check_activities("activities", given)?;
            if let Some(unknown) = taxonomy::unknown_codes(&mut conn, Vocabulary::Form, &codes)
                .await?
                .first()
            {
                return Err(ApiError::validation(
                    "activities",
                    "unknown_code",
                    format!("no form term with code {unknown}"),
                ));
            }
            Some(codes)
        }
        None => None,
    };
    let answer = db::Answer {
        answered_on: Some(body.answered_on),
        activities,
        works_on: body.works_on,
        ideas,
        introduced_names,
        participation_intent: body.participation_intent,
    };
    let row = conn
        .transaction(async |conn| {
            let before = db::find_recipient_for_update(conn, campaign_id, recipient_id)
                .await?
                .ok_or(ApiError::NotFound)?;
            let after = db::set_answered(conn, before.id, &answer).await?;
            if let Some(resource_id) = after.resource_id {
                let entry = resources_db::find_for_update(conn, resource_id)
                    .await?
                    .ok_or(ApiError::NotFound)?;
                if let Some(ids) = &introduced {
                    if ids.contains(&resource_id) {
                        return Err(ApiError::validation(
                            "introduced_ids",
                            "self_reference",
                            "an entry cannot introduce itself",
                        ));
                    }
                    if resources_db::existing(conn, ids).await?.len() != ids.len() {
                        return Err(ApiError::validation(
                            "introduced_ids",
                            "unknown_reference",
                            "no such directory entry",
                        ));
                    }
                    resources_db::set_introduced(conn, resource_id, ids).await?;
                }
                let verified =
                    Utc.from_utc_datetime(&body.answered_on.and_time(chrono::NaiveTime::MIN));
                let updated = resources_db::update(
                    conn,
                    resource_id,
                    &ResourceChanges {
                        participation_intent: body.participation_intent,
                        last_verified_at: Some(Some(verified)),
                        last_verified_by: Some(Some(caller.actor.id)),
                        ..ResourceChanges::default()
                    },
                )
                .await?;
                let verified =
                    FeedEvent::entry(resource_id, EventKind::SurveyAnswered).subject(after.id);
                record::updated(conn, &caller, "resource", &entry, &updated, verified).await?;
            }
            let answered = FeedEvent::desk(EventKind::SurveyRecipientAnswered).subject(after.id);
            record::updated(conn, &caller, "survey_recipient", &before, &after, answered).await?;
            Ok::<_, ApiError>(after)
        })
        .await?;
    Ok(HttpResponse::Ok().json(Recipient::from(row)))
}
