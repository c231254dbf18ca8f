//! The accounts an audience of a case event reaches: active (or a public
//! intake's proven contact), not the actor,
//! and not having turned the mail's kind off; with their address and mail
//! language, in one query.

use crate::codes::DbText;
use crate::DbResult;
use diesel::sql_types::{Nullable, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use living_gate_domain::desk::workflow::Status;
use living_gate_domain::notify::audience::Audience;
use living_gate_domain::notify::{Language, MailKind};
use uuid::Uuid;

/// One account a mail goes to.
#[derive(Debug, Clone, PartialEq, Eq, diesel::QueryableByName)]
pub struct Recipient {
    #[diesel(sql_type = SqlUuid)]
    pub user_id: Uuid,
    #[diesel(sql_type = Text)]
    pub email: String,
    #[diesel(sql_type = Text, deserialize_as = DbText<Language>)]
    pub language: Language,
}

/// What a case mail says of the case, and whose city it is.
#[derive(Debug, Clone, diesel::QueryableByName)]
pub struct CaseFacts {
    #[diesel(sql_type = Text)]
    pub reference: String,
    #[diesel(sql_type = Text)]
    pub title: String,
    #[diesel(sql_type = SqlUuid)]
    pub municipality_id: Uuid,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub lead_department_id: Option<Uuid>,
    #[diesel(sql_type = Text, deserialize_as = DbText<Status>)]
    pub status: Status,
}

/// The case `proposal_id` as its mails describe it.
pub async fn case_facts(
    conn: &mut AsyncPgConnection,
    proposal_id: Uuid,
) -> DbResult<Option<CaseFacts>> {
    use diesel::OptionalExtension;
    Ok(crate::Prepared(
        diesel::sql_query(
            "SELECT reference, title, municipality_id, lead_department_id, status
             FROM proposals WHERE id = $1",
        )
        .bind::<SqlUuid, _>(proposal_id),
    )
    .get_result(conn)
    .await
    .optional()?)
}

/// The accounts `audience` of case `proposal_id` reaches with a `kind` mail,
/// leaving out `actor` (nobody is told of their own action).
pub async fn for_case(
    conn: &mut AsyncPgConnection,
    proposal_id: Uuid,
    audience: Audience,
    kind: MailKind,
    actor: Option<Uuid>,
) -> DbResult<Vec<Recipient>> {
    let (who, department) = match audience {
        Audience::Proposer => ("proposer", None),
        Audience::Department(id) => ("department", Some(id)),
        Audience::Desk => ("desk", None),
        Audience::User(id) => ("user", Some(id)),
    };
    Ok(crate::Prepared(
        diesel::sql_query(
            "SELECT u.id AS user_id, u.email, u.mail_language AS language
             FROM users u JOIN proposals p ON p.id = $1
             WHERE CASE $2
                     -- The partner's active users; and the contact of a case from
                     -- the public intake, whose address the mailed code proved,
                     -- before the desk has invited it as the organization's user.
                     WHEN 'proposer' THEN u.role = 'partner' AND (
                       (u.status = 'active' AND u.organization_id = p.organization_id)
                       OR (u.status = 'invited' AND u.id = p.contact_user_id))
                     WHEN 'department' THEN u.status = 'active' AND u.role = 'department'
                       AND u.department_id = $3 AND u.municipality_id = p.municipality_id
                     -- The case's coordinator: a desk user of the case's city.
                     WHEN 'user' THEN u.status = 'active' AND u.role = 'desk'
                       AND u.id = $3 AND u.municipality_id = p.municipality_id
                     ELSE u.status = 'active' AND u.role = 'desk'
                       AND u.municipality_id = p.municipality_id
                   END
               AND u.id IS DISTINCT FROM $4
               AND NOT EXISTS (SELECT 1 FROM notification_preferences n
                               WHERE n.user_id = u.id AND n.kind = $5 AND NOT n.enabled)
             ORDER BY u.id",
        )
        .bind::<SqlUuid, _>(proposal_id)
        .bind::<Text, _>(who)
        .bind::<Nullable<SqlUuid>, _>(department)
        .bind::<Nullable<SqlUuid>, _>(actor)
        .bind::<Text, _>(kind.as_str()),
    )
    .load(conn)
    .await?)
}

/// The active desk users of `municipality_id` who receive `kind` mails.
pub async fn desk_of(
    conn: &mut AsyncPgConnection,
    municipality_id: Uuid,
    kind: MailKind,
) -> DbResult<Vec<Recipient>> {
    Ok(diesel::sql_query(
        "SELECT u.id AS user_id, u.email, u.mail_language AS language
         FROM users u
         WHERE u.status = 'active' AND u.role = 'desk' AND u.municipality_id = $1
           AND NOT EXISTS (SELECT 1 FROM notification_preferences n
                           WHERE n.user_id = u.id AND n.kind = $2 AND NOT n.enabled)
         ORDER BY u.id",
    )
    .bind::<SqlUuid, _>(municipality_id)
    .bind::<Text, _>(kind.as_str())
    .load(conn)
    .await?)
}
