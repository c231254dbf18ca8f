//! Rate limits kept in PostgreSQL (`living_gate_db::accounts::login_throttle`
//! counts fixed windows per bucket, so a limit holds across instances), and
//! the `RateLimit` headers of the limited endpoints: login, the client
//! credentials grant, the public intake and the password reset.

use crate::http::problem::{ApiError, ApiResult};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use living_gate_db::{accounts::login_throttle, AsyncPgConnection};

/// Counts one request in `bucket` (a name and a key, e.g.
/// `intake-email:a@b.jp`), adds the bucket's policy to `limits` under
/// `name`, and answers 429 once more than `quota` came within the window.
pub async fn count(
    conn: &mut AsyncPgConnection,
    limits: &mut RateLimits,
    name: &str,
    bucket: &str,
    quota: i32,
    window_secs: i64,
) -> ApiResult<()> {
    let window = login_throttle::hit(conn, bucket, window_secs).await?;
    limits.add(name, quota, window_secs, Some(window));
    if window.attempts > quota {
        return Err(ApiError::RateLimited {
            retry_after_secs: window.retry_after_secs,
        });
    }
    Ok(())
}

/// The limits of a rate-limited endpoint as `RateLimit-Policy` and `RateLimit` fields
/// (draft-ietf-httpapi-ratelimit-headers-10): one policy per bucket, its
/// quota `q` and window `w` in seconds, and what is left `r` with the
/// seconds `t` until the window restarts. Sent on every answer of the
/// limited endpoints but 5xx (a 429 also has `Retry-After`).
#[derive(Default)]
pub struct RateLimits {
    policies: Vec<String>,
    current: Vec<String>,
}

impl RateLimits {
    /// A bucket that allows `quota` in `window_secs`, in the state `window`
    /// (none: nothing counted yet).
    pub fn add(
        &mut self,
        name: &str,
        quota: i32,
        window_secs: i64,
        window: Option<login_throttle::Window>,
    ) {
        let (used, reset) = window.map_or((0, window_secs), |w| (w.attempts, w.retry_after_secs));
        let remaining = (i64::from(quota) - i64::from(used)).max(0);
        self.policies
            .push(format!("\"{name}\";q={quota};w={window_secs}"));
        self.current
            .push(format!("\"{name}\";r={remaining};t={reset}"));
    }

    pub fn apply(self, result: ApiResult<HttpResponse>) -> ApiResult<HttpResponse> {
        let mut response = match result {
            Ok(response) => response,
            Err(error) if error.status_code().is_server_error() => return Err(error),
            Err(error) => error.error_response(),
        };
        if self.policies.is_empty() {
            return Ok(response);
        }
        for (name, values) in [
            ("ratelimit-policy", self.policies),
            ("ratelimit", self.current),
        ] {
            if let Ok(value) = HeaderValue::from_str(&values.join(", ")) {
                response
                    .headers_mut()
                    .insert(HeaderName::from_static(name), value);
            }
        }
        Ok(response)
    }
}
