//! Survey campaigns of the directory (seed 002: 157 organizations reached,
//! 63 answered) and their distribution lists.

use crate::codes::{DbNullableText, DbText};
use crate::schema::{survey_campaigns, survey_recipients};
use crate::{DbResult, Page};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use living_gate_domain::directory::{ParticipationIntent, SurveyChannel};
use living_gate_domain::platform::survey::WorksOn;
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = survey_campaigns, check_for_backend(diesel::pg::Pg))]
pub struct Campaign {
    pub id: Uuid,
    pub title: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl crate::Versioned for Campaign {
    fn id(&self) -> Uuid {
        self.id
    }
    fn version(&self) -> i64 {
        self.version
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = survey_campaigns)]
pub struct NewCampaign {
    pub id: Uuid,
    pub title: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = survey_recipients, check_for_backend(diesel::pg::Pg))]
pub struct Recipient {
    pub id: Uuid,
    pub campaign_id: Uuid,
    pub resource_id: Option<Uuid>,
    pub prospective_name: Option<String>,
    pub municipality_id: Uuid,
    #[diesel(deserialize_as = DbText<SurveyChannel>)]
    pub channel: SurveyChannel,
    pub sent_on: NaiveDate,
    pub answered_on: Option<NaiveDate>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Form codes (vocabulary `form`).
    pub activities: Vec<String>,
    #[diesel(deserialize_as = DbNullableText<WorksOn>)]
    pub works_on: Option<WorksOn>,
    pub ideas: Vec<String>,
    /// Organizations introduced that are not in the directory, by name.
    pub introduced_names: Vec<String>,
    #[diesel(deserialize_as = DbNullableText<ParticipationIntent>)]
    pub participation_intent: Option<ParticipationIntent>,
}

impl crate::Versioned for Recipient {
    fn id(&self) -> Uuid {
        self.id
    }
    fn version(&self) -> i64 {
        self.version
    }
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = survey_recipients)]
pub struct NewRecipient {
    pub id: Uuid,
    pub campaign_id: Uuid,
    pub resource_id: Option<Uuid>,
    pub prospective_name: Option<String>,
    pub municipality_id: Uuid,
    #[diesel(serialize_as = DbText<SurveyChannel>)]
    pub channel: SurveyChannel,
    pub sent_on: NaiveDate,
    pub answered_on: Option<NaiveDate>,
}

pub async fn insert_campaign(
    conn: &mut AsyncPgConnection,
    new: &NewCampaign,
) -> DbResult<Campaign> {
    Ok(diesel::insert_into(survey_campaigns::table)
        .values(new)
        .returning(Campaign::as_returning())
        .get_result(conn)
        .await?)
}

pub async fn find_campaign(conn: &mut AsyncPgConnection, id: Uuid) -> DbResult<Option<Campaign>> {
    Ok(survey_campaigns::table
        .find(id)
        .select(Campaign::as_select())
        .first(conn)
        .await
        .optional()?)
}

pub async fn list_campaigns(conn: &mut AsyncPgConnection, page: Page) -> DbResult<Vec<Campaign>> {
    let mut query = survey_campaigns::table
        .select(Campaign::as_select())
        .order(survey_campaigns::id)
        .limit(page.fetch_limit())
        .into_boxed();
    if let Some(after) = page.after {
        query = query.filter(survey_campaigns::id.gt(after));
    }
    Ok(query.load(conn).await?)
}

pub async fn insert_recipient(
    conn: &mut AsyncPgConnection,
    new: &NewRecipient,
) -> DbResult<Recipient> {
    Ok(diesel::insert_into(survey_recipients::table)
        .values(new.clone())
        .returning(Recipient::as_returning())
        .get_result(conn)
        .await?)
}

/// The recipient of this campaign, locked until the end of the transaction.
pub async fn find_recipient_for_update(
    conn: &mut AsyncPgConnection,
    campaign_id: Uuid,
    id: Uuid,
) -> DbResult<Option<Recipient>> {
    Ok(survey_recipients::table
        .find(id)
        .filter(survey_recipients::campaign_id.eq(campaign_id))
        .select(Recipient::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()?)
}

/// Points the recipient at the directory entry it became.
pub async fn link_entry(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    resource_id: Uuid,
) -> DbResult<Recipient> {
    Ok(diesel::update(survey_recipients::table.find(id))
        .set((
            survey_recipients::resource_id.eq(resource_id),
            survey_recipients::version.eq(survey_recipients::version + 1),
        ))
        .returning(Recipient::as_returning())
        .get_result(conn)
        .await?)
}

/// What an answer records on its recipient: the day, and the content
/// given (a field not given is left as it was).
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = survey_recipients)]
pub struct Answer {
    pub answered_on: Option<NaiveDate>,
    pub activities: Option<Vec<String>>,
    #[diesel(serialize_as = DbText<WorksOn>)]
    pub works_on: Option<WorksOn>,
    pub ideas: Option<Vec<String>>,
    pub introduced_names: Option<Vec<String>>,
    #[diesel(serialize_as = DbText<ParticipationIntent>)]
    pub participation_intent: Option<ParticipationIntent>,
}

pub async fn set_answered(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    answer: &Answer,
) -> DbResult<Recipient> {
    Ok(diesel::update(survey_recipients::table.find(id))
        .set((
            answer.clone(),
            survey_recipients::version.eq(survey_recipients::version + 1),
        ))
        .returning(Recipient::as_returning())
        .get_result(conn)
        .await?)
}

pub async fn list_recipients(
    conn: &mut AsyncPgConnection,
    campaign_id: Uuid,
    page: Page,
) -> DbResult<Vec<Recipient>> {
    let mut query = survey_recipients::table
        .filter(survey_recipients::campaign_id.eq(campaign_id))
        .select(Recipient::as_select())
        .order(survey_recipients::id)
        .limit(page.fetch_limit())
        .into_boxed();
    if let Some(after) = page.after {
        query = query.filter(survey_recipients::id.gt(after));
    }
    Ok(query.load(conn).await?)
}

/// Distributed and answered counts of a campaign by `dimension`
/// (`channel` or `municipality`; key `''` with dimension `total`).
#[derive(Debug, QueryableByName)]
pub struct Tally {
    #[diesel(sql_type = Text)]
    pub dimension: String,
    #[diesel(sql_type = Text)]
    pub key: String,
    #[diesel(sql_type = BigInt)]
    pub distributed: i64,
    #[diesel(sql_type = BigInt)]
    pub answered: i64,
}

pub async fn report(conn: &mut AsyncPgConnection, campaign_id: Uuid) -> DbResult<Vec<Tally>> {
    Ok(diesel::sql_query(
        "SELECT 'total' AS dimension, '' AS key, count(*) AS distributed, count(answered_on) AS answered
           FROM survey_recipients WHERE campaign_id = $1
         UNION ALL
         SELECT 'channel', channel, count(*), count(answered_on)
           FROM survey_recipients WHERE campaign_id = $1 GROUP BY channel
         UNION ALL
         SELECT 'municipality', municipality_id::text, count(*), count(answered_on)
           FROM survey_recipients WHERE campaign_id = $1 GROUP BY municipality_id",
    )
    .bind::<SqlUuid, _>(campaign_id)
    .load(conn)
    .await?)
}

/// The content of a campaign's answers: `works_on` (key: the answer, `''`
/// not given), and of those working on 孤独・孤立 (`kodoku_koritsu` or
/// `both`) by `municipality` (id) and by `form` (an activity code).
#[derive(Debug, QueryableByName)]
pub struct ContentCount {
    #[diesel(sql_type = Text)]
    pub dimension: String,
    #[diesel(sql_type = Text)]
    pub key: String,
    #[diesel(sql_type = BigInt)]
    pub answered: i64,
}

pub async fn content(
    conn: &mut AsyncPgConnection,
    campaign_id: Uuid,
) -> DbResult<Vec<ContentCount>> {
    Ok(diesel::sql_query(
        "SELECT 'works_on' AS dimension, coalesce(works_on, '') AS key, count(*) AS answered
           FROM survey_recipients WHERE campaign_id = $1 AND answered_on IS NOT NULL GROUP BY works_on
         UNION ALL
         SELECT 'municipality', municipality_id::text, count(*)
           FROM survey_recipients WHERE campaign_id = $1 AND answered_on IS NOT NULL
            AND works_on IN ('kodoku_koritsu', 'both') GROUP BY municipality_id
         UNION ALL
         SELECT 'form', f, count(*)
           FROM survey_recipients, unnest(activities) f WHERE campaign_id = $1 AND answered_on IS NOT NULL
            AND works_on IN ('kodoku_koritsu', 'both') GROUP BY f",
    )
    .bind::<SqlUuid, _>(campaign_id)
    .load(conn)
    .await?)
}
