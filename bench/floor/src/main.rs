//! The stack's floor (issue 20; not part of the product): actix-web +
//! diesel-async + deadpool answering one primary-key `SELECT` of a case as
//! JSON behind a bearer check (a constant-time compare with the one token
//! it is given: cheaper than any real check, so the API is measured against
//! the least the stack can do). `bash bench/auth_read.sh` runs it.
//!
//!   FLOOR_DATABASE_URL=postgres://… FLOOR_TOKEN=… FLOOR_BIND=127.0.0.1:18190 \
//!   FLOOR_POOL_SIZE=32 living-gate-floor

use actix_web::{get, web, App, HttpRequest, HttpResponse, HttpServer};
use diesel::prelude::*;
use diesel_async::pooled_connection::deadpool::Pool;
use diesel_async::pooled_connection::{
    AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod,
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

diesel::table! {
    proposals (id) {
        id -> Uuid, reference -> Text, kind -> Text, title -> Text, summary -> Text,
        status -> Text, version -> Int8, received_at -> Timestamptz, updated_at -> Timestamptz,
    }
}

#[derive(Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = proposals, check_for_backend(diesel::pg::Pg))]
struct Proposal {
    id: uuid::Uuid,
    reference: String,
    kind: String,
    title: String,
    summary: String,
    status: String,
    version: i64,
    received_at: chrono::DateTime<chrono::Utc>,
    updated_at: chrono::DateTime<chrono::Utc>,
}

struct Floor {
    pool: Pool<AsyncPgConnection>,
    bearer: Vec<u8>,
}

/// Constant-time equality (no early exit on the first differing byte).
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[get("/v1/proposals/{id}")]
async fn proposal(
    floor: web::Data<Floor>,
    req: HttpRequest,
    id: web::Path<uuid::Uuid>,
) -> HttpResponse {
    let presented = req
        .headers()
        .get("authorization")
        .map(|v| v.as_bytes())
        .unwrap_or_default();
    if !same(presented, &floor.bearer) {
        return HttpResponse::Unauthorized().finish();
    }
    let Ok(mut conn) = floor.pool.get().await else {
        return HttpResponse::ServiceUnavailable().finish();
    };
    match proposals::table
        .find(*id)
        .select(Proposal::as_select())
        .first(&mut conn)
        .await
        .optional()
    {
        Ok(Some(p)) => HttpResponse::Ok().json(p),
        Ok(None) => HttpResponse::NotFound().finish(),
        Err(_) => HttpResponse::ServiceUnavailable().finish(),
    }
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let env =
        |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.to_owned());
    // `Fast` recycling, as the API's pool (no `SELECT 1` per checkout).
    let mut config = ManagerConfig::default();
    config.recycling_method = RecyclingMethod::Fast;
    let manager = AsyncDieselConnectionManager::<AsyncPgConnection>::new_with_config(
        env("FLOOR_DATABASE_URL", ""),
        config,
    );
    let size = env("FLOOR_POOL_SIZE", "32").parse().unwrap_or(32);
    let pool = Pool::builder(manager)
        .max_size(size)
        .build()
        .map_err(std::io::Error::other)?;
    let floor = web::Data::new(Floor {
        pool,
        bearer: format!("Bearer {}", env("FLOOR_TOKEN", "")).into_bytes(),
    });
    HttpServer::new(move || App::new().app_data(floor.clone()).service(proposal))
        .bind(env("FLOOR_BIND", "127.0.0.1:18190"))?
        .run()
        .await
}
