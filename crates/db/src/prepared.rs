//! Prepared statements for the writes diesel would prepare anew every time.
//!
//! diesel keeps a query's prepared statement for the connection only when it
//! can prove that the query's SQL never depends on its values. It therefore
//! caches no `INSERT` (a `None` field may be written as `DEFAULT`), no
//! `UPDATE` (a changeset's `None` fields are left out), no upsert and no raw
//! SQL, so PostgreSQL parses and plans each of them at every execution: in
//! case creation that was 0.2–0.7 ms per statement, most of it inside the
//! section where the city's reference counter is held (issue 20).
//!
//! [`Prepared`] marks one such query safe to cache: diesel-async then keys
//! its statement by the SQL text and the bind types, so each distinct text
//! (one per combination of `None` fields that actually occurs) is prepared
//! once per connection and reused after. Use it only for statements whose
//! text takes a bounded number of shapes: never for a batch insert of a
//! varying number of rows or an `IN` list of varying length, which would
//! add an entry per length.

use diesel::pg::Pg;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::QueryResult;

/// A query whose prepared statement is kept for the connection (see the
/// module's documentation for when that is right).
#[derive(Debug, Clone, Copy)]
pub struct Prepared<Q>(pub Q);

impl<Q: QueryFragment<Pg>> QueryFragment<Pg> for Prepared<Q> {
    fn walk_ast<'b>(&'b self, pass: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        self.0.walk_ast(pass)
    }

    fn is_safe_to_cache_prepared(&self, _backend: &Pg) -> QueryResult<bool> {
        Ok(true)
    }
}

/// No static id: the statement cache keys the query by its SQL text.
impl<Q> QueryId for Prepared<Q> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q: Query> Query for Prepared<Q> {
    type SqlType = Q::SqlType;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::municipalities;
    use diesel::prelude::*;

    #[test]
    fn an_update_becomes_safe_to_cache_with_the_same_sql() {
        let update = || {
            diesel::update(municipalities::table.find(uuid::Uuid::nil()))
                .set(municipalities::version.eq(municipalities::version + 1))
        };
        assert!(!update().is_safe_to_cache_prepared(&Pg).unwrap());
        let prepared = Prepared(update());
        assert!(prepared.is_safe_to_cache_prepared(&Pg).unwrap());
        assert_eq!(
            diesel::debug_query::<Pg, _>(&prepared).to_string(),
            diesel::debug_query::<Pg, _>(&update()).to_string()
        );
        assert_eq!(<Prepared<()> as QueryId>::query_id(), None);
    }
}
