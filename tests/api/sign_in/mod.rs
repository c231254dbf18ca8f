//! Signing in with an identity provider (issue 17), against a real OpenID
//! provider (panva's `oidc-provider`, started by the harness) and a
//! scripted browser doing the whole code flow over HTTP.

mod id_token;
mod partner;
mod staff;
mod totp;

use crate::harness::oidc::{OidcProvider, UserAgent, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI};
use crate::harness::{json, problem, TestApp, Who};
use reqwest::{Response, StatusCode};
use serde_json::{json, Value};

/// Registers `provider` as Zama's staff IdP (by Zama's admin) with these
/// group mappings; returns its id.
pub async fn register_city_idp(
    app: &TestApp,
    provider: &OidcProvider,
    slug: &str,
    group_mappings: Value,
) -> String {
    let body = json(
        app.post(
            "/v1/identity-providers",
            Who::Admin,
            &json!({
                "slug": slug,
                "display_name": "座間市職員 (テスト IdP)",
                "audience": "staff",
                "issuer": provider.issuer,
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "scopes": "openid profile email groups",
                "redirect_uri": REDIRECT_URI,
                "municipality_id": app.fixtures.zama,
                "group_mappings": group_mappings,
            }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(body["has_client_secret"], true);
    assert!(
        body.get("client_secret").is_none(),
        "the secret is never shown"
    );
    body["id"].as_str().expect("id").to_owned()
}

/// Starts an authorization; returns the URL and the state.
pub async fn start(app: &TestApp, slug: &str) -> (String, String) {
    let body = json(
        app.post(
            &format!("/v1/auth/oidc/{slug}/authorizations"),
            Who::Anonymous,
            &json!({}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    (
        body["authorization_url"].as_str().expect("url").to_owned(),
        body["state"].as_str().expect("state").to_owned(),
    )
}

pub async fn callback(app: &TestApp, slug: &str, code: &str, state: &str) -> Response {
    app.post(
        &format!("/v1/auth/oidc/{slug}/callback"),
        Who::Anonymous,
        &json!({"code": code, "state": state}),
    )
    .await
}

/// The whole flow as `account`: start, the browser at the provider, the
/// callback.
pub async fn sign_in(app: &TestApp, slug: &str, account: &str) -> Response {
    let (url, state) = start(app, slug).await;
    let back = UserAgent::new().sign_in(&url, account).await;
    assert_eq!(
        back.state.as_deref(),
        Some(state.as_str()),
        "the state comes back"
    );
    let code = back
        .code
        .unwrap_or_else(|| panic!("a code, got {:?}", back.error));
    callback(app, slug, &code, &state).await
}

/// A 401 `sign-in-refused` with this `code`.
pub async fn refused(response: Response, code: &str) -> Value {
    let body = problem(response, StatusCode::UNAUTHORIZED).await;
    assert_eq!(body["code"], code, "{body}");
    body
}

/// The access token of a token pair works: `/v1/me` names the account.
pub async fn me(app: &TestApp, pair: &Value) -> Value {
    let response = app
        .client
        .get(format!("{}/v1/me", app.base))
        .bearer_auth(pair["access_token"].as_str().expect("access token"))
        .send()
        .await
        .expect("me");
    json(response, StatusCode::OK).await
}

/// The reasons of the `auth.oidc_refused` audit rows, oldest first.
pub async fn refusal_reasons(app: &TestApp) -> Vec<String> {
    use diesel::sql_types::Text;
    use diesel_async::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = Text)]
        reason: String,
    }
    let mut conn = app.owner_conn().await;
    diesel::sql_query(
        "SELECT changes->>'reason' AS reason FROM audit_log WHERE action = 'auth.oidc_refused' ORDER BY id",
    )
    .load::<Row>(&mut conn)
    .await
    .expect("audit rows")
    .into_iter()
    .map(|r| r.reason)
    .collect()
}
