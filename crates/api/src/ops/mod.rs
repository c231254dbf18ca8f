//! Operations: liveness and readiness, backups and restore.

pub mod backup;
pub mod health;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(backup::status::get_state);
}
