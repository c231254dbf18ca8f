//! Login, refresh rotation, logout, rate limits, token attacks, service accounts.

use crate::harness::{json, problem, Claims, TestApp, Who, PASSWORD};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use living_gate_domain::Role;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

fn decode_part(token: &str, index: usize) -> Value {
    let part = token.split('.').nth(index).expect("jwt part");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).expect("base64url")).expect("json")
}

#[tokio::test(flavor = "multi_thread")]
async fn login_returns_a_working_eddsa_token_published_in_the_jwks() {
    let app = TestApp::spawn().await;
    let desk = app.fixtures.account(Who::Desk).clone();
    let pair = json(
        app.login("  DESK@test.example.jp ", PASSWORD).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(pair["token_type"], "Bearer");
    assert_eq!(pair["expires_in"], 900);
    let access = pair["access_token"].as_str().expect("access token");
    let header = decode_part(access, 0);
    let claims = decode_part(access, 1);
    assert_eq!(header["alg"], "EdDSA");
    assert_eq!(claims["sub"], desk.id.to_string());
    assert_eq!(claims["role"], "desk");
    assert_eq!(claims["muni"], app.fixtures.zama.to_string());
    assert_eq!(claims["iss"], "living-gate");
    assert_eq!(claims["aud"], "living-gate-api");
    assert_eq!(
        claims["exp"].as_i64().expect("exp") - claims["iat"].as_i64().expect("iat"),
        900
    );
    assert!(claims["jti"].is_string());

    let jwks = json(
        app.get("/.well-known/jwks.json", Who::Anonymous).await,
        StatusCode::OK,
    )
    .await;
    let key = jwks["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .find(|k| k["kid"] == header["kid"])
        .expect("kid published");
    assert_eq!(
        (key["kty"].as_str(), key["crv"].as_str()),
        (Some("OKP"), Some("Ed25519"))
    );
    // An outside system verifies the token with nothing but the JWK.
    let decoding =
        jsonwebtoken::DecodingKey::from_ed_components(key["x"].as_str().expect("x")).expect("key");
    let mut validation = jsonwebtoken::Validation::new(Algorithm::EdDSA);
    validation.set_audience(&["living-gate-api"]);
    assert!(jsonwebtoken::decode::<Value>(access, &decoding, &validation).is_ok());

    let me = app
        .client
        .get(format!("{}/v1/me", app.base))
        .bearer_auth(access)
        .send()
        .await
        .expect("me");
    let me = json(me, StatusCode::OK).await;
    assert_eq!(me["email"], "desk@test.example.jp");
    assert_eq!(me["role"], "desk");
    assert_eq!(me["kind"], "user");
    assert_eq!(
        me["scope"]["municipality_id"],
        app.fixtures.zama.to_string()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_email_and_wrong_password_get_the_same_401() {
    let app = TestApp::spawn().await;
    let unknown = problem(
        app.login("nobody@test.example.jp", PASSWORD).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    let wrong = problem(
        app.login("desk@test.example.jp", "not the password at all")
            .await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    let malformed = problem(
        app.login("not an email", PASSWORD).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_eq!(unknown["detail"], wrong["detail"]);
    assert_eq!(unknown["detail"], malformed["detail"]);
    // Every failed sign-in for the platform admin; Zama's admin sees the
    // one of its own city's account, not those of unknown e-mails.
    let audit = json(
        app.get("/v1/audit?action=auth.login_failed", Who::PlatformAdmin)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(audit["items"].as_array().map(Vec::len), Some(3));
    let city = json(
        app.get("/v1/audit?action=auth.login_failed", Who::Admin)
            .await,
        StatusCode::OK,
    )
    .await;
    let city = city["items"].as_array().expect("items");
    assert_eq!(city.len(), 1, "{city:?}");
    assert_eq!(city[0]["changes"]["email"], "desk@test.example.jp");
    assert_eq!(city[0]["municipality_id"], app.fixtures.zama.to_string());
}

#[tokio::test(flavor = "multi_thread")]
async fn logins_are_limited_per_email_with_retry_after() {
    let app = TestApp::builder()
        .configure(|config| config.auth.login_max_failures_per_email = 3)
        .spawn()
        .await;
    for _ in 0..3 {
        assert_eq!(
            app.login("desk@test.example.jp", "wrong wrong wrong")
                .await
                .status(),
            StatusCode::UNAUTHORIZED
        );
    }
    // Even the right password is refused until the window passes.
    let limited = app.login("desk@test.example.jp", PASSWORD).await;
    let retry_after: i64 = limited
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("Retry-After");
    assert!((1..=900).contains(&retry_after), "{retry_after}");
    problem(limited, StatusCode::TOO_MANY_REQUESTS).await;
    // Another account from the same address is not affected.
    assert_eq!(
        app.login("admin@test.example.jp", PASSWORD).await.status(),
        StatusCode::OK
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn logins_are_limited_per_client_address() {
    let app = TestApp::builder()
        .configure(|config| config.auth.login_max_attempts_per_address = 4)
        .spawn()
        .await;
    for who in [Who::Desk, Who::Admin, Who::Partner, Who::Analyst] {
        assert_eq!(
            app.login(&app.fixtures.account(who).email, PASSWORD)
                .await
                .status(),
            StatusCode::OK
        );
    }
    problem(
        app.login("desk@test.example.jp", PASSWORD).await,
        StatusCode::TOO_MANY_REQUESTS,
    )
    .await;
}

async fn refresh(app: &TestApp, token: &str) -> reqwest::Response {
    app.post(
        "/v1/auth/refresh",
        Who::Anonymous,
        &json!({ "refresh_token": token }),
    )
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn refresh_rotates_and_reuse_revokes_the_whole_family() {
    let app = TestApp::spawn().await;
    let first = json(
        app.login("partner@test.example.jp", PASSWORD).await,
        StatusCode::OK,
    )
    .await;
    let first_refresh = first["refresh_token"].as_str().expect("refresh").to_owned();
    let second = json(refresh(&app, &first_refresh).await, StatusCode::OK).await;
    let second_refresh = second["refresh_token"]
        .as_str()
        .expect("refresh")
        .to_owned();
    assert_ne!(first_refresh, second_refresh);
    // The spent token is presented again: refused, and the family is revoked...
    problem(
        refresh(&app, &first_refresh).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    // ...so the legitimate newer token is refused too.
    problem(
        refresh(&app, &second_refresh).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    problem(
        refresh(&app, "made-up-token").await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    // The partner belongs to no city: its sessions are the platform admin's to read.
    let audit = json(
        app.get("/v1/audit?action=auth.refresh_reuse", Who::PlatformAdmin)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(audit["items"].as_array().map(Vec::len), Some(1));
}

#[tokio::test(flavor = "multi_thread")]
async fn logout_revokes_the_access_token_and_the_refresh_family() {
    let app = TestApp::spawn().await;
    let pair = json(
        app.login("desk@test.example.jp", PASSWORD).await,
        StatusCode::OK,
    )
    .await;
    let access = pair["access_token"].as_str().expect("access");
    let me = |token: &str| {
        app.client
            .get(format!("{}/v1/me", app.base))
            .bearer_auth(token.to_owned())
            .send()
    };
    assert_eq!(me(access).await.expect("me").status(), StatusCode::OK);
    let logout = app
        .client
        .post(format!("{}/v1/auth/logout", app.base))
        .bearer_auth(access)
        .json(&json!({"refresh_token": pair["refresh_token"]}))
        .send()
        .await
        .expect("logout");
    assert_eq!(logout.status(), StatusCode::NO_CONTENT);
    problem(me(access).await.expect("me"), StatusCode::UNAUTHORIZED).await;
    problem(
        refresh(&app, pair["refresh_token"].as_str().expect("refresh")).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn disabling_a_user_stops_their_tokens_and_refresh_at_once() {
    let app = TestApp::spawn().await;
    let partner = app.fixtures.account(Who::Partner).id;
    let pair = json(
        app.login("partner@test.example.jp", PASSWORD).await,
        StatusCode::OK,
    )
    .await;
    let access = pair["access_token"].as_str().expect("access").to_owned();
    // Partner accounts are the platform admin's.
    let user = app
        .get(&format!("/v1/users/{partner}"), Who::PlatformAdmin)
        .await;
    let etag = user
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .expect("etag")
        .to_owned();
    let disabled = app
        .patch(
            &format!("/v1/users/{partner}"),
            Who::PlatformAdmin,
            &etag,
            &json!({"status": "disabled"}),
        )
        .await;
    assert_eq!(json(disabled, StatusCode::OK).await["status"], "disabled");
    let me = app
        .client
        .get(format!("{}/v1/me", app.base))
        .bearer_auth(&access)
        .send()
        .await
        .expect("me");
    problem(me, StatusCode::UNAUTHORIZED).await;
    problem(
        refresh(&app, pair["refresh_token"].as_str().expect("refresh")).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    problem(
        app.login("partner@test.example.jp", PASSWORD).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
}

fn claims_for(app: &TestApp, who: Who) -> Claims {
    let account = app.fixtures.account(who);
    let now = chrono::Utc::now().timestamp();
    Claims {
        sub: account.id,
        role: account.role,
        dept: account.department_id,
        org: account.organization_id,
        muni: account.municipality_id,
        client_id: None,
        iat: now,
        nbf: now,
        exp: now + 900,
        jti: uuid::Uuid::now_v7(),
        iss: "living-gate".into(),
        aud: "living-gate-api".into(),
    }
}

fn sign(app: &TestApp, claims: &Claims) -> String {
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some(app.state.keys.signing_kid().to_owned());
    jsonwebtoken::encode(&header, claims, app.state.keys.encoding_key()).expect("sign")
}

#[tokio::test(flavor = "multi_thread")]
async fn forged_and_invalid_tokens_are_refused_with_401_and_audited() {
    let app = TestApp::spawn().await;
    let good = claims_for(&app, Who::Admin);
    let kid = app.state.keys.signing_kid().to_owned();
    let jwk = json(
        app.get("/.well-known/jwks.json", Who::Anonymous).await,
        StatusCode::OK,
    )
    .await;
    let public_x = jwk["keys"][0]["x"].as_str().expect("x").to_owned();
    let body = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&good).expect("claims"));

    let alg_none = format!(
        "{}.{body}.",
        URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#)
    );
    let hmac_with_public_key = {
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(kid.clone());
        jsonwebtoken::encode(
            &header,
            &good,
            &EncodingKey::from_secret(public_x.as_bytes()),
        )
        .expect("hs256")
    };
    let unknown_kid = {
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some("not-our-key".into());
        jsonwebtoken::encode(&header, &good, app.state.keys.encoding_key()).expect("sign")
    };
    let bad_signature = {
        let token = sign(&app, &good);
        let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
        let escalated = Claims {
            role: Role::Admin,
            sub: app.fixtures.account(Who::Partner).id,
            ..good.clone()
        };
        parts[1] = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&escalated).expect("claims"));
        parts.join(".")
    };
    let now = chrono::Utc::now().timestamp();
    let expired = sign(
        &app,
        &Claims {
            exp: now - 60,
            iat: now - 1000,
            nbf: now - 1000,
            ..good.clone()
        },
    );
    let not_yet_valid = sign(
        &app,
        &Claims {
            nbf: now + 600,
            ..good.clone()
        },
    );
    let wrong_issuer = sign(
        &app,
        &Claims {
            iss: "someone-else".into(),
            ..good.clone()
        },
    );
    let wrong_audience = sign(
        &app,
        &Claims {
            aud: "another-api".into(),
            ..good.clone()
        },
    );
    let valid = sign(&app, &good);

    let cases: Vec<(&str, Option<String>)> = vec![
        ("missing header", None),
        (
            "wrong scheme",
            Some(format!("Basic {}", URL_SAFE_NO_PAD.encode("admin:admin"))),
        ),
        ("garbage", Some("Bearer not.a.jwt".into())),
        ("alg none", Some(format!("Bearer {alg_none}"))),
        (
            "HMAC with the public key",
            Some(format!("Bearer {hmac_with_public_key}")),
        ),
        ("unknown kid", Some(format!("Bearer {unknown_kid}"))),
        ("bad signature", Some(format!("Bearer {bad_signature}"))),
        ("expired", Some(format!("Bearer {expired}"))),
        ("not yet valid", Some(format!("Bearer {not_yet_valid}"))),
        ("wrong issuer", Some(format!("Bearer {wrong_issuer}"))),
        ("wrong audience", Some(format!("Bearer {wrong_audience}"))),
    ];
    for (name, header) in &cases {
        let mut request = app.client.get(format!("{}/v1/users", app.base));
        if let Some(header) = header {
            request = request.header("authorization", header);
        }
        let response = request.send().await.expect("request");
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{name}");
        assert!(
            response.headers().contains_key("www-authenticate"),
            "{name}"
        );
        problem(response, StatusCode::UNAUTHORIZED).await;
    }
    let ok = app
        .client
        .get(format!("{}/v1/users", app.base))
        .bearer_auth(&valid)
        .send()
        .await
        .expect("request");
    assert_eq!(ok.status(), StatusCode::OK, "the control token works");

    let audit = json(
        // A refused token names no account to trust: the platform admin's to read.
        app.get(
            "/v1/audit?action=token.refused&limit=200",
            Who::PlatformAdmin,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let mut reasons: Vec<String> = audit["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| e["changes"]["reason"].as_str().expect("reason").to_owned())
        .collect();
    reasons.sort();
    let mut expected = vec![
        "wrong_scheme",
        "malformed",
        "malformed",
        "algorithm",
        "unknown_key",
        "signature",
        "expired",
        "not_yet_valid",
        "issuer",
        "audience",
    ];
    expected.sort();
    assert_eq!(reasons, expected);
}

#[tokio::test(flavor = "multi_thread")]
async fn service_accounts_get_analyst_tokens_by_client_credentials() {
    let app = TestApp::spawn().await;
    let created = json(
        app.post(
            "/v1/service-accounts",
            Who::PlatformAdmin,
            &json!({"name": "Power BI（企画課）"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let client_id = created["client_id"].as_str().expect("client id").to_owned();
    let secret = created["client_secret"]
        .as_str()
        .expect("secret")
        .to_owned();
    assert_eq!(created["role"], "analyst");
    let listed = json(
        app.get("/v1/service-accounts", Who::PlatformAdmin).await,
        StatusCode::OK,
    )
    .await;
    assert!(
        listed["items"][0].get("client_secret").is_none(),
        "the secret is shown once only"
    );

    let token_url = format!("{}/v1/auth/token", app.base);
    let by_json = app
        .client
        .post(&token_url)
        .json(&json!({"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}))
        .send()
        .await
        .expect("token");
    let access = json(by_json, StatusCode::OK).await["access_token"]
        .as_str()
        .expect("token")
        .to_owned();
    let by_form = app
        .client
        .post(&token_url)
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", &client_id),
            ("client_secret", &secret),
        ])
        .send()
        .await
        .expect("token");
    assert_eq!(by_form.status(), StatusCode::OK);
    let me = json(
        app.client
            .get(format!("{}/v1/me", app.base))
            .bearer_auth(&access)
            .send()
            .await
            .expect("me"),
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (me["kind"].as_str(), me["role"].as_str()),
        (Some("service_account"), Some("analyst"))
    );
    assert_eq!(me["email"], Value::Null);
    // Aggregates only: no organizations, no users.
    let orgs = app
        .client
        .get(format!("{}/v1/organizations", app.base))
        .bearer_auth(&access)
        .send()
        .await
        .expect("orgs");
    problem(orgs, StatusCode::FORBIDDEN).await;

    let wrong = app
        .client
        .post(&token_url)
        .json(&json!({"grant_type": "client_credentials", "client_id": client_id, "client_secret": "wrong"}))
        .send()
        .await
        .expect("token");
    problem(wrong, StatusCode::UNAUTHORIZED).await;
    let bad_grant = app
        .client
        .post(&token_url)
        .json(&json!({"grant_type": "password", "client_id": client_id, "client_secret": secret}))
        .send()
        .await
        .expect("token");
    problem(bad_grant, StatusCode::UNPROCESSABLE_ENTITY).await;

    let id = created["id"].as_str().expect("id");
    let disabled = app
        .request(
            Method::PATCH,
            &format!("/v1/service-accounts/{id}"),
            Who::PlatformAdmin,
        )
        .header("If-Match", "\"1\"")
        .json(&json!({"status": "disabled"}))
        .send()
        .await
        .expect("patch");
    assert_eq!(disabled.status(), StatusCode::OK);
    let after = app
        .client
        .get(format!("{}/v1/me", app.base))
        .bearer_auth(&access)
        .send()
        .await
        .expect("me");
    problem(after, StatusCode::UNAUTHORIZED).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn behind_a_trusted_proxy_limits_apply_per_forwarded_client() {
    let app = TestApp::builder()
        .configure(|config| {
            config.auth.login_max_attempts_per_address = 2;
            config.auth.trusted_proxies = vec!["127.0.0.1".parse().expect("ip")];
        })
        .spawn()
        .await;
    let attempt = |client: &'static str| {
        app.client
            .post(format!("{}/v1/auth/login", app.base))
            .header("x-forwarded-for", client)
            .json(&json!({"email": "desk@test.example.jp", "password": PASSWORD}))
            .send()
    };
    for _ in 0..2 {
        assert_eq!(
            attempt("198.51.100.7").await.expect("login").status(),
            StatusCode::OK
        );
    }
    problem(
        attempt("198.51.100.7").await.expect("login"),
        StatusCode::TOO_MANY_REQUESTS,
    )
    .await;
    // Another client behind the same proxy has its own allowance.
    assert_eq!(
        attempt("198.51.100.8").await.expect("login").status(),
        StatusCode::OK
    );
    let audit = json(
        app.get("/v1/audit?action=auth.login&limit=1", Who::Admin)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(audit["items"][0]["client_addr"], "198.51.100.8");
}
