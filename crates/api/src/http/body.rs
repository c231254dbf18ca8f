//! The request-body extractors handlers take: actix's `Json` and `Form`
//! (with the limits and problem+json error handlers of [`crate::http::app`])
//! plus the one rule of [`crate::http::text`]: a NUL anywhere in the body is
//! a field-level 422 `invalid_character`, so no handler can forget it.

use crate::http::problem::ApiError;
use crate::http::text::{nul_in_json, nul_in_urlencoded, refused};
use actix_web::dev::Payload;
use actix_web::error::PayloadError;
use actix_web::http::StatusCode;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::ops::{Deref, DerefMut};

/// A JSON body (`application/json`) of type `T`.
#[derive(Debug)]
pub struct Json<T>(pub T);

/// A body sent as JSON or as a form (`application/x-www-form-urlencoded`),
/// as OAuth clients do for the client-credentials grant.
#[derive(Debug)]
pub struct JsonOrForm<T>(pub T);

/// An optional JSON body: none, or unreadable, is `None` (a NUL is still 422).
#[derive(Debug)]
pub struct OptionalJson<T>(pub Option<T>);

impl<T> Json<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> JsonOrForm<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for Json<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> DerefMut for Json<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

#[derive(Clone, Copy)]
enum Encoding {
    Json,
    Form,
}

/// Reads the body once, parses it as actix would, then refuses a NUL.
async fn parse<T: DeserializeOwned + 'static>(
    req: HttpRequest,
    body: Result<web::Bytes, actix_web::Error>,
    encoding: Encoding,
) -> Result<T, actix_web::Error> {
    let bytes = body.map_err(unreadable)?;
    let mut replay = Payload::from(bytes.clone());
    let (value, nul) = match encoding {
        Encoding::Json => {
            let value = match web::Json::<T>::from_request(&req, &mut replay).await {
                Ok(value) => value.into_inner(),
                Err(error) => integers_written_as_floats(&bytes, error)?,
            };
            (value, nul_in_json(&bytes))
        }
        Encoding::Form => (
            web::Form::<T>::from_request(&req, &mut replay)
                .await?
                .into_inner(),
            nul_in_urlencoded(&bytes, "body"),
        ),
    };
    match nul {
        Some(field) => Err(refused(&field).into()),
        None => Ok(value),
    }
}

/// JSON Schema's `integer` is any number without a fractional part, so
/// `2.0` is an integer the document allows; serde's integer types refuse
/// it. When a body of the right media type fails to deserialize (422), it
/// is read again with such numbers as integers; otherwise `error` stands.
fn integers_written_as_floats<T: DeserializeOwned>(
    bytes: &[u8],
    error: actix_web::Error,
) -> Result<T, actix_web::Error> {
    fn rewrite(value: &mut Value) -> bool {
        match value {
            Value::Number(n) => match n.as_f64() {
                Some(f) if n.is_f64() && f.fract() == 0.0 && f.abs() < 9.0e15 => {
                    *value = Value::from(f as i64);
                    true
                }
                _ => false,
            },
            // Every member is rewritten: no short-circuit.
            Value::Array(items) => items.iter_mut().map(rewrite).filter(|hit| *hit).count() > 0,
            Value::Object(members) => {
                members.values_mut().map(rewrite).filter(|hit| *hit).count() > 0
            }
            _ => false,
        }
    }
    if error.as_response_error().status_code() != StatusCode::UNPROCESSABLE_ENTITY {
        return Err(error);
    }
    let Ok(mut value) = serde_json::from_slice::<Value>(bytes) else {
        return Err(error);
    };
    if !rewrite(&mut value) {
        return Err(error);
    }
    serde_json::from_value(value).map_err(|_| error)
}

fn unreadable(error: actix_web::Error) -> actix_web::Error {
    match error.as_error::<PayloadError>() {
        Some(PayloadError::Overflow) => ApiError::PayloadTooLarge.into(),
        _ => ApiError::BadRequest(format!("unreadable body: {error}")).into(),
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = web::Bytes::from_request(req, payload);
        let req = req.clone();
        Box::pin(async move { parse(req, body.await, Encoding::Json).await.map(Json) })
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for JsonOrForm<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let encoding = if req.content_type() == "application/x-www-form-urlencoded" {
            Encoding::Form
        } else {
            Encoding::Json
        };
        let body = web::Bytes::from_request(req, payload);
        let req = req.clone();
        Box::pin(async move { parse(req, body.await, encoding).await.map(JsonOrForm) })
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for OptionalJson<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = web::Bytes::from_request(req, payload);
        let req = req.clone();
        Box::pin(async move {
            let bytes = body.await.map_err(unreadable)?;
            if let Some(field) = nul_in_json(&bytes) {
                return Err(refused(&field).into());
            }
            if bytes.is_empty() {
                return Ok(OptionalJson(None));
            }
            let parsed = parse::<T>(req, Ok(bytes), Encoding::Json).await.ok();
            Ok(OptionalJson(parsed))
        })
    }
}
