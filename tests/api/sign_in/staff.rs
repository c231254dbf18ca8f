//! Staff through a city's IdP: linked by subject, provisioned by a group
//! mapping, and every refusal of the flow.

use super::*;
use crate::harness::oidc::Flavour;

fn accounts() -> Value {
    json!({
        "alice": {"email": "alice@idp.zama.example.jp", "name": "座間 アリス", "groups": ["LG-Other"]},
        "bob": {"email": "bob@idp.zama.example.jp", "name": "Bob", "groups": ["LG-Other"]},
        "carol": {"email": "carol@idp.zama.example.jp", "name": "福祉 キャロル", "groups": ["LG-Welfare", "LG-Other"]},
    })
}

async fn link(app: &TestApp, who: Who, provider_id: &str, subject: &str) {
    let user = app.fixtures.account(who).id;
    json(
        app.post(
            &format!("/v1/users/{user}/identity-links"),
            Who::Admin,
            &json!({"provider_id": provider_id, "subject": subject}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
}

#[tokio::test]
async fn a_linked_desk_member_signs_in_through_the_city_idp_and_gets_working_tokens() {
    let app = TestApp::spawn().await;
    let idp = OidcProvider::start(Flavour::City, accounts());
    let id = register_city_idp(&app, &idp, "zama-idp", json!([])).await;
    link(&app, Who::Desk, &id, "alice").await;

    let listed = json(
        app.get("/v1/auth/oidc/providers", Who::Anonymous).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(listed["items"][0]["slug"], "zama-idp");
    assert_eq!(listed["items"][0]["audience"], "staff");

    let pair = json(sign_in(&app, "zama-idp", "alice").await, StatusCode::OK).await;
    assert_eq!(pair["token_type"], "Bearer");
    let me = me(&app, &pair).await;
    assert_eq!(me["id"], app.fixtures.account(Who::Desk).id.to_string());
    assert_eq!(me["role"], "desk");
    // The refresh token is a Living Gate one, as after a password login.
    let refreshed = app
        .post(
            "/v1/auth/refresh",
            Who::Anonymous,
            &json!({"refresh_token": pair["refresh_token"]}),
        )
        .await;
    json(refreshed, StatusCode::OK).await;
}

#[tokio::test]
async fn a_wrong_state_a_replayed_state_and_a_replayed_code_are_refused() {
    let app = TestApp::spawn().await;
    let idp = OidcProvider::start(Flavour::City, accounts());
    let id = register_city_idp(&app, &idp, "zama-idp", json!([])).await;
    link(&app, Who::Desk, &id, "alice").await;

    let (url, state) = start(&app, "zama-idp").await;
    let back = UserAgent::new().sign_in(&url, "alice").await;
    let code = back.code.expect("a code");
    // A state this server never issued.
    refused(
        callback(&app, "zama-idp", &code, "a-state-nobody-issued").await,
        "invalid_state",
    )
    .await;
    // The right one works once …
    json(
        callback(&app, "zama-idp", &code, &state).await,
        StatusCode::OK,
    )
    .await;
    // … and only once.
    refused(
        callback(&app, "zama-idp", &code, &state).await,
        "invalid_state",
    )
    .await;
    // The spent code with a fresh state: the provider refuses it (and the
    // fresh verifier does not match the code's challenge either).
    let (_, fresh_state) = start(&app, "zama-idp").await;
    refused(
        callback(&app, "zama-idp", &code, &fresh_state).await,
        "code_refused",
    )
    .await;
    // A state of another provider's authorization does not open this one.
    let reasons = refusal_reasons(&app).await;
    assert_eq!(reasons.len(), 3, "{reasons:?}");
}

#[tokio::test]
async fn an_id_token_with_another_nonce_is_refused() {
    let app = TestApp::spawn().await;
    let idp = OidcProvider::start(Flavour::City, accounts());
    let id = register_city_idp(&app, &idp, "zama-idp", json!([])).await;
    link(&app, Who::Desk, &id, "alice").await;
    let (url, state) = start(&app, "zama-idp").await;
    // The browser (or someone in the middle) swaps the nonce: the real
    // provider then signs an ID token with a nonce we did not send.
    let mut tampered = url::Url::parse(&url).expect("url");
    let pairs: Vec<(String, String)> = tampered
        .query_pairs()
        .map(|(k, v)| {
            let v = if k == "nonce" {
                "a-nonce-of-someone-else".to_owned()
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .collect();
    tampered.query_pairs_mut().clear().extend_pairs(pairs);
    let back = UserAgent::new().sign_in(tampered.as_str(), "alice").await;
    refused(
        callback(&app, "zama-idp", &back.code.expect("code"), &state).await,
        "id_token_invalid",
    )
    .await;
    assert_eq!(refusal_reasons(&app).await, vec!["nonce"]);
}

#[tokio::test]
async fn a_code_issued_by_another_provider_is_refused() {
    let app = TestApp::spawn().await;
    let idp = OidcProvider::start(Flavour::City, accounts());
    // Another provider with the same client registration and accounts.
    let other = OidcProvider::start(Flavour::City, accounts());
    let id = register_city_idp(&app, &idp, "zama-idp", json!([])).await;
    link(&app, Who::Desk, &id, "alice").await;
    let (url, state) = start(&app, "zama-idp").await;
    let elsewhere = url.replacen(&idp.issuer, &other.issuer, 1);
    assert_ne!(elsewhere, url);
    let back = UserAgent::new().sign_in(&elsewhere, "alice").await;
    refused(
        callback(&app, "zama-idp", &back.code.expect("code"), &state).await,
        "code_refused",
    )
    .await;
}

#[tokio::test]
async fn a_subject_not_linked_is_refused_and_a_mapped_group_creates_the_account() {
    let app = TestApp::spawn().await;
    let idp = OidcProvider::start(Flavour::City, accounts());
    let department = app.fixtures.chiiki_fukushi;
    register_city_idp(
        &app,
        &idp,
        "zama-idp",
        json!([{"group": "LG-Welfare", "role": "department", "department_id": department}]),
    )
    .await;
    // Bob is in no mapped group and linked to nothing.
    refused(sign_in(&app, "zama-idp", "bob").await, "not_linked").await;
    // An e-mail that matches an existing account does not link it either.
    // Carol is in LG-Welfare: her account is created at her first sign-in.
    let pair = json(sign_in(&app, "zama-idp", "carol").await, StatusCode::OK).await;
    let me1 = me(&app, &pair).await;
    assert_eq!(me1["role"], "department");
    assert_eq!(me1["scope"]["department_id"], department.to_string());
    assert_eq!(me1["email"], "carol@idp.zama.example.jp");
    // … once: the next sign-in finds the link.
    let pair = json(sign_in(&app, "zama-idp", "carol").await, StatusCode::OK).await;
    assert_eq!(me(&app, &pair).await["id"], me1["id"]);
    let events = json(app.get("/v1/events", Who::Desk).await, StatusCode::OK).await;
    let provisioned: Vec<&Value> = events["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|e| e["kind"] == "user_provisioned")
        .collect();
    assert_eq!(provisioned.len(), 1, "{events}");
}

#[tokio::test]
async fn a_linked_account_with_the_same_email_as_a_new_person_is_not_taken_over() {
    let app = TestApp::spawn().await;
    let desk_email = app.fixtures.account(Who::Desk).email.clone();
    let idp = OidcProvider::start(
        Flavour::City,
        json!({"mallory": {"email": desk_email, "name": "Mallory", "groups": ["LG-Desk"]}}),
    );
    register_city_idp(
        &app,
        &idp,
        "zama-idp",
        json!([{"group": "LG-Desk", "role": "desk"}]),
    )
    .await;
    // The IdP says the desk's e-mail address; no link: refused, not merged.
    refused(sign_in(&app, "zama-idp", "mallory").await, "email_in_use").await;
}

#[tokio::test]
async fn a_disabled_account_is_refused_though_the_idp_says_yes() {
    let app = TestApp::spawn().await;
    let idp = OidcProvider::start(Flavour::City, accounts());
    let id = register_city_idp(&app, &idp, "zama-idp", json!([])).await;
    link(&app, Who::Department, &id, "alice").await;
    json(sign_in(&app, "zama-idp", "alice").await, StatusCode::OK).await;
    let user = app.fixtures.account(Who::Department).id;
    let path = format!("/v1/users/{user}");
    let etag = app.etag(&path, Who::Admin).await;
    json(
        app.patch(&path, Who::Admin, &etag, &json!({"status": "disabled"}))
            .await,
        StatusCode::OK,
    )
    .await;
    refused(sign_in(&app, "zama-idp", "alice").await, "account_disabled").await;
}

#[tokio::test]
async fn an_admin_manages_only_its_own_citys_provider() {
    let app = TestApp::spawn().await;
    let idp = OidcProvider::start(Flavour::City, accounts());
    let id = register_city_idp(&app, &idp, "zama-idp", json!([])).await;
    // Ayase's IdP is not Zama's admin's to register.
    let mut body = json!({"slug": "ayase-idp", "display_name": "綾瀬", "audience": "staff", "issuer": idp.issuer,
        "client_id": CLIENT_ID, "redirect_uri": REDIRECT_URI, "municipality_id": app.fixtures.ayase});
    problem(
        app.post("/v1/identity-providers", Who::Admin, &body).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    // Nor a GビズID-like one, which belongs to no city.
    body["audience"] = json!("partner");
    body["municipality_id"] = Value::Null;
    problem(
        app.post("/v1/identity-providers", Who::Admin, &body).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    // A department of another city in a mapping is refused.
    let path = format!("/v1/identity-providers/{id}");
    let listed = json(
        app.get("/v1/identity-providers", Who::Admin).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(listed["items"].as_array().expect("items").len(), 1);
    let response = app
        .request(reqwest::Method::PATCH, &path, Who::Admin)
        .header("If-Match", "\"1\"")
        .json(&json!({"group_mappings": [{"group": "x", "role": "department", "department_id": app.fixtures.ayase_department}]}))
        .send()
        .await
        .expect("patch");
    let body = problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(body["errors"][0]["code"], "unknown_department", "{body}");
    // Disabled, it disappears from the sign-in page and refuses to start.
    let response = app
        .request(reqwest::Method::PATCH, &path, Who::Admin)
        .header("If-Match", "\"1\"")
        .json(&json!({"status": "disabled"}))
        .send()
        .await
        .expect("patch");
    json(response, StatusCode::OK).await;
    let listed = json(
        app.get("/v1/auth/oidc/providers", Who::Anonymous).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(listed["items"], json!([]));
    problem(
        app.post(
            "/v1/auth/oidc/zama-idp/authorizations",
            Who::Anonymous,
            &json!({}),
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

#[tokio::test]
async fn an_invited_account_the_admin_linked_becomes_active_at_its_first_sign_in() {
    let app = TestApp::spawn().await;
    let idp = OidcProvider::start(Flavour::City, accounts());
    let id = register_city_idp(&app, &idp, "zama-idp", json!([])).await;
    let invited = json(
        app.post(
            "/v1/users",
            Who::Admin,
            &json!({"email": "new-desk@zama.example.jp", "display_name": "新任 窓口", "role": "desk", "municipality_id": app.fixtures.zama}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let user = invited["user_id"].as_str().expect("user id").to_owned();
    json(
        app.post(
            &format!("/v1/users/{user}/identity-links"),
            Who::Admin,
            &json!({"provider_id": id, "subject": "bob"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    // The same subject cannot be linked twice.
    problem(
        app.post(
            &format!(
                "/v1/users/{}/identity-links",
                app.fixtures.account(Who::Desk).id
            ),
            Who::Admin,
            &json!({"provider_id": id, "subject": "bob"}),
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;
    // Another city's admin does not even see the account.
    problem(
        app.post(
            &format!("/v1/users/{user}/identity-links"),
            Who::AyaseDesk,
            &json!({"provider_id": id, "subject": "carol"}),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let pair = json(sign_in(&app, "zama-idp", "bob").await, StatusCode::OK).await;
    assert_eq!(me(&app, &pair).await["id"], user);
    let account = json(
        app.get(&format!("/v1/users/{user}"), Who::Admin).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(account["status"], "active");
}
