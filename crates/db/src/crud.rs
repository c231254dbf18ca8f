//! The queries every versioned reference table shares (municipalities,
//! departments, organizations, users, service accounts): insert, find, find
//! and lock, keyset-paginated list, update that bumps `version`.

/// Generates `insert`, `find`, `find_for_update`, `list_page` and `update`
/// for a table with a UUID `id` and a `version` column.
macro_rules! versioned_crud {
    ($table:ident, $row:ty, $new:ty, $changes:ty) => {
        impl $crate::Versioned for $row {
            fn id(&self) -> uuid::Uuid {
                self.id
            }
            fn version(&self) -> i64 {
                self.version
            }
        }

        pub async fn insert(
            conn: &mut diesel_async::AsyncPgConnection,
            new: &$new,
        ) -> $crate::DbResult<$row> {
            use diesel::prelude::*;
            use diesel_async::RunQueryDsl;
            // By value: rows with enum fields (`serialize_as`) have no
            // `Insertable` for a reference.
            Ok($crate::Prepared(
                diesel::insert_into($table::table)
                    .values(new.clone())
                    .returning(<$row>::as_returning()),
            )
            .get_result(conn)
            .await?)
        }

        pub async fn find(
            conn: &mut diesel_async::AsyncPgConnection,
            id: uuid::Uuid,
        ) -> $crate::DbResult<Option<$row>> {
            use diesel::prelude::*;
            use diesel_async::RunQueryDsl;
            Ok($table::table
                .find(id)
                .select(<$row>::as_select())
                .first(conn)
                .await
                .optional()?)
        }

        /// Reads the row and locks it until the end of the transaction.
        pub async fn find_for_update(
            conn: &mut diesel_async::AsyncPgConnection,
            id: uuid::Uuid,
        ) -> $crate::DbResult<Option<$row>> {
            use diesel::prelude::*;
            use diesel_async::RunQueryDsl;
            Ok($table::table
                .find(id)
                .select(<$row>::as_select())
                .for_update()
                .first(conn)
                .await
                .optional()?)
        }

        /// Sets the given fields and increments `version`.
        pub async fn update(
            conn: &mut diesel_async::AsyncPgConnection,
            id: uuid::Uuid,
            changes: &$changes,
        ) -> $crate::DbResult<$row> {
            use diesel::prelude::*;
            use diesel_async::RunQueryDsl;
            Ok($crate::Prepared(
                diesel::update($table::table.find(id))
                    .set((changes.clone(), $table::version.eq($table::version + 1)))
                    .returning(<$row>::as_returning()),
            )
            .get_result(conn)
            .await?)
        }
    };
}

pub(crate) use versioned_crud;
