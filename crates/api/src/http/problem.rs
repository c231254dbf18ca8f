//! RFC 9457 problem details: the one error envelope of the API, and the one
//! mapping from domain and database errors to HTTP statuses.
//!
//! An internal error keeps its cause (any error, with its own causes) for
//! the log: the response is built once, in [`ResponseError::error_response`],
//! which logs the whole [`ErrorChain`] and answers a generic 500 that names
//! nothing but the request id.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use living_gate_db::DbError;
use living_gate_domain::{Denied, FieldError, ValidationErrors};
use serde::Serialize;
use serde_json::Value;
use std::error::Error as StdError;
use std::fmt;
use utoipa::ToSchema;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// Why a bearer token was refused; written to the audit log (never the token).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenRefusal {
    Missing,
    WrongScheme,
    Malformed,
    Algorithm,
    UnknownKey,
    Signature,
    Expired,
    NotYetValid,
    Issuer,
    Audience,
    Revoked,
    InactiveAccount,
}

impl TokenRefusal {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenRefusal::Missing => "missing",
            TokenRefusal::WrongScheme => "wrong_scheme",
            TokenRefusal::Malformed => "malformed",
            TokenRefusal::Algorithm => "algorithm",
            TokenRefusal::UnknownKey => "unknown_key",
            TokenRefusal::Signature => "signature",
            TokenRefusal::Expired => "expired",
            TokenRefusal::NotYetValid => "not_yet_valid",
            TokenRefusal::Issuer => "issuer",
            TokenRefusal::Audience => "audience",
            TokenRefusal::Revoked => "revoked",
            TokenRefusal::InactiveAccount => "inactive_account",
        }
    }
}

/// Every error an endpoint can return.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("authentication required")]
    Unauthorized(String),
    /// A sign-in refused for a reason the person can act on (a second
    /// factor needed, an account not linked to the provider's subject …):
    /// 401 with the reason in the `code` extension member.
    #[error("sign-in refused: {code}")]
    SignInRefused { code: &'static str, detail: String },
    #[error("forbidden")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("method not allowed")]
    MethodNotAllowed { allow: Vec<String> },
    #[error("conflict: {detail}")]
    Conflict {
        detail: String,
        extra: Option<Value>,
    },
    #[error("precondition failed")]
    PreconditionFailed,
    #[error("precondition required")]
    PreconditionRequired,
    #[error("payload too large")]
    PayloadTooLarge,
    /// An uploaded file over the configured limit (bytes).
    #[error("file too large")]
    FileTooLarge { limit: u64 },
    #[error("URI too long")]
    UriTooLong { limit: usize },
    #[error("unsupported media type")]
    UnsupportedMediaType(String),
    #[error(transparent)]
    Validation(#[from] ValidationErrors),
    #[error("rate limited")]
    RateLimited { retry_after_secs: i64 },
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// An identity provider could not be reached or answered outside the
    /// protocol (the cause is logged, never sent).
    #[error("bad gateway: {0}")]
    BadGateway(String),
    /// Anything unexpected: a bug or a broken database. The cause is logged,
    /// never sent; build it with [`ApiError::internal`].
    #[error("internal error")]
    Internal(#[source] Cause),
}

/// The cause of an internal error: an error with its chain, or a message.
pub type Cause = Box<dyn StdError + Send + Sync + 'static>;

/// An error and every cause under it (`source()` after `source()`), for the
/// log; as zero2prod's `error_chain_fmt`.
pub struct ErrorChain<'a>(pub &'a (dyn StdError + 'static));

impl fmt::Display for ErrorChain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)?;
        let mut cause = self.0.source();
        while let Some(error) = cause {
            write!(f, "\nCaused by:\n\t{error}")?;
            cause = error.source();
        }
        Ok(())
    }
}

/// The problem+json body (RFC 9457) every error response carries. Its
/// schema is [`ProblemSchema`]'s, which names the extension members `extra`
/// carries.
#[derive(Debug, Serialize)]
pub struct Problem {
    /// A URI naming the kind of problem.
    #[serde(rename = "type")]
    pub problem_type: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// The request path.
    pub instance: Option<String>,
    /// The request id, as in the `X-Request-Id` response header.
    pub request_id: Option<String>,
    /// For 422: every invalid field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldError>>,
    /// For 409 on workflow moves: the moves allowed to this caller now.
    #[serde(skip_serializing_if = "Option::is_none", flatten)]
    pub extra: Option<Value>,
}

// The documented shape of `Problem` (never built): the members every
// problem has, and every extension member some problems add through `extra`.
/// The problem+json body (RFC 9457) every error response carries: the
/// standard members, and the extension members some problems add.
#[derive(ToSchema)]
#[schema(example = json!({
    "type": "https://living-gate.example/problems/validation",
    "title": "Validation failed",
    "status": 422,
    "detail": "1 invalid field(s)",
    "instance": "/v1/organizations",
    "request_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e01",
    "errors": [{"field": "name", "code": "required", "message": "must not be empty"}]
}))]
#[allow(dead_code)]
pub struct ProblemSchema {
    /// A URI naming the kind of problem.
    #[schema(
        rename = "type",
        example = "https://living-gate.example/problems/validation"
    )]
    problem_type: String,
    /// A short summary of the kind of problem.
    title: String,
    /// The HTTP status code.
    #[schema(minimum = 400, maximum = 599)]
    status: u16,
    /// What went wrong with this request.
    detail: String,
    /// The request path.
    instance: Option<String>,
    /// The request id, as in the `X-Request-Id` response header.
    request_id: Option<String>,
    /// For 422: every invalid field.
    #[schema(nullable = false)]
    errors: Option<Vec<FieldError>>,
    /// For 409 on workflow moves: where the case is now.
    #[schema(nullable = false)]
    current_status: Option<living_gate_domain::desk::workflow::Status>,
    /// For 409 on an illegal transition: the moves allowed to this caller now.
    #[schema(nullable = false)]
    allowed_moves: Option<Vec<living_gate_domain::desk::workflow::Status>>,
    /// For 409 when `adopted` or `not_adopted` is sent as a transition: the
    /// path that records the decision.
    #[schema(
        nullable = false,
        example = "/v1/proposals/0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e50/decision"
    )]
    decision: Option<String>,
    /// For 409 when `adopted` or `not_adopted` is sent as a transition:
    /// whether this caller could record the decision now.
    #[schema(nullable = false)]
    can_decide: Option<bool>,
    /// For 401 `sign-in-refused`: why (`totp_required`,
    /// `totp_enrolment_required`, `invalid_totp`, `invalid_state`,
    /// `code_refused`, `id_token_invalid`, `not_linked`, `account_disabled`,
    /// `organization_not_confirmed`, `corporate_number_missing`, `email_in_use`).
    #[schema(nullable = false, example = "totp_required")]
    code: Option<String>,
}

impl utoipa::PartialSchema for Problem {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        <ProblemSchema as utoipa::PartialSchema>::schema()
    }
}

impl ToSchema for Problem {
    fn name() -> std::borrow::Cow<'static, str> {
        "Problem".into()
    }
    fn schemas(
        schemas: &mut Vec<(
            String,
            utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
        )>,
    ) {
        <ProblemSchema as ToSchema>::schemas(schemas);
    }
}

impl ApiError {
    fn kind(&self) -> (&'static str, &'static str) {
        match self {
            ApiError::BadRequest(_) => ("bad-request", "Malformed request"),
            ApiError::Unauthorized(_) => ("unauthorized", "Authentication required"),
            ApiError::SignInRefused { .. } => ("sign-in-refused", "Sign-in refused"),
            ApiError::BadGateway(_) => ("bad-gateway", "Identity provider unavailable"),
            ApiError::Forbidden => ("forbidden", "Not allowed"),
            ApiError::NotFound => ("not-found", "Not found"),
            ApiError::MethodNotAllowed { .. } => ("method-not-allowed", "Method not allowed"),
            ApiError::Conflict { .. } => ("conflict", "Conflict"),
            ApiError::PreconditionFailed => ("precondition-failed", "Precondition failed"),
            ApiError::PreconditionRequired => ("precondition-required", "Precondition required"),
            ApiError::PayloadTooLarge | ApiError::FileTooLarge { .. } => {
                ("payload-too-large", "Payload too large")
            }
            ApiError::UriTooLong { .. } => ("uri-too-long", "URI too long"),
            ApiError::UnsupportedMediaType(_) => {
                ("unsupported-media-type", "Unsupported media type")
            }
            ApiError::Validation(_) => ("validation", "Validation failed"),
            ApiError::RateLimited { .. } => ("rate-limited", "Too many requests"),
            ApiError::Unavailable(_) => ("unavailable", "Service unavailable"),
            ApiError::Internal(_) => ("internal", "Internal server error"),
        }
    }

    /// What the client is told. Internal causes stay in the log.
    fn detail(&self) -> String {
        match self {
            ApiError::BadRequest(detail)
            | ApiError::Unauthorized(detail)
            | ApiError::UnsupportedMediaType(detail) => detail.clone(),
            ApiError::SignInRefused { detail, .. } => detail.clone(),
            ApiError::BadGateway(_) => {
                "the identity provider could not be reached or answered wrongly; retry later".into()
            }
            ApiError::Forbidden => "your role may not perform this operation".into(),
            ApiError::NotFound => "no such resource, or it is not visible to you".into(),
            ApiError::MethodNotAllowed { allow } => {
                format!("this resource supports {}", allow.join(", "))
            }
            ApiError::Conflict { detail, .. } => detail.clone(),
            ApiError::PreconditionFailed => {
                "the resource changed since you read it: fetch it again and reapply your change"
                    .into()
            }
            ApiError::PreconditionRequired => "send If-Match with the ETag you last read".into(),
            ApiError::PayloadTooLarge => "the request body exceeds the limit of 256 KiB".into(),
            ApiError::FileTooLarge { limit } => {
                format!("the file exceeds the limit of {limit} bytes")
            }
            ApiError::UriTooLong { limit } => {
                format!("the path and query exceed the limit of {limit} bytes")
            }
            ApiError::Validation(errors) => errors.to_string(),
            ApiError::RateLimited { retry_after_secs } => {
                format!("too many attempts; retry after {retry_after_secs} seconds")
            }
            ApiError::Unavailable(_) => "the database is unavailable; retry later".into(),
            ApiError::Internal(_) => {
                "an unexpected error occurred; it has been logged with the request id".into()
            }
        }
    }

    pub fn problem(&self) -> Problem {
        let (slug, title) = self.kind();
        Problem {
            problem_type: format!("https://living-gate.example/problems/{slug}"),
            title: title.to_owned(),
            status: self.status_code().as_u16(),
            detail: self.detail(),
            instance: None,
            request_id: None,
            errors: match self {
                ApiError::Validation(errors) => Some(errors.0.clone()),
                _ => None,
            },
            extra: match self {
                ApiError::Conflict { extra, .. } => extra.clone(),
                ApiError::SignInRefused { code, .. } => Some(serde_json::json!({ "code": code })),
                _ => None,
            },
        }
    }

    pub fn validation(field: &str, code: &str, message: impl Into<String>) -> ApiError {
        ApiError::Validation(ValidationErrors::single(field, code, message))
    }

    /// A 500 caused by `cause`: an error (kept with its chain, for the log)
    /// or a plain message (`ApiError::internal("adopted without a lead")`).
    /// Add context with anyhow: `ApiError::internal(anyhow!(e).context("…"))`.
    pub fn internal(cause: impl Into<Cause>) -> ApiError {
        ApiError::Internal(cause.into())
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) | ApiError::SignInRefused { .. } => StatusCode::UNAUTHORIZED,
            ApiError::BadGateway(_) => StatusCode::BAD_GATEWAY,
            ApiError::Forbidden => StatusCode::FORBIDDEN,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            ApiError::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            ApiError::PayloadTooLarge | ApiError::FileTooLarge { .. } => {
                StatusCode::PAYLOAD_TOO_LARGE
            }
            ApiError::UriTooLong { .. } => StatusCode::URI_TOO_LONG,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            ApiError::Internal(_) => tracing::error!(error = %ErrorChain(self), "internal error"),
            ApiError::Unavailable(cause) => tracing::warn!(error = %cause, "database unavailable"),
            ApiError::BadGateway(cause) => {
                tracing::warn!(error = %cause, "identity provider failed")
            }
            _ => {}
        }
        let mut response = HttpResponse::build(self.status_code());
        response.content_type(PROBLEM_JSON);
        match self {
            ApiError::Unauthorized(_) | ApiError::SignInRefused { .. } => {
                response.insert_header((header::WWW_AUTHENTICATE, "Bearer realm=\"living-gate\""));
            }
            ApiError::MethodNotAllowed { allow } => {
                response.insert_header((header::ALLOW, allow.join(", ")));
            }
            ApiError::RateLimited { retry_after_secs } => {
                response.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
            }
            ApiError::Unavailable(_) => {
                response.insert_header((header::RETRY_AFTER, "5"));
            }
            _ => {}
        }
        response.json(self.problem())
    }
}

impl From<DbError> for ApiError {
    fn from(error: DbError) -> Self {
        match error {
            DbError::NotFound => ApiError::NotFound,
            DbError::UniqueViolation { constraint } => ApiError::Conflict {
                detail: format!(
                    "a resource with the same unique value already exists ({})",
                    public_constraint(&constraint)
                ),
                extra: None,
            },
            DbError::ForeignKeyViolation { .. } => ApiError::Validation(ValidationErrors::single(
                "body",
                "unknown_reference",
                "refers to a resource that does not exist",
            )),
            DbError::SerializationFailure => ApiError::Conflict {
                detail: "a concurrent change collided with this one; retry".into(),
                extra: None,
            },
            DbError::Unavailable(cause) => ApiError::Unavailable(cause),
            other @ (DbError::CheckViolation { .. } | DbError::Query(_)) => {
                ApiError::internal(other)
            }
        }
    }
}

/// The unique constraints a client may learn about, by the field they guard.
fn public_constraint(constraint: &str) -> &'static str {
    match constraint {
        "users_email_key" => "email",
        "municipalities_code_key" => "code",
        "departments_municipality_id_code_key" => "code",
        "organizations_corporate_number_key" => "corporate_number",
        "resources_external_key_key" => "external_key",
        "taxonomy_terms_vocabulary_code_key" => "code",
        _ => "unique field",
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(error: diesel::result::Error) -> Self {
        DbError::from(error).into()
    }
}

impl From<Denied> for ApiError {
    fn from(denied: Denied) -> Self {
        match denied {
            Denied::Forbidden => ApiError::Forbidden,
            Denied::NotVisible => ApiError::NotFound,
        }
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("relation \"taxonomy_terms\" does not exist")]
    struct Postgres;

    #[test]
    fn the_chain_names_every_cause_in_order() {
        let error = ApiError::from(DbError::Query(diesel::result::Error::QueryBuilderError(
            Box::new(Postgres),
        )));
        assert_eq!(
            ErrorChain(&error).to_string(),
            "internal error\nCaused by:\n\tdatabase query failed\nCaused by:\n\t\
             relation \"taxonomy_terms\" does not exist"
        );
        // A bare message is a chain of one cause.
        assert_eq!(
            ErrorChain(&ApiError::internal("the demo partner has no organization")).to_string(),
            "internal error\nCaused by:\n\tthe demo partner has no organization"
        );
        // Context added with anyhow stays a link of its own.
        let contexted =
            ApiError::internal(anyhow::Error::new(Postgres).context("stored logic model"));
        assert_eq!(
            ErrorChain(&contexted).to_string(),
            "internal error\nCaused by:\n\tstored logic model\nCaused by:\n\t\
             relation \"taxonomy_terms\" does not exist"
        );
    }

    #[test]
    fn a_500_says_nothing_of_its_cause() {
        let error = ApiError::from(DbError::Query(diesel::result::Error::QueryBuilderError(
            Box::new(Postgres),
        )));
        assert_eq!(error.status_code(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_string(&error.problem()).expect("json");
        assert!(
            !body.contains("taxonomy_terms") && !body.contains("database"),
            "{body}"
        );
        assert_eq!(error.to_string(), "internal error");
    }

    #[test]
    fn unavailable_databases_stay_503() {
        let error = ApiError::from(DbError::Unavailable("connection refused".into()));
        assert_eq!(error.status_code(), StatusCode::SERVICE_UNAVAILABLE);
    }
}
