//! Demo cases at several workflow steps and one adopted case with its TRIP,
//! written through the same functions as the API.

use crate::desk::coordination;
use crate::desk::moves::{move_case, MoveRequest, Moved};
use crate::http::problem::{ApiError, ApiResult};
use crate::record::{self, Background, Change, EventKind, FeedEvent, Visibility};
use chrono::{DateTime, Duration, Utc};
use living_gate_db::accounts::users::{self};
use living_gate_db::desk::hearings::{self, HearingAnswer, NewHearing};
use living_gate_db::desk::logic_models;
use living_gate_db::desk::matches::{self, NewMatch};
use living_gate_db::desk::proposals::{self, NewProposal};
use living_gate_db::desk::trips::{self, Measurement, TripChanges};
use living_gate_db::reference::municipalities;
use living_gate_db::{AsyncPgConnection, Page};
use living_gate_domain::desk::coordination::{HearingStatus, Interest, MatchRole};
use living_gate_domain::desk::logic_model::LogicModelStatus;
use living_gate_domain::desk::proposal::{Channel, Kind, Theme};
use living_gate_domain::desk::trip::TripStatus;
use living_gate_domain::desk::workflow::{Status, Via};
use living_gate_domain::fiscal::{fiscal_year, reference};
use uuid::Uuid;

/// Demo cases of the first partner organization at several workflow steps:
/// (title, kind, channel, theme, final status, days since receipt, note for the proposer).
const DEMO_CASES: &[(&str, Kind, Channel, Theme, Status, i64, &str)] = &[
    (
        "子ども食堂への食材提供",
        Kind::Consultation,
        Channel::Phone,
        Theme::CommunitySupport,
        Status::Received,
        1,
        "",
    ),
    (
        "空き店舗を活用した多世代の居場所づくり",
        Kind::Proposal,
        Channel::Web,
        Theme::CommunitySupport,
        Status::Organizing,
        6,
        "内容を確認しています",
    ),
    (
        "ひきこもり支援のオンライン相談窓口",
        Kind::Proposal,
        Channel::Visit,
        Theme::CommunitySupport,
        Status::Hearing,
        14,
        "関係課との調整を始めました",
    ),
    (
        "座間の湧水をめぐる観光ルート",
        Kind::Proposal,
        Channel::Web,
        Theme::LocalStrengths,
        Status::Matching,
        30,
        "担当課と調整しています",
    ),
    (
        "自社製品の一括購入のお願い",
        Kind::Proposal,
        Channel::Email,
        Theme::Other,
        Status::Declined,
        40,
        "市の施策との整合が見込めず、今回は見送らせてください",
    ),
];

/// The demo cases, written as the API writes them: each one submitted by
/// the partner, moved step by step through [`move_case`] (the same function
/// `/transitions` and `/decision` use), with its audit rows and events.
pub async fn demo_cases(conn: &mut AsyncPgConnection) -> ApiResult<()> {
    let Some(zama) = municipalities::find_by_code(conn, "142166").await? else {
        return Ok(());
    };
    if !proposals::list(
        conn,
        proposals::Scope::Municipality(zama.id),
        &Default::default(),
        Page {
            after: None,
            limit: 1,
        },
    )
    .await?
    .is_empty()
    {
        return Ok(());
    }
    let (Some(desk), Some(partner), Some(lead)) = (
        demo_author(conn, "desk@living-gate.example.jp").await?,
        demo_author(conn, "partner@sagami-tech.example.jp").await?,
        demo_author(conn, "shimin-kyodo@living-gate.example.jp").await?,
    ) else {
        return Ok(());
    };
    let (_, zama_departments) = super::reference::zama(conn).await?;
    let department = |code: &str| {
        zama_departments
            .iter()
            .find(|d| d.code == code)
            .map(|d| d.id)
    };
    for (title, kind, channel, theme, status, days, note) in DEMO_CASES {
        let received_at = Utc::now() - Duration::days(*days);
        let day = |n: i64| received_at + Duration::days(n);
        let case = submit(
            conn,
            &partner,
            DemoCase {
                title,
                summary: format!("{title}（デモデータ）"),
                kind: *kind,
                channel: *channel,
                themes: &[*theme],
                sdg_goals: &[11, 17],
                desired_support: "",
                received_at,
                first_contact_at: received_at,
            },
        )
        .await?;
        let note = (!note.is_empty()).then(|| (*note).to_owned());
        let to = *status;
        if to == Status::Received {
            continue;
        }
        if to == Status::Declined {
            step(conn, &desk, case.id, Status::Organizing, None, day(1)).await?;
            step(conn, &desk, case.id, to, note, day(5)).await?;
            continue;
        }
        let consulted = department(if to == Status::Hearing {
            "chiiki-fukushi"
        } else {
            "shoko-kanko"
        });
        let path = [
            (Status::Organizing, day(1)),
            (Status::Hearing, day(4)),
            (Status::Matching, day(10)),
        ];
        let mut hearing = None;
        for (s, at) in path.into_iter().filter(|(s, _)| s.step() <= to.step()) {
            let case = proposals::find(conn, case.id)
                .await?
                .ok_or(ApiError::NotFound)?;
            match (s, consulted, &hearing) {
                (Status::Hearing, Some(department_id), _) => {
                    hearing =
                        Some(request_hearing(conn, &desk, &case, department_id, day(3)).await?);
                }
                (Status::Matching, _, Some(asked)) => {
                    answer_hearing(conn, &desk, asked, day(8)).await?;
                }
                _ => {}
            }
            let said = (s == to).then(|| note.clone()).flatten();
            step(conn, &desk, case.id, s, said, at).await?;
        }
    }
    demo_trip(conn, &desk, &partner, &lead).await
}

/// One adopted demo case, led by 市民協働課, with its shared logic model and
/// an active TRIP that has a first measurement.
async fn demo_trip(
    conn: &mut AsyncPgConnection,
    desk: &Background,
    partner: &Background,
    lead: &Background,
) -> ApiResult<()> {
    let Some(lead_department) = lead.actor.department_id else {
        return Ok(());
    };
    let received_at = Utc::now() - Duration::days(120);
    let day = |n: i64| received_at + Duration::days(n);
    let case = submit(
        conn,
        partner,
        DemoCase {
            title: "企業の社員食堂を活用した地域食堂",
            summary: "社員食堂を週1回、地域の子どもと高齢者に開く（デモデータ）".into(),
            kind: Kind::Proposal,
            channel: Channel::Visit,
            themes: &[Theme::CommunitySupport],
            sdg_goals: &[2, 3, 11],
            desired_support: "地域団体との調整、広報",
            received_at,
            first_contact_at: received_at - Duration::days(3),
        },
    )
    .await?;
    step(conn, desk, case.id, Status::Organizing, None, day(1)).await?;
    let case = proposals::find(conn, case.id)
        .await?
        .ok_or(ApiError::NotFound)?;
    request_hearing(conn, desk, &case, lead_department, day(3)).await?;
    step(conn, desk, case.id, Status::Hearing, None, day(5)).await?;
    step(conn, desk, case.id, Status::Matching, None, day(15)).await?;
    let proposed = matches::insert(
        conn,
        &NewMatch {
            id: Uuid::now_v7(),
            proposal_id: case.id,
            department_id: lead_department,
            role: MatchRole::Lead,
            note: "地域食堂の所管として".into(),
            proposed_by: desk.actor.id,
        },
    )
    .await?;
    let event = FeedEvent::case(case.id, EventKind::MatchProposed, Visibility::Internal)
        .for_department(lead_department)
        .subject(proposed.id);
    record::created(conn, desk, "match", &proposed, event).await?;
    let reason = "子ども食堂の支援事業と一体で進められる";
    coordination::decide_match(conn, lead, &proposed, true, reason, day(25)).await?;
    let indicator = Uuid::now_v7();
    let content = serde_json::json!({
        "status": "shared",
        "inputs": ["社員食堂", "調理スタッフ"], "activities": ["週1回の地域食堂"], "outputs": ["開催回数", "延べ参加者数"],
        "short_term_outcomes": ["子どもと高齢者の孤食の減少"], "mid_term_outcomes": ["地域の見守りの担い手の増加"],
        "impact": ["孤立しない地域"],
        "indicators": [{"id": indicator, "name": "延べ参加者数", "unit": "人", "baseline": 0.0, "target": 1200.0,
                        "target_date": null, "applies_to": "outputs"}]
    });
    let model = logic_models::append(
        conn,
        case.id,
        LogicModelStatus::Shared,
        &content,
        desk.actor.id,
    )
    .await?;
    let mut event = FeedEvent::case(case.id, EventKind::LogicModelSaved, Visibility::Shared);
    event.note_for_proposer = Some(format!(
        "ロジックモデル（第{}版）を共有しました",
        model.version
    ));
    record::write(
        conn,
        desk,
        Change {
            action: "logic_model.create".into(),
            target_type: "proposal",
            target_id: case.id.to_string(),
            changes: serde_json::json!({ "version": model.version, "status": "shared" }),
            event,
        },
    )
    .await?;
    step(conn, desk, case.id, Status::LogicModel, None, day(30)).await?;
    step(conn, desk, case.id, Status::AwaitingDecision, None, day(45)).await?;
    let note = Some("共創プロジェクト（TRIP）として進めます".to_owned());
    let moved = decide(conn, lead, case.id, Status::Adopted, note, day(50)).await?;
    let Some(trip) = moved.trip else {
        return Err(ApiError::internal("the demo adoption made no TRIP"));
    };
    let active = trips::update(
        conn,
        trip.id,
        &TripChanges {
            status: Some(TripStatus::Active),
            starts_on: Some(Some(day(60).date_naive())),
            ..TripChanges::default()
        },
    )
    .await?;
    let event =
        FeedEvent::case(case.id, EventKind::TripUpdated, Visibility::Shared).subject(trip.id);
    record::updated(conn, desk, "trip", &trip, &active, event).await?;
    let measurement = trips::add_measurement(
        conn,
        &Measurement {
            id: Uuid::now_v7(),
            trip_id: trip.id,
            indicator_id: indicator,
            value: 180.0,
            measured_on: day(90).date_naive(),
            note: "最初の1か月".into(),
            recorded_by: desk.actor.id,
            created_at: Utc::now(),
        },
    )
    .await?;
    let event = FeedEvent::case(case.id, EventKind::MeasurementRecorded, Visibility::Shared)
        .subject(trip.id);
    record::write(
        conn,
        desk,
        Change {
            action: "trip.measurement".into(),
            target_type: "trip",
            target_id: trip.id.to_string(),
            changes: serde_json::json!({ "indicator_id": measurement.indicator_id, "value": measurement.value, "measured_on": measurement.measured_on }),
            event,
        },
    )
    .await?;
    Ok(())
}

/// A demo account acting outside a request (`None` when it is missing).
async fn demo_author(conn: &mut AsyncPgConnection, email: &str) -> ApiResult<Option<Background>> {
    let Some(user) = users::find_by_email(conn, email).await? else {
        return Ok(None);
    };
    Ok(Some(Background::new(user.actor())))
}

/// What a demo case is about.
struct DemoCase<'a> {
    title: &'a str,
    summary: String,
    kind: Kind,
    channel: Channel,
    themes: &'a [Theme],
    sdg_goals: &'a [i16],
    desired_support: &'a str,
    received_at: DateTime<Utc>,
    first_contact_at: DateTime<Utc>,
}

/// Submits a demo case for the partner's organization.
async fn submit(
    conn: &mut AsyncPgConnection,
    partner: &Background,
    demo: DemoCase<'_>,
) -> ApiResult<proposals::Proposal> {
    let organization_id = partner
        .actor
        .organization_id
        .ok_or_else(|| ApiError::internal("the demo partner has no organization"))?;
    // The demo cases are Zama's.
    let zama = municipalities::find_by_code(conn, "142166")
        .await?
        .ok_or_else(|| ApiError::internal("the reference data has no Zama"))?;
    let fy = fiscal_year(demo.received_at);
    let number = proposals::next_reference_number(conn, zama.id, fy).await?;
    let case = proposals::insert(
        conn,
        &NewProposal {
            id: proposals::id_for_receipt(demo.received_at),
            municipality_id: zama.id,
            reference: reference(&zama.reference_prefix, fy, number),
            fiscal_year: fy,
            kind: demo.kind,
            title: demo.title.into(),
            summary: demo.summary,
            body: String::new(),
            themes: demo.themes.to_vec(),
            sdg_goals: demo.sdg_goals.to_vec(),
            policy_areas: vec!["地域共生".into()],
            desired_support: demo.desired_support.into(),
            channel: demo.channel,
            organization_id,
            contact_user_id: Some(partner.actor.id),
            created_by: partner.actor.id,
            status: Status::Received,
            first_contact_at: demo.first_contact_at,
            received_at: demo.received_at,
        },
    )
    .await?;
    let mut created = FeedEvent::case(case.id, EventKind::Created, Visibility::Shared);
    created.to_status = Some(Status::Received);
    record::created(conn, partner, "proposal", &case, created).await?;
    Ok(case)
}

/// Moves a demo case one step as the desk (a transition) at `at`.
async fn step(
    conn: &mut AsyncPgConnection,
    desk: &Background,
    id: Uuid,
    to: Status,
    note_for_proposer: Option<String>,
    at: DateTime<Utc>,
) -> ApiResult<proposals::Proposal> {
    let request = MoveRequest {
        to,
        via: Via::Transition,
        reason: Some("デモデータ".into()),
        note_for_proposer,
    };
    Ok(move_locked(conn, desk, id, request, at).await?.case)
}

/// Records the lead department's decision on a demo case at `at`.
async fn decide(
    conn: &mut AsyncPgConnection,
    lead: &Background,
    id: Uuid,
    to: Status,
    note_for_proposer: Option<String>,
    at: DateTime<Utc>,
) -> ApiResult<Moved> {
    let request = MoveRequest {
        to,
        via: Via::Decision,
        reason: Some("デモデータ".into()),
        note_for_proposer,
    };
    move_locked(conn, lead, id, request, at).await
}

async fn move_locked(
    conn: &mut AsyncPgConnection,
    author: &Background,
    id: Uuid,
    request: MoveRequest,
    at: DateTime<Utc>,
) -> ApiResult<Moved> {
    let before = proposals::find_for_update(conn, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    move_case(conn, author, &before, request, at).await
}

/// The desk asks a department for a hearing at `at` (internal coordination
/// starts then, if it has not yet).
async fn request_hearing(
    conn: &mut AsyncPgConnection,
    desk: &Background,
    case: &proposals::Proposal,
    department_id: Uuid,
    at: DateTime<Utc>,
) -> ApiResult<hearings::Hearing> {
    let new = NewHearing {
        id: Uuid::now_v7(),
        proposal_id: case.id,
        department_id,
        requested_by: desk.actor.id,
        proposed_dates: vec![(at + Duration::days(2)).date_naive()],
        agenda: "既存事業との関係と連携の可能性".into(),
        answer_due_on: None,
    };
    coordination::request_hearing(conn, desk, case, &new, at).await
}

/// The department's answer to a demo hearing, held at `at`.
async fn answer_hearing(
    conn: &mut AsyncPgConnection,
    author: &Background,
    hearing: &hearings::Hearing,
    at: DateTime<Utc>,
) -> ApiResult<()> {
    let answer = HearingAnswer {
        status: Some(HearingStatus::Answered),
        held_on: Some(Some(at.date_naive())),
        participants: Some(vec!["商工観光課 主査".into()]),
        interest: Some(Interest::Interested),
        notes: Some("観光協会と連携できる".into()),
        answered_by: None,
    };
    coordination::answer_hearing(conn, author, hearing, &answer).await?;
    Ok(())
}
