//! Keyset pagination by UUIDv7 id (time-ordered, so newest-last is creation order).

use uuid::Uuid;

/// A page request: rows with `id > after`, at most `limit`.
#[derive(Debug, Clone, Copy)]
pub struct Page {
    pub after: Option<Uuid>,
    pub limit: i64,
}

impl Page {
    /// Asks for one row more than `limit`, so the caller learns whether a next page exists.
    pub fn fetch_limit(&self) -> i64 {
        self.limit + 1
    }

    /// Splits the over-fetched rows into the page and the id to continue after.
    pub fn finish<T>(
        &self,
        mut rows: Vec<T>,
        id_of: impl Fn(&T) -> Uuid,
    ) -> (Vec<T>, Option<Uuid>) {
        let limit = usize::try_from(self.limit).unwrap_or(usize::MAX);
        if rows.len() > limit {
            rows.truncate(limit);
            let next = rows.last().map(&id_of);
            (rows, next)
        } else {
            (rows, None)
        }
    }
}
