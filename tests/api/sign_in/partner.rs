//! Partners through a GビズID-like provider: an ID token with `sub` only;
//! the corporate number and account type from userinfo; linked to the
//! organization the desk confirmed.

use super::*;
use crate::harness::oidc::Flavour;
use diesel_async::RunQueryDsl;

/// 国税庁's own corporate number (valid check digit), given to the
/// partner's organization; another valid one for a pending organization.
const CONFIRMED: &str = "7000012050002";
const PENDING: &str = "7123456789012";

async fn register_gbizid(app: &TestApp, provider: &OidcProvider) {
    json(
        app.post(
            "/v1/identity-providers",
            Who::PlatformAdmin,
            &json!({
                "slug": "gbizid",
                "display_name": "GビズID",
                "audience": "partner",
                "issuer": provider.issuer,
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "scopes": "openid profile email",
                "redirect_uri": REDIRECT_URI,
            }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
}

async fn organizations(app: &TestApp) {
    let mut conn = app.owner_conn().await;
    diesel::sql_query(format!(
        "UPDATE organizations SET corporate_number = '{CONFIRMED}' WHERE id = '{}'",
        app.fixtures.partner_org
    ))
    .execute(&mut conn)
    .await
    .expect("corporate number");
    diesel::sql_query(format!(
        "UPDATE organizations SET corporate_number = '{PENDING}', status = 'pending' WHERE id = '{}'",
        app.fixtures.other_org
    ))
    .execute(&mut conn)
    .await
    .expect("pending organization");
}

fn accounts() -> Value {
    json!({
        "gbiz-prime": {"account_type": "2", "corporate_number": CONFIRMED, "corporate_name": "さがみテック株式会社",
                        "name": "相模 太郎", "email": "taro@gbiz.sagami-tech.example.jp"},
        "gbiz-pending": {"account_type": "2", "corporate_number": PENDING, "name": "保留 花子",
                          "email": "hanako@pending.example.jp"},
        "gbiz-sole": {"account_type": "1", "name": "個人 次郎", "email": "jiro@example.jp"},
    })
}

#[tokio::test]
async fn a_partner_signs_in_with_gbizid_into_the_confirmed_organization() {
    let app = TestApp::spawn().await;
    organizations(&app).await;
    let idp = OidcProvider::start(Flavour::GBizId, accounts());
    register_gbizid(&app, &idp).await;
    let pair = json(sign_in(&app, "gbizid", "gbiz-prime").await, StatusCode::OK).await;
    let me1 = me(&app, &pair).await;
    assert_eq!(me1["role"], "partner");
    assert_eq!(
        me1["scope"]["organization_id"],
        app.fixtures.partner_org.to_string()
    );
    assert_eq!(me1["email"], "taro@gbiz.sagami-tech.example.jp");
    assert_eq!(me1["display_name"], "相模 太郎");
    // The partner's tokens work downstream: its own organization is visible.
    let org = app
        .client
        .get(format!(
            "{}/v1/organizations/{}",
            app.base, app.fixtures.partner_org
        ))
        .bearer_auth(pair["access_token"].as_str().expect("token"))
        .send()
        .await
        .expect("organization");
    json(org, StatusCode::OK).await;
    // The second sign-in finds the link.
    let again = json(sign_in(&app, "gbizid", "gbiz-prime").await, StatusCode::OK).await;
    assert_eq!(me(&app, &again).await["id"], me1["id"]);
}

#[tokio::test]
async fn an_organization_the_desk_has_not_confirmed_and_a_missing_corporate_number_are_refused() {
    let app = TestApp::spawn().await;
    organizations(&app).await;
    let idp = OidcProvider::start(Flavour::GBizId, accounts());
    register_gbizid(&app, &idp).await;
    refused(
        sign_in(&app, "gbizid", "gbiz-pending").await,
        "organization_not_confirmed",
    )
    .await;
    refused(
        sign_in(&app, "gbizid", "gbiz-sole").await,
        "corporate_number_missing",
    )
    .await;
}

#[tokio::test]
async fn the_gbizid_like_id_token_carries_no_name_or_email() {
    // What the provider signs, checked at its own token endpoint: the
    // partner path must call userinfo to learn anything.
    use crate::harness::oidc::UserAgent;
    use base64::Engine;
    let idp = OidcProvider::start(Flavour::GBizId, accounts());
    let verifier = "a-verifier-of-forty-three-characters-or-more-0123";
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(<sha2::Sha256 as sha2::Digest>::digest(verifier.as_bytes()));
    let url = format!(
        "{}/auth?response_type=code&client_id={CLIENT_ID}&redirect_uri={}&scope=openid%20profile%20email&state=s&nonce=n&code_challenge={challenge}&code_challenge_method=S256",
        idp.issuer,
        url::form_urlencoded::byte_serialize(REDIRECT_URI.as_bytes()).collect::<String>()
    );
    let back = UserAgent::new().sign_in(&url, "gbiz-prime").await;
    let tokens: Value = reqwest::Client::new()
        .post(format!("{}/token", idp.issuer))
        .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", back.code.as_deref().expect("code")),
            ("redirect_uri", REDIRECT_URI),
            ("code_verifier", verifier),
        ])
        .send()
        .await
        .expect("token")
        .json()
        .await
        .expect("json");
    let id_token = tokens["id_token"].as_str().expect("an id token");
    let payload = id_token.split('.').nth(1).expect("payload");
    let claims: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .expect("b64"),
    )
    .expect("claims");
    assert_eq!(claims["sub"], "gbiz-prime");
    for absent in ["email", "name", "corporate_number", "account_type"] {
        assert!(claims.get(absent).is_none(), "{absent} in {claims}");
    }
}
