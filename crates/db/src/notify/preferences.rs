//! Each user's choice of the mail kinds it receives (no row: on) and the
//! language it reads them in.

use crate::schema::{notification_preferences, users};
use crate::DbResult;
use diesel::prelude::*;
use diesel::upsert::excluded;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use living_gate_domain::code::Code;
use living_gate_domain::notify::{Language, MailKind};
use uuid::Uuid;

/// The kinds `user_id` turned on or off (the others are on).
pub async fn choices(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
) -> DbResult<Vec<(MailKind, bool)>> {
    let rows: Vec<(String, bool)> = notification_preferences::table
        .filter(notification_preferences::user_id.eq(user_id))
        .select((
            notification_preferences::kind,
            notification_preferences::enabled,
        ))
        .load(conn)
        .await?;
    // The column's check constraint lists the kinds: none is unknown.
    Ok(rows
        .into_iter()
        .filter_map(|(kind, on)| MailKind::from_code(&kind).map(|k| (k, on)))
        .collect())
}

/// The language `user_id` reads mail in.
pub async fn language(conn: &mut AsyncPgConnection, user_id: Uuid) -> DbResult<Language> {
    let raw: String = users::table
        .find(user_id)
        .select(users::mail_language)
        .first(conn)
        .await?;
    Ok(Language::from_code(&raw).unwrap_or_default())
}

/// Sets `user_id`'s choices and language, in the caller's transaction.
pub async fn set(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    language: Language,
    choices: &[(MailKind, bool)],
) -> DbResult<()> {
    diesel::update(users::table.find(user_id))
        .set(users::mail_language.eq(language.as_str()))
        .execute(conn)
        .await?;
    if choices.is_empty() {
        return Ok(());
    }
    let rows: Vec<_> = choices
        .iter()
        .map(|(kind, on)| {
            (
                notification_preferences::user_id.eq(user_id),
                notification_preferences::kind.eq(kind.as_str()),
                notification_preferences::enabled.eq(*on),
            )
        })
        .collect();
    diesel::insert_into(notification_preferences::table)
        .values(rows)
        .on_conflict((
            notification_preferences::user_id,
            notification_preferences::kind,
        ))
        .do_update()
        .set((
            notification_preferences::enabled.eq(excluded(notification_preferences::enabled)),
            notification_preferences::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await?;
    Ok(())
}
