//! The actix-web application: routes, extractor limits and error handlers,
//! the URL check (length, NUL), CORS, request context, and the problem+json
//! fallback for unknown routes.

use crate::http::openapi::allowed_methods;
use crate::http::problem::ApiError;
use crate::http::routes;
use crate::state::AppState;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::error::{JsonPayloadError, UrlencodedError};
use actix_web::middleware::{from_fn, Compress, Condition};
use actix_web::{http, web, App, HttpRequest, HttpResponse};
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

/// Default and maximum JSON body size.
pub const BODY_LIMIT: usize = 256 * 1024;

pub fn build(
    state: AppState,
    cors_origins: &[String],
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let openapi = (*state.openapi).clone();
    let (app, _) = App::new()
        .into_utoipa_app()
        .configure(routes::configure)
        .split_for_parts();
    app.app_data(web::Data::new(state))
        .app_data(
            web::JsonConfig::default()
                .limit(BODY_LIMIT)
                .error_handler(|error, _| json_error(error).into()),
        )
        .app_data(
            web::FormConfig::default()
                .limit(BODY_LIMIT)
                .error_handler(|error, _| form_error(error).into()),
        )
        .app_data(web::PayloadConfig::default().limit(BODY_LIMIT))
        .app_data(web::PathConfig::default().error_handler(|_, _| ApiError::NotFound.into()))
        .app_data(web::QueryConfig::default().error_handler(|error, _| {
            ApiError::validation("query", "invalid_parameter", error.to_string()).into()
        }))
        .route("/docs", web::get().to(docs_redirect))
        .service(SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", openapi))
        .default_service(web::to(fallback))
        .wrap(from_fn(crate::http::idempotency::middleware))
        // Outside the idempotency middleware: its pinned connection is in scope too.
        .wrap(from_fn(crate::http::row_scope::middleware))
        // Outside the idempotency middleware: a write's position is read
        // once it has committed.
        .wrap(from_fn(crate::http::read_routing::middleware))
        .wrap(from_fn(crate::http::etag::not_modified))
        .wrap(from_fn(crate::http::text::middleware))
        .wrap(Condition::new(!cors_origins.is_empty(), cors(cors_origins)))
        .wrap(from_fn(crate::http::request_context::middleware))
        // Outermost: the body is compressed once everything else (the
        // problem+json completion above all) is done with it.
        .wrap(Compress::default())
}

fn cors(origins: &[String]) -> actix_cors::Cors {
    let cors = origins
        .iter()
        .fold(actix_cors::Cors::default(), |cors, origin| {
            cors.allowed_origin(origin)
        });
    cors.allowed_methods(["GET", "POST", "PUT", "PATCH", "DELETE"])
        .allowed_headers([
            http::header::AUTHORIZATION,
            http::header::CONTENT_TYPE,
            http::header::IF_MATCH,
            http::header::IF_NONE_MATCH,
            http::header::HeaderName::from_static("idempotency-key"),
            http::header::HeaderName::from_static("x-request-id"),
            http::header::HeaderName::from_static(crate::http::read_routing::POSITION_HEADER),
        ])
        .expose_headers([
            http::header::ETAG,
            http::header::LOCATION,
            http::header::CONTENT_DISPOSITION,
            http::header::RETRY_AFTER,
            http::header::HeaderName::from_static("ratelimit"),
            http::header::HeaderName::from_static("ratelimit-policy"),
            http::header::HeaderName::from_static("x-request-id"),
            http::header::HeaderName::from_static("idempotency-replayed"),
            http::header::HeaderName::from_static(crate::http::read_routing::POSITION_HEADER),
        ])
        .max_age(3600)
}

/// Swagger UI lives under `/docs/`; its relative asset links need the slash.
async fn docs_redirect() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header((http::header::LOCATION, "/docs/"))
        .finish()
}

/// Unknown path: 404; known path, other method: 405 with `Allow`.
async fn fallback(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    match allowed_methods(&state.openapi, req.path()) {
        Some(allow) if !allow.is_empty() => Err(ApiError::MethodNotAllowed { allow }),
        _ => Err(ApiError::NotFound),
    }
}

fn json_error(error: JsonPayloadError) -> ApiError {
    match error {
        JsonPayloadError::OverflowKnownLength { .. } | JsonPayloadError::Overflow { .. } => {
            ApiError::PayloadTooLarge
        }
        JsonPayloadError::ContentType => {
            ApiError::UnsupportedMediaType("send the body as application/json".into())
        }
        JsonPayloadError::Deserialize(e) if e.is_data() => {
            ApiError::validation("body", "invalid_field", e.to_string())
        }
        JsonPayloadError::Deserialize(e) => ApiError::BadRequest(format!("malformed JSON: {e}")),
        other => ApiError::BadRequest(format!("unreadable body: {other}")),
    }
}

fn form_error(error: UrlencodedError) -> ApiError {
    match error {
        UrlencodedError::Overflow { .. } => ApiError::PayloadTooLarge,
        UrlencodedError::ContentType => ApiError::UnsupportedMediaType(
            "send the body as application/json or application/x-www-form-urlencoded".into(),
        ),
        UrlencodedError::Parse(e) => ApiError::validation("body", "invalid_field", e.to_string()),
        other => ApiError::BadRequest(format!("unreadable body: {other}")),
    }
}
