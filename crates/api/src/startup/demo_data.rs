//! Reference and demo data: the four municipalities, Zama's departments, a
//! few partner organizations, and demo accounts with fresh passwords.
//! Idempotent: existing rows (by natural key) are left alone.

use crate::auth::{passwords, secrets};
use crate::desk::moves::{move_case, MoveRequest, Moved};
use crate::http::problem::{ApiError, ApiResult};
use crate::record::{self, Background, Change, EventKind, FeedEvent, Visibility};
use chrono::{DateTime, Duration, Utc};
use living_gate_db::departments::{self, NewDepartment};
use living_gate_db::hearings::{self, HearingAnswer, NewHearing};
use living_gate_db::logic_models;
use living_gate_db::matches::{self, MatchDecision, NewMatch};
use living_gate_db::municipalities::{self, NewMunicipality};
use living_gate_db::organizations::{self, NewOrganization, OrganizationFilter};
use living_gate_db::proposals::{self, NewProposal, ProposalChanges};
use living_gate_db::trips::{self, Measurement, TripChanges};
use living_gate_db::users::{self, NewUser};
use living_gate_db::{AsyncPgConnection, DbError, Page};
use living_gate_domain::fiscal::{fiscal_year, reference};
use living_gate_domain::workflow::{Status, Via};
use living_gate_domain::Role;
use uuid::Uuid;

/// (code, name, kana, English)
pub const MUNICIPALITIES: &[(&str, &str, &str, &str)] = &[
    ("142166", "座間市", "ざまし", "Zama"),
    ("142182", "綾瀬市", "あやせし", "Ayase"),
    ("142131", "大和市", "やまとし", "Yamato"),
    ("142158", "海老名市", "えびなし", "Ebina"),
];

/// Zama's departments: (code, name, English).
pub const ZAMA_DEPARTMENTS: &[(&str, &str, &str)] = &[
    (
        "shimin-kyodo",
        "市民協働課",
        "Citizen Collaboration Division",
    ),
    ("chiiki-fukushi", "地域福祉課", "Community Welfare Division"),
    ("kikaku", "企画課", "Planning Division"),
    (
        "kodomo-seisaku",
        "こども政策課",
        "Children's Policy Division",
    ),
    (
        "kankyo-seisaku",
        "環境政策課",
        "Environmental Policy Division",
    ),
    (
        "shoko-kanko",
        "商工観光課",
        "Commerce, Industry and Tourism Division",
    ),
    ("kenko-suishin", "健康推進課", "Health Promotion Division"),
    ("shogai-gakushu", "生涯学習課", "Lifelong Learning Division"),
    (
        "kaigo-hoken",
        "介護保険課",
        "Long-term Care Insurance Division",
    ),
];

/// Demo partner organizations (fictional): (name, kana, kind).
pub const DEMO_ORGANIZATIONS: &[(&str, &str, &str)] = &[
    ("さがみテック株式会社", "さがみてっく", "company"),
    ("湘北みらい大学", "しょうほくみらいだいがく", "university"),
    (
        "NPO法人ざま子ども未来ネット",
        "ざまこどもみらいねっと",
        "npo",
    ),
];

/// Demo cases of the first partner organization at several workflow steps:
/// (title, kind, channel, theme, final status, days since receipt, note for the proposer).
const DEMO_CASES: &[(&str, &str, &str, &str, &str, i64, &str)] = &[
    (
        "子ども食堂への食材提供",
        "consultation",
        "phone",
        "community_support",
        "received",
        1,
        "",
    ),
    (
        "空き店舗を活用した多世代の居場所づくり",
        "proposal",
        "web",
        "community_support",
        "organizing",
        6,
        "内容を確認しています",
    ),
    (
        "ひきこもり支援のオンライン相談窓口",
        "proposal",
        "visit",
        "community_support",
        "hearing",
        14,
        "関係課との調整を始めました",
    ),
    (
        "座間の湧水をめぐる観光ルート",
        "proposal",
        "web",
        "local_strengths",
        "matching",
        30,
        "担当課と調整しています",
    ),
    (
        "自社製品の一括購入のお願い",
        "proposal",
        "email",
        "other",
        "declined",
        40,
        "市の施策との整合が見込めず、今回は見送らせてください",
    ),
];

/// A demo account created with a fresh password.
pub struct DemoAccount {
    pub email: String,
    pub role: Role,
    pub password: String,
}

/// Loads the municipalities, Zama's departments and the demo organizations.
pub async fn reference_data(conn: &mut AsyncPgConnection) -> Result<(), DbError> {
    for (code, name, kana, en) in MUNICIPALITIES {
        if municipalities::find_by_code(conn, code).await?.is_none() {
            municipalities::insert(
                conn,
                &NewMunicipality {
                    id: Uuid::now_v7(),
                    code: (*code).into(),
                    name: (*name).into(),
                    name_kana: (*kana).into(),
                    name_en: (*en).into(),
                },
            )
            .await?;
        }
    }
    let (zama, existing) = zama(conn).await?;
    for (code, name, en) in ZAMA_DEPARTMENTS {
        if !existing.iter().any(|d| d.code == *code) {
            departments::insert(
                conn,
                &NewDepartment {
                    id: Uuid::now_v7(),
                    municipality_id: zama.id,
                    code: (*code).into(),
                    name: (*name).into(),
                    name_en: (*en).into(),
                },
            )
            .await?;
        }
    }
    for (name, kana, kind) in DEMO_ORGANIZATIONS {
        let filter = OrganizationFilter {
            q: Some((*name).into()),
            ..Default::default()
        };
        if organizations::list(
            conn,
            &filter,
            Page {
                after: None,
                limit: 1,
            },
        )
        .await?
        .is_empty()
        {
            organizations::insert(
                conn,
                &NewOrganization {
                    id: Uuid::now_v7(),
                    name: (*name).into(),
                    name_kana: Some((*kana).into()),
                    kind: (*kind).into(),
                    corporate_number: None,
                    postal_code: None,
                    address: None,
                    website: None,
                },
            )
            .await?;
        }
    }
    Ok(())
}

/// Zama and its departments.
async fn zama(
    conn: &mut AsyncPgConnection,
) -> Result<(municipalities::Municipality, Vec<departments::Department>), DbError> {
    let zama = municipalities::find_by_code(conn, "142166")
        .await?
        .ok_or(DbError::NotFound)?;
    let filter = departments::DepartmentFilter {
        municipality_id: Some(zama.id),
    };
    let list = departments::list(
        conn,
        filter,
        Page {
            after: None,
            limit: 1000,
        },
    )
    .await?;
    Ok((zama, list))
}

/// The demo cases, written as the API writes them: each one submitted by
/// the partner, moved step by step through [`move_case`] (the same function
/// `/transitions` and `/decision` use), with its audit rows and events.
pub async fn demo_cases(conn: &mut AsyncPgConnection) -> ApiResult<()> {
    if !proposals::list(
        conn,
        proposals::Scope::All,
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
    let (_, zama_departments) = zama(conn).await?;
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
                kind,
                channel,
                themes: &[theme],
                sdg_goals: &[11, 17],
                desired_support: "",
                received_at,
                first_contact_at: received_at,
            },
        )
        .await?;
        let note = (!note.is_empty()).then(|| (*note).to_owned());
        let to = Status::parse(status).unwrap_or(Status::Received);
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
            kind: "proposal",
            channel: "visit",
            themes: &["community_support"],
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
            role: "lead".into(),
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
    let accepted = matches::update(
        conn,
        proposed.id,
        &MatchDecision {
            status: Some("accepted".into()),
            reason: Some(reason.into()),
            decided_by: Some(lead.actor.id),
            decided_at: Some(day(25)),
        },
    )
    .await?;
    matches::set_lead_department(conn, case.id, lead_department).await?;
    let mut event = FeedEvent::case(case.id, EventKind::MatchAccepted, Visibility::Internal)
        .for_department(lead_department)
        .subject(accepted.id);
    event.reason = Some(reason.into());
    record::updated(conn, lead, "match", &proposed, &accepted, event).await?;
    let indicator = Uuid::now_v7();
    let content = serde_json::json!({
        "status": "shared",
        "inputs": ["社員食堂", "調理スタッフ"], "activities": ["週1回の地域食堂"], "outputs": ["開催回数", "延べ参加者数"],
        "short_term_outcomes": ["子どもと高齢者の孤食の減少"], "mid_term_outcomes": ["地域の見守りの担い手の増加"],
        "impact": ["孤立しない地域"],
        "indicators": [{"id": indicator, "name": "延べ参加者数", "unit": "人", "baseline": 0.0, "target": 1200.0,
                        "target_date": null, "applies_to": "outputs"}]
    });
    let model = logic_models::append(conn, case.id, "shared", &content, desk.actor.id).await?;
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
            status: Some("active".into()),
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
    let actor = user.actor().map_err(ApiError::internal)?;
    Ok(Some(Background::new(actor)))
}

/// What a demo case is about.
struct DemoCase<'a> {
    title: &'a str,
    summary: String,
    kind: &'a str,
    channel: &'a str,
    themes: &'a [&'a str],
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
    let fy = fiscal_year(demo.received_at);
    let number = proposals::next_reference_number(conn, fy).await?;
    let case = proposals::insert(
        conn,
        &NewProposal {
            id: proposals::id_for_receipt(demo.received_at),
            reference: reference(fy, number),
            fiscal_year: fy,
            kind: demo.kind.into(),
            title: demo.title.into(),
            summary: demo.summary,
            body: String::new(),
            themes: demo.themes.iter().map(|t| (*t).to_owned()).collect(),
            sdg_goals: demo.sdg_goals.to_vec(),
            policy_areas: vec!["地域共生".into()],
            desired_support: demo.desired_support.into(),
            channel: demo.channel.into(),
            organization_id,
            contact_user_id: Some(partner.actor.id),
            created_by: partner.actor.id,
            status: Status::Received.as_str().to_owned(),
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
    let hearing = hearings::insert(
        conn,
        &NewHearing {
            id: Uuid::now_v7(),
            proposal_id: case.id,
            department_id,
            requested_by: desk.actor.id,
            proposed_dates: vec![(at + Duration::days(2)).date_naive()],
            agenda: "既存事業との関係と連携の可能性".into(),
        },
    )
    .await?;
    if case.coordination_started_at.is_none() {
        let started = ProposalChanges {
            coordination_started_at: Some(at),
            ..ProposalChanges::default()
        };
        proposals::update(conn, case.id, &started).await?;
    }
    let event = FeedEvent::case(case.id, EventKind::HearingRequested, Visibility::Internal)
        .for_department(department_id)
        .subject(hearing.id);
    record::created(conn, desk, "hearing", &hearing, event).await?;
    Ok(hearing)
}

/// The department's answer to a demo hearing, held at `at`.
async fn answer_hearing(
    conn: &mut AsyncPgConnection,
    author: &Background,
    hearing: &hearings::Hearing,
    at: DateTime<Utc>,
) -> ApiResult<()> {
    let answered = hearings::update(
        conn,
        hearing.id,
        &HearingAnswer {
            status: Some("answered".into()),
            held_on: Some(Some(at.date_naive())),
            participants: Some(vec!["商工観光課 主査".into()]),
            interest: Some("interested".into()),
            notes: Some("観光協会と連携できる".into()),
            answered_by: None,
        },
    )
    .await?;
    let event = FeedEvent::case(
        hearing.proposal_id,
        EventKind::HearingAnswered,
        Visibility::Internal,
    )
    .for_department(hearing.department_id)
    .subject(hearing.id);
    record::updated(conn, author, "hearing", hearing, &answered, event).await?;
    Ok(())
}

/// Creates the demo accounts that do not exist yet; returns them with their
/// new passwords (existing accounts keep theirs and are not returned).
pub async fn demo_accounts(conn: &mut AsyncPgConnection) -> Result<Vec<DemoAccount>, DbError> {
    let (zama, zama_departments) = zama(conn).await?;
    let department = |code: &str| {
        zama_departments
            .iter()
            .find(|d| d.code == code)
            .map(|d| d.id)
    };
    let partner_filter = OrganizationFilter {
        q: Some(DEMO_ORGANIZATIONS[0].0.into()),
        ..Default::default()
    };
    let partner_org = organizations::list(
        conn,
        &partner_filter,
        Page {
            after: None,
            limit: 1,
        },
    )
    .await?
    .first()
    .map(|o| o.id);
    // (email, display name, role, municipality, department, organization)
    type Spec<'a> = (
        &'a str,
        &'a str,
        Role,
        Option<Uuid>,
        Option<Uuid>,
        Option<Uuid>,
    );
    let accounts: Vec<Spec> = vec![
        (
            "admin@living-gate.example.jp",
            "管理者 デモ",
            Role::Admin,
            None,
            None,
            None,
        ),
        (
            "desk@living-gate.example.jp",
            "窓口 太郎",
            Role::Desk,
            Some(zama.id),
            None,
            None,
        ),
        (
            "shimin-kyodo@living-gate.example.jp",
            "市民協働課 花子",
            Role::Department,
            Some(zama.id),
            department("shimin-kyodo"),
            None,
        ),
        (
            "chiiki-fukushi@living-gate.example.jp",
            "地域福祉課 次郎",
            Role::Department,
            Some(zama.id),
            department("chiiki-fukushi"),
            None,
        ),
        (
            "partner@sagami-tech.example.jp",
            "相模 一郎",
            Role::Partner,
            None,
            None,
            partner_org,
        ),
        (
            "analyst@living-gate.example.jp",
            "分析 さくら",
            Role::Analyst,
            None,
            None,
            None,
        ),
    ];
    let mut created = Vec::new();
    for (email, name, role, municipality_id, department_id, organization_id) in accounts {
        if users::find_by_email(conn, email).await?.is_some() {
            continue;
        }
        let password = secrets::random_token()[..20].to_owned();
        let to_hash = password.clone();
        let hash = tokio::task::spawn_blocking(move || passwords::hash(&to_hash))
            .await
            .map_err(|e| DbError::Unavailable(e.to_string()))?
            .map_err(DbError::Unavailable)?;
        users::insert(
            conn,
            &NewUser {
                id: Uuid::now_v7(),
                email: email.into(),
                display_name: name.into(),
                role: role.as_str().into(),
                municipality_id,
                department_id,
                organization_id,
                status: "active".into(),
                password_hash: Some(hash),
            },
        )
        .await?;
        created.push(DemoAccount {
            email: email.into(),
            role,
            password,
        });
    }
    Ok(created)
}

/// Demo directory entries (fictional): (external key, name, kana, legal form,
/// city code, topics, forms, description, street, latitude, longitude,
/// participation intent, staff only, hidden fields).
#[allow(clippy::type_complexity)]
const DEMO_RESOURCES: &[(
    &str,
    &str,
    &str,
    &str,
    &str,
    &[&str],
    &[&str],
    &str,
    &str,
    f64,
    f64,
    &str,
    bool,
    &[&str],
)] = &[
    (
        "demo-zama-001",
        "NPO法人ざま居場所ネット",
        "ざまいばしょねっと",
        "npo",
        "142166",
        &["hikikomori", "loneliness"],
        &["place_to_belong", "employment_support"],
        "ひきこもりの若者と家族のための居場所と就労体験。毎週火・金に開所。",
        "緑ケ丘一丁目2番3号",
        35.4886,
        139.4075,
        "yes",
        false,
        &["contact_person"],
    ),
    (
        "demo-zama-002",
        "ざま子ども食堂ひまわり",
        "ざまこどもしょくどうひまわり",
        "childrens_cafeteria",
        "142166",
        &["child_rearing", "single_parent", "poverty"],
        &["food_support", "place_to_belong"],
        "毎月第2・第4土曜日に子どもと保護者に温かい食事を提供。",
        "相模が丘五丁目1番2号",
        35.5012,
        139.4098,
        "maybe",
        false,
        &[],
    ),
    (
        "demo-ayase-001",
        "綾瀬市地域包括支援センターあやせ南",
        "あやせしちいきほうかつしえんせんたーあやせみなみ",
        "community_general_support_center",
        "142182",
        &["elderly", "loneliness"],
        &["consultation", "outreach"],
        "高齢者の総合相談と見守り訪問。",
        "深谷中一丁目1番1号",
        35.4371,
        139.4262,
        "yes",
        false,
        &[],
    ),
    (
        "demo-yamato-001",
        "一般社団法人やまとヤングケアラー支援ネット",
        "やまとやんぐけあらーしえんねっと",
        "general_incorporated_association",
        "142131",
        &["young_carer"],
        &["consultation", "safe_place"],
        "家族の世話を担う子ども・若者の相談とほっとできる場所。",
        "中央一丁目5番4号",
        35.4874,
        139.4581,
        "maybe",
        false,
        &[],
    ),
    (
        "demo-ebina-001",
        "社会福祉法人えびな障害者就労支援センター",
        "えびなしょうがいしゃしゅうろうしえんせんたー",
        "social_welfare_corporation",
        "142158",
        &["disability"],
        &["employment_support", "volunteer_roles"],
        "障害のある方の就労支援と地域のボランティア活動。",
        "勝瀬175番地の1",
        35.4464,
        139.3908,
        "unknown",
        false,
        &[],
    ),
    (
        "demo-ebina-002",
        "えびな里山ふれあいの会",
        "えびなさとやまふれあいのかい",
        "voluntary_group",
        "142158",
        &["loneliness", "elderly"],
        &["nature_and_people", "volunteer_roles"],
        "里山の手入れと畑作業を通じて世代を超えて交流。",
        "上今泉四丁目3番",
        35.4560,
        139.3970,
        "no",
        false,
        &[],
    ),
    (
        "demo-zama-003",
        "かながわ女性の家（緊急一時保護）",
        "かながわじょせいのいえ",
        "social_welfare_corporation",
        "142166",
        &["dv"],
        &["safe_place", "consultation"],
        "DV被害者の緊急一時保護。所在地は非公開。",
        "（非公開）",
        35.4790,
        139.4020,
        "unknown",
        true,
        &["address", "position", "phone", "email", "contact_person"],
    ),
];

/// Demo referrals (紹介先) by external key: (from, to).
const DEMO_REFERRALS: &[(&str, &str)] = &[
    ("demo-zama-001", "demo-zama-002"),
    ("demo-zama-001", "demo-ebina-001"),
    ("demo-ayase-001", "demo-ebina-002"),
    ("demo-zama-002", "demo-zama-003"),
];

/// Loads the demo directory (once: nothing happens when its first entry exists).
pub async fn demo_directory(conn: &mut AsyncPgConnection) -> Result<(), DbError> {
    use living_gate_db::resources::{self, Location, ResourceContent};
    let keys: Vec<String> = DEMO_RESOURCES.iter().map(|r| r.0.to_owned()).collect();
    if !resources::find_by_external_keys(conn, &keys[..1])
        .await?
        .is_empty()
    {
        return Ok(());
    }
    let mut ids = std::collections::HashMap::new();
    for (
        key,
        name,
        kana,
        legal_form,
        city,
        topics,
        forms,
        description,
        street,
        lat,
        lng,
        intent,
        staff_only,
        hidden,
    ) in DEMO_RESOURCES
    {
        let Some(municipality) = municipalities::find_by_code(conn, city).await? else {
            continue;
        };
        let id = Uuid::now_v7();
        let strings = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let content = ResourceContent {
            external_key: Some((*key).to_owned()),
            name: (*name).to_owned(),
            name_kana: Some((*kana).to_owned()),
            other_names: Vec::new(),
            legal_form: (*legal_form).to_owned(),
            description: (*description).to_owned(),
            municipality_id: municipality.id,
            serves_municipality_ids: vec![municipality.id],
            topics: strings(topics),
            forms: strings(forms),
            phone: Some("046-000-0000".to_owned()),
            email: None,
            website: None,
            contact_person: Some("担当 太郎".to_owned()),
            opening_hours: Some("平日 10:00-17:00".to_owned()),
            target_ages: None,
            languages: vec!["ja".to_owned()],
            participation_intent: (*intent).to_owned(),
            partner_organization_id: None,
            visibility: if *staff_only { "staff_only" } else { "public" }.to_owned(),
            hidden_fields: strings(hidden),
            last_verified_at: None,
            last_verified_by: None,
        };
        resources::insert(conn, id, &content).await?;
        let location = Location {
            id: Uuid::now_v7(),
            resource_id: id,
            ordinal: 0,
            label: None,
            postal_code: None,
            prefecture: Some("神奈川県".to_owned()),
            city: Some(municipality.name.clone()),
            street: Some((*street).to_owned()),
            latitude: Some(*lat),
            longitude: Some(*lng),
            created_at: chrono::Utc::now(),
        };
        resources::replace_locations(conn, &[id], &[location]).await?;
        ids.insert(*key, id);
    }
    for from in DEMO_RESOURCES.iter().map(|r| r.0) {
        let to: Vec<Uuid> = DEMO_REFERRALS
            .iter()
            .filter(|(f, _)| *f == from)
            .filter_map(|(_, t)| ids.get(t).copied())
            .collect();
        if let (Some(from), false) = (ids.get(from), to.is_empty()) {
            resources::set_introduced(conn, *from, &to).await?;
        }
    }
    let entries: Vec<(Uuid, &str)> = DEMO_RESOURCES
        .iter()
        .filter_map(|r| ids.get(r.0).map(|id| (*id, r.4)))
        .collect();
    demo_survey(conn, &entries).await
}

/// Seed 002's survey (令和6年12月〜令和7年2月): 157 organizations
/// distributed, 63 answered. The split by channel, the cities and the
/// prospective organizations' names are made up: (channel, distributed, answered).
const DEMO_SURVEY_CHANNELS: &[(&str, usize, usize)] = &[
    ("email", 78, 34),
    ("post", 41, 13),
    ("hand", 26, 12),
    ("fax", 12, 4),
];

/// The survey campaign, its 157 recipients (the demo entries first, then
/// organizations not in the directory, over the four cities in turn).
async fn demo_survey(
    conn: &mut AsyncPgConnection,
    entries: &[(Uuid, &str)],
) -> Result<(), DbError> {
    use chrono::{Duration, NaiveDate};
    use living_gate_db::surveys::{self, NewCampaign, NewRecipient};
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
    let campaign = surveys::insert_campaign(
        conn,
        &NewCampaign {
            id: Uuid::now_v7(),
            title: "4市 孤独・孤立に関する社会資源調査（デモ）".to_owned(),
            starts_on: day(2024, 12, 1),
            ends_on: day(2025, 2, 28),
        },
    )
    .await?;
    let mut cities = Vec::new();
    for code in ["142166", "142182", "142131", "142158"] {
        if let Some(m) = municipalities::find_by_code(conn, code).await? {
            cities.push(m.id);
        }
    }
    let mut city_ids = std::collections::HashMap::new();
    for (_, code) in entries {
        if let Some(m) = municipalities::find_by_code(conn, code).await? {
            city_ids.insert(*code, m.id);
        }
    }
    let mut n = 0;
    for (channel, distributed, answered) in DEMO_SURVEY_CHANNELS {
        for i in 0..*distributed {
            let entry = entries.get(n);
            let municipality_id = match entry {
                Some((_, code)) => city_ids.get(code).copied(),
                None => cities.get(n % cities.len().max(1)).copied(),
            };
            let Some(municipality_id) = municipality_id else {
                continue;
            };
            let sent_on = day(2024, 12, 2) + Duration::days(i64::try_from(n % 20).unwrap_or(0));
            surveys::insert_recipient(
                conn,
                &NewRecipient {
                    id: Uuid::now_v7(),
                    campaign_id: campaign.id,
                    resource_id: entry.map(|(id, _)| *id),
                    prospective_name: entry
                        .is_none()
                        .then(|| format!("調査先団体 {:03}（デモ）", n + 1)),
                    municipality_id,
                    channel: (*channel).to_owned(),
                    sent_on,
                    answered_on: (i < *answered).then(|| sent_on + Duration::days(21)),
                },
            )
            .await?;
            n += 1;
        }
    }
    Ok(())
}
