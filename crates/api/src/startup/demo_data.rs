//! Reference and demo data: the four municipalities, Zama's departments, a
//! few partner organizations, and demo accounts with fresh passwords.
//! Idempotent: existing rows (by natural key) are left alone.

use crate::auth::{passwords, secrets};
use living_gate_db::departments::{self, NewDepartment};
use living_gate_db::municipalities::{self, NewMunicipality};
use living_gate_db::organizations::{self, NewOrganization, OrganizationFilter};
use living_gate_db::users::{self, NewUser};
use living_gate_db::{AsyncPgConnection, DbError, Page};
use living_gate_domain::coordination::{HearingStatus, Interest, MatchRole, MatchStatus};
use living_gate_domain::directory::{
    EntryVisibility, HideableField, LegalForm, ParticipationIntent, SurveyChannel,
};
use living_gate_domain::feed::{EventKind, Visibility};
use living_gate_domain::identity::{OrganizationKind, UserStatus};
use living_gate_domain::logic_model::LogicModelStatus;
use living_gate_domain::proposal::{Channel, Kind, Theme};
use living_gate_domain::trip::TripStatus;
use living_gate_domain::workflow::Status;
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
pub const DEMO_ORGANIZATIONS: &[(&str, &str, OrganizationKind)] = &[
    (
        "さがみテック株式会社",
        "さがみてっく",
        OrganizationKind::Company,
    ),
    (
        "湘北みらい大学",
        "しょうほくみらいだいがく",
        OrganizationKind::University,
    ),
    (
        "NPO法人ざま子ども未来ネット",
        "ざまこどもみらいねっと",
        OrganizationKind::Npo,
    ),
];

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
                    kind: *kind,
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

/// Loads the demo cases (once: nothing happens when any case exists).
pub async fn demo_cases(conn: &mut AsyncPgConnection) -> Result<(), DbError> {
    use chrono::{Duration, Utc};
    use living_gate_db::events::{self, NewEvent};
    use living_gate_db::hearings::{self, HearingAnswer, NewHearing};
    use living_gate_db::proposals::{self, NewProposal, StatusChange};
    use living_gate_domain::fiscal::{fiscal_year, reference};
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
    let Some(desk) = users::find_by_email(conn, "desk@living-gate.example.jp").await? else {
        return Ok(());
    };
    let Some(partner) = users::find_by_email(conn, "partner@sagami-tech.example.jp").await? else {
        return Ok(());
    };
    let Some(organization_id) = partner.organization_id else {
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
        let fy = fiscal_year(received_at);
        let number = proposals::next_reference_number(conn, fy).await?;
        let case = proposals::insert(
            conn,
            &NewProposal {
                id: proposals::id_for_receipt(received_at),
                reference: reference(fy, number),
                fiscal_year: fy,
                kind: *kind,
                title: (*title).into(),
                summary: format!("{title}（デモデータ）"),
                body: String::new(),
                themes: vec![*theme],
                sdg_goals: vec![11, 17],
                policy_areas: vec!["地域共生".into()],
                desired_support: String::new(),
                channel: *channel,
                organization_id,
                contact_user_id: Some(partner.id),
                created_by: partner.id,
                status: Status::Received,
                first_contact_at: received_at,
                received_at,
            },
        )
        .await?;
        let event = |kind: EventKind, visibility: Visibility| NewEvent {
            proposal_id: Some(case.id),
            actor_id: Some(desk.id),
            actor_role: Some(Role::Desk),
            ..NewEvent::new(kind, visibility)
        };
        events::append(
            conn,
            NewEvent {
                actor_id: Some(partner.id),
                actor_role: Some(Role::Partner),
                to_status: Some(Status::Received),
                ..event(EventKind::Created, Visibility::Shared)
            },
        )
        .await?;
        if *status == Status::Received {
            continue;
        }
        let day = |n: i64| received_at + Duration::days(n);
        let reached = |step: Status| {
            [Status::Organizing, Status::Hearing, Status::Matching]
                .iter()
                .position(|s| *s == step)
                .map_or(0, |i| i + 1)
        };
        let depth = reached(*status);
        if matches!(*status, Status::Hearing | Status::Matching) {
            let code = if *status == Status::Hearing {
                "chiiki-fukushi"
            } else {
                "shoko-kanko"
            };
            if let Some(department_id) = department(code) {
                let hearing = hearings::insert(
                    conn,
                    &NewHearing {
                        id: Uuid::now_v7(),
                        proposal_id: case.id,
                        department_id,
                        requested_by: desk.id,
                        proposed_dates: vec![day(5).date_naive()],
                        agenda: "既存事業との関係と連携の可能性".into(),
                    },
                )
                .await?;
                events::append(
                    conn,
                    NewEvent {
                        department_id: Some(department_id),
                        subject_id: Some(hearing.id),
                        ..event(EventKind::HearingRequested, Visibility::Internal)
                    },
                )
                .await?;
                if *status == Status::Matching {
                    hearings::update(
                        conn,
                        hearing.id,
                        &HearingAnswer {
                            status: Some(HearingStatus::Answered),
                            held_on: Some(Some(day(8).date_naive())),
                            participants: Some(vec!["商工観光課 主査".into()]),
                            interest: Some(Interest::Interested),
                            notes: Some("観光協会と連携できる".into()),
                            answered_by: None,
                        },
                    )
                    .await?;
                }
            }
        }
        proposals::change_status(
            conn,
            case.id,
            &StatusChange {
                status: Some(*status),
                organizing_at: (depth >= 1 || *status == Status::Declined).then(|| day(1)),
                coordination_started_at: (depth >= 2).then(|| day(3)),
                hearing_at: (depth >= 2).then(|| day(4)),
                matching_at: (depth >= 3).then(|| day(10)),
                closed_at: (*status == Status::Declined).then(|| day(5)),
                ..StatusChange::default()
            },
        )
        .await?;
        let note = (!note.is_empty()).then(|| (*note).to_owned());
        events::append(
            conn,
            NewEvent {
                from_status: Some(Status::Received),
                to_status: Some(*status),
                reason: Some("デモデータ".into()),
                note_for_proposer: note,
                ..event(EventKind::StatusChanged, Visibility::Shared)
            },
        )
        .await?;
    }
    demo_trip(
        conn,
        organization_id,
        &desk,
        &partner,
        department("shimin-kyodo"),
    )
    .await
}

/// One adopted demo case, led by 市民協働課, with its shared logic model and
/// an active TRIP that has a first measurement.
async fn demo_trip(
    conn: &mut AsyncPgConnection,
    organization_id: Uuid,
    desk: &users::User,
    partner: &users::User,
    lead: Option<Uuid>,
) -> Result<(), DbError> {
    use chrono::{Duration, Utc};
    use living_gate_db::events::{self, NewEvent};
    use living_gate_db::logic_models;
    use living_gate_db::matches::{self, MatchDecision, NewMatch};
    use living_gate_db::proposals::{self, NewProposal, StatusChange};
    use living_gate_db::trips::{self, Measurement, NewTrip, TripChanges};
    use living_gate_domain::fiscal::{fiscal_year, reference};
    let Some(lead) = lead else { return Ok(()) };
    let received_at = Utc::now() - Duration::days(120);
    let day = |n: i64| received_at + Duration::days(n);
    let fy = fiscal_year(received_at);
    let number = proposals::next_reference_number(conn, fy).await?;
    let case = proposals::insert(
        conn,
        &NewProposal {
            id: proposals::id_for_receipt(received_at),
            reference: reference(fy, number),
            fiscal_year: fy,
            kind: Kind::Proposal,
            title: "企業の社員食堂を活用した地域食堂".into(),
            summary: "社員食堂を週1回、地域の子どもと高齢者に開く（デモデータ）".into(),
            body: String::new(),
            themes: vec![Theme::CommunitySupport],
            sdg_goals: vec![2, 3, 11],
            policy_areas: vec!["地域共生".into()],
            desired_support: "地域団体との調整、広報".into(),
            channel: Channel::Visit,
            organization_id,
            contact_user_id: Some(partner.id),
            created_by: desk.id,
            status: Status::Received,
            first_contact_at: received_at - Duration::days(3),
            received_at,
        },
    )
    .await?;
    let matched = matches::insert(
        conn,
        &NewMatch {
            id: Uuid::now_v7(),
            proposal_id: case.id,
            department_id: lead,
            role: MatchRole::Lead,
            note: "地域食堂の所管として".into(),
            proposed_by: desk.id,
        },
    )
    .await?;
    matches::update(
        conn,
        matched.id,
        &MatchDecision {
            status: Some(MatchStatus::Accepted),
            reason: Some("子ども食堂の支援事業と一体で進められる".into()),
            decided_by: None,
            decided_at: Some(day(25)),
        },
    )
    .await?;
    matches::set_lead_department(conn, case.id, lead).await?;
    let indicator = Uuid::now_v7();
    let content = serde_json::json!({
        "status": "shared",
        "inputs": ["社員食堂", "調理スタッフ"], "activities": ["週1回の地域食堂"], "outputs": ["開催回数", "延べ参加者数"],
        "short_term_outcomes": ["子どもと高齢者の孤食の減少"], "mid_term_outcomes": ["地域の見守りの担い手の増加"],
        "impact": ["孤立しない地域"],
        "indicators": [{"id": indicator, "name": "延べ参加者数", "unit": "人", "baseline": 0.0, "target": 1200.0,
                        "target_date": null, "applies_to": "outputs"}]
    });
    logic_models::append(conn, case.id, LogicModelStatus::Shared, &content, desk.id).await?;
    proposals::change_status(
        conn,
        case.id,
        &StatusChange {
            status: Some(Status::Adopted),
            organizing_at: Some(day(1)),
            coordination_started_at: Some(day(3)),
            hearing_at: Some(day(5)),
            matching_at: Some(day(15)),
            logic_model_at: Some(day(30)),
            awaiting_decision_at: Some(day(45)),
            closed_at: Some(day(50)),
            ..StatusChange::default()
        },
    )
    .await?;
    for (kind, to, note) in [
        (EventKind::Created, Status::Received, None),
        (
            EventKind::StatusChanged,
            Status::Adopted,
            Some("共創プロジェクト（TRIP）として進めます"),
        ),
    ] {
        events::append(
            conn,
            NewEvent {
                proposal_id: Some(case.id),
                actor_id: Some(desk.id),
                actor_role: Some(Role::Desk),
                to_status: Some(to),
                note_for_proposer: note.map(str::to_owned),
                ..NewEvent::new(kind, Visibility::Shared)
            },
        )
        .await?;
    }
    let trip = trips::insert(
        conn,
        &NewTrip {
            id: Uuid::now_v7(),
            proposal_id: case.id,
            title: case.title.clone(),
            lead_department_id: lead,
            supports_community_activity: true,
        },
    )
    .await?;
    trips::add_partner(conn, trip.id, organization_id).await?;
    trips::update(
        conn,
        trip.id,
        &TripChanges {
            status: Some(TripStatus::Active),
            starts_on: Some(Some(day(60).date_naive())),
            ..TripChanges::default()
        },
    )
    .await?;
    trips::add_measurement(
        conn,
        &Measurement {
            id: Uuid::now_v7(),
            trip_id: trip.id,
            indicator_id: indicator,
            value: 180.0,
            measured_on: day(90).date_naive(),
            note: "最初の1か月".into(),
            recorded_by: desk.id,
            created_at: Utc::now(),
        },
    )
    .await?;
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
                role,
                municipality_id,
                department_id,
                organization_id,
                status: UserStatus::Active,
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
    LegalForm,
    &str,
    &[&str],
    &[&str],
    &str,
    &str,
    f64,
    f64,
    ParticipationIntent,
    bool,
    &[HideableField],
)] = &[
    (
        "demo-zama-001",
        "NPO法人ざま居場所ネット",
        "ざまいばしょねっと",
        LegalForm::Npo,
        "142166",
        &["hikikomori", "loneliness"],
        &["place_to_belong", "employment_support"],
        "ひきこもりの若者と家族のための居場所と就労体験。毎週火・金に開所。",
        "緑ケ丘一丁目2番3号",
        35.4886,
        139.4075,
        ParticipationIntent::Yes,
        false,
        &[HideableField::ContactPerson],
    ),
    (
        "demo-zama-002",
        "ざま子ども食堂ひまわり",
        "ざまこどもしょくどうひまわり",
        LegalForm::ChildrensCafeteria,
        "142166",
        &["child_rearing", "single_parent", "poverty"],
        &["food_support", "place_to_belong"],
        "毎月第2・第4土曜日に子どもと保護者に温かい食事を提供。",
        "相模が丘五丁目1番2号",
        35.5012,
        139.4098,
        ParticipationIntent::Maybe,
        false,
        &[],
    ),
    (
        "demo-ayase-001",
        "綾瀬市地域包括支援センターあやせ南",
        "あやせしちいきほうかつしえんせんたーあやせみなみ",
        LegalForm::CommunityGeneralSupportCenter,
        "142182",
        &["elderly", "loneliness"],
        &["consultation", "outreach"],
        "高齢者の総合相談と見守り訪問。",
        "深谷中一丁目1番1号",
        35.4371,
        139.4262,
        ParticipationIntent::Yes,
        false,
        &[],
    ),
    (
        "demo-yamato-001",
        "一般社団法人やまとヤングケアラー支援ネット",
        "やまとやんぐけあらーしえんねっと",
        LegalForm::GeneralIncorporatedAssociation,
        "142131",
        &["young_carer"],
        &["consultation", "safe_place"],
        "家族の世話を担う子ども・若者の相談とほっとできる場所。",
        "中央一丁目5番4号",
        35.4874,
        139.4581,
        ParticipationIntent::Maybe,
        false,
        &[],
    ),
    (
        "demo-ebina-001",
        "社会福祉法人えびな障害者就労支援センター",
        "えびなしょうがいしゃしゅうろうしえんせんたー",
        LegalForm::SocialWelfareCorporation,
        "142158",
        &["disability"],
        &["employment_support", "volunteer_roles"],
        "障害のある方の就労支援と地域のボランティア活動。",
        "勝瀬175番地の1",
        35.4464,
        139.3908,
        ParticipationIntent::Unknown,
        false,
        &[],
    ),
    (
        "demo-ebina-002",
        "えびな里山ふれあいの会",
        "えびなさとやまふれあいのかい",
        LegalForm::VoluntaryGroup,
        "142158",
        &["loneliness", "elderly"],
        &["nature_and_people", "volunteer_roles"],
        "里山の手入れと畑作業を通じて世代を超えて交流。",
        "上今泉四丁目3番",
        35.4560,
        139.3970,
        ParticipationIntent::No,
        false,
        &[],
    ),
    (
        "demo-zama-003",
        "かながわ女性の家（緊急一時保護）",
        "かながわじょせいのいえ",
        LegalForm::SocialWelfareCorporation,
        "142166",
        &["dv"],
        &["safe_place", "consultation"],
        "DV被害者の緊急一時保護。所在地は非公開。",
        "（非公開）",
        35.4790,
        139.4020,
        ParticipationIntent::Unknown,
        true,
        &[
            HideableField::Address,
            HideableField::Position,
            HideableField::Phone,
            HideableField::Email,
            HideableField::ContactPerson,
        ],
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
            legal_form: *legal_form,
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
            participation_intent: *intent,
            partner_organization_id: None,
            visibility: if *staff_only {
                EntryVisibility::StaffOnly
            } else {
                EntryVisibility::Public
            },
            hidden_fields: hidden.to_vec(),
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
const DEMO_SURVEY_CHANNELS: &[(SurveyChannel, usize, usize)] = &[
    (SurveyChannel::Email, 78, 34),
    (SurveyChannel::Post, 41, 13),
    (SurveyChannel::Hand, 26, 12),
    (SurveyChannel::Fax, 12, 4),
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
                    channel: *channel,
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
