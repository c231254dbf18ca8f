//! Demo directory entries, referrals and a survey campaign (seed 002).

use living_gate_db::reference::municipalities::{self};
use living_gate_db::{AsyncPgConnection, DbError};
use living_gate_domain::directory::{
    EntryVisibility, HideableField, LegalForm, ParticipationIntent, SurveyChannel,
};
use uuid::Uuid;

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
    use living_gate_db::directory::resources::{self, Location, ResourceContent};
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
    use living_gate_db::directory::surveys::{self, NewCampaign, NewRecipient};
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
