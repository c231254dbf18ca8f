//! The directory's managed taxonomies: topics (a hierarchy) and forms of activity.

use crate::codes::DbText;
use crate::schema::taxonomy_terms;
use crate::DbResult;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use living_gate_domain::directory::Vocabulary;
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = taxonomy_terms, check_for_backend(diesel::pg::Pg))]
pub struct Term {
    pub id: Uuid,
    #[diesel(deserialize_as = DbText<Vocabulary>, serialize_as = DbText<Vocabulary>)]
    pub vocabulary: Vocabulary,
    pub code: String,
    pub parent_id: Option<Uuid>,
    pub label_ja: String,
    pub label_en: String,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl crate::Versioned for Term {
    fn id(&self) -> Uuid {
        self.id
    }
    fn version(&self) -> i64 {
        self.version
    }
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = taxonomy_terms)]
pub struct NewTerm {
    pub id: Uuid,
    #[diesel(serialize_as = DbText<Vocabulary>)]
    pub vocabulary: Vocabulary,
    pub code: String,
    pub parent_id: Option<Uuid>,
    pub label_ja: String,
    pub label_en: String,
}

pub async fn insert(conn: &mut AsyncPgConnection, new: &NewTerm) -> DbResult<Term> {
    Ok(diesel::insert_into(taxonomy_terms::table)
        .values(new.clone())
        .returning(Term::as_returning())
        .get_result(conn)
        .await?)
}

/// Every term of a vocabulary (a few dozen), parents before children is not
/// guaranteed: ordered by code.
pub async fn list(conn: &mut AsyncPgConnection, vocabulary: Vocabulary) -> DbResult<Vec<Term>> {
    Ok(taxonomy_terms::table
        .filter(taxonomy_terms::vocabulary.eq(DbText(vocabulary)))
        .select(Term::as_select())
        .order(taxonomy_terms::code)
        .load(conn)
        .await?)
}

pub async fn find_by_code(
    conn: &mut AsyncPgConnection,
    vocabulary: Vocabulary,
    code: &str,
) -> DbResult<Option<Term>> {
    Ok(taxonomy_terms::table
        .filter(taxonomy_terms::vocabulary.eq(DbText(vocabulary)))
        .filter(taxonomy_terms::code.eq(code.to_owned()))
        .select(Term::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// The codes among `codes` that are not terms of the vocabulary.
pub async fn unknown_codes(
    conn: &mut AsyncPgConnection,
    vocabulary: Vocabulary,
    codes: &[String],
) -> DbResult<Vec<String>> {
    if codes.is_empty() {
        return Ok(Vec::new());
    }
    let known: Vec<String> = taxonomy_terms::table
        .filter(taxonomy_terms::vocabulary.eq(DbText(vocabulary)))
        .filter(taxonomy_terms::code.eq_any(codes))
        .select(taxonomy_terms::code)
        .load(conn)
        .await?;
    Ok(codes
        .iter()
        .filter(|c| !known.contains(c))
        .cloned()
        .collect())
}
