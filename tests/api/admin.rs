//! Reference data, organizations, users and invitations: validation,
//! optimistic concurrency, pagination, audit, Japanese text, hostile input.

use crate::harness::{etag_of, json, problem, TestApp, Who, PASSWORD, ZAMA_DEPARTMENTS};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn municipalities_validate_codes_and_use_if_match() {
    let app = TestApp::spawn().await;
    let bad = app
        .post(
            "/v1/municipalities",
            Who::PlatformAdmin,
            &json!({"code": "142167", "name": "", "name_kana": "x", "name_en": "x"}),
        )
        .await;
    let body = problem(bad, StatusCode::UNPROCESSABLE_ENTITY).await;
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert_eq!(fields, vec!["code", "name"], "every invalid field at once");

    let created = app.post("/v1/municipalities", Who::PlatformAdmin, &json!({"code": "142051", "name": "藤沢市", "name_kana": "ふじさわし", "name_en": "Fujisawa"})).await;
    assert_eq!(
        created.headers().get("etag").and_then(|v| v.to_str().ok()),
        Some("\"1\"")
    );
    let location = created
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .expect("Location")
        .to_owned();
    let created = json(created, StatusCode::CREATED).await;
    assert_eq!(created["name"], "藤沢市");
    problem(
        app.post(
            "/v1/municipalities",
            Who::PlatformAdmin,
            &json!({"code": "142051", "name": "x", "name_kana": "x", "name_en": "x"}),
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;

    let read = app.get(&location, Who::Desk).await;
    let etag = etag_of(&read);
    let no_if_match = app
        .request(Method::PATCH, &location, Who::PlatformAdmin)
        .json(&json!({"status": "disabled"}))
        .send()
        .await
        .expect("patch");
    problem(no_if_match, StatusCode::PRECONDITION_REQUIRED).await;
    let changed = app
        .patch(
            &location,
            Who::PlatformAdmin,
            &etag,
            &json!({"status": "disabled"}),
        )
        .await;
    assert_eq!(
        changed.headers().get("etag").and_then(|v| v.to_str().ok()),
        Some("\"2\"")
    );
    assert_eq!(json(changed, StatusCode::OK).await["status"], "disabled");
    // A second coordinator with the old ETag must not overwrite.
    let stale = app
        .patch(
            &location,
            Who::PlatformAdmin,
            &etag,
            &json!({"name": "上書き"}),
        )
        .await;
    problem(stale, StatusCode::PRECONDITION_FAILED).await;
    assert_eq!(
        json(app.get(&location, Who::Desk).await, StatusCode::OK).await["name"],
        "藤沢市",
        "nothing changed"
    );

    let id = created["id"].as_str().expect("id");
    let audit = json(
        app.get(
            &format!("/v1/audit?target_type=municipality&target_id={id}"),
            Who::PlatformAdmin,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let entries = audit["items"].as_array().expect("items");
    assert_eq!(entries.len(), 2, "create and update, not the refused ones");
    assert_eq!(entries[0]["action"], "municipality.update");
    assert_eq!(
        entries[0]["changes"],
        json!({"status": {"before": "active", "after": "disabled"}})
    );
    assert_eq!(entries[0]["actor_role"], "platform_admin");
    assert!(entries[0]["request_id"].is_string());
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_and_japanese_text_is_stored_verbatim_and_searched_literally() {
    let app = TestApp::spawn().await;
    for name in [
        "'; DROP TABLE users; --",
        "100%_テスト株式会社",
        "Robert\"); DELETE FROM organizations;--",
    ] {
        let created = app
            .post(
                "/v1/organizations",
                Who::Desk,
                &json!({"name": name, "kind": "company"}),
            )
            .await;
        assert_eq!(json(created, StatusCode::CREATED).await["name"], name);
    }
    let search = |q: &str| {
        app.request(Method::GET, "/v1/organizations", Who::Desk)
            .query(&[("q", q)])
            .send()
    };
    let percent = json(search("%").await.expect("search"), StatusCode::OK).await;
    let names: Vec<&str> = percent["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|o| o["name"].as_str())
        .collect();
    assert_eq!(
        names,
        vec!["100%_テスト株式会社"],
        "% is a character, not a wildcard"
    );
    let japanese = json(search("テスト").await.expect("search"), StatusCode::OK).await;
    assert_eq!(
        japanese["items"].as_array().map(Vec::len),
        Some(2),
        "テスト株式会社 (fixture) and 100%_テスト株式会社"
    );
    // The platform admin lists every city's accounts and those of no city.
    let users = json(
        app.get("/v1/users?limit=200", Who::PlatformAdmin).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        users["items"].as_array().map(Vec::len),
        Some(app.fixtures.accounts.len()),
        "the users table is intact"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn organizations_validate_japanese_identifiers() {
    let app = TestApp::spawn().await;
    let bad = app
        .post("/v1/organizations", Who::Desk, &json!({"name": "検証株式会社", "kind": "company", "corporate_number": "8000012050002", "postal_code": "2528566", "website": "javascript:alert(1)"}))
        .await;
    let body = problem(bad, StatusCode::UNPROCESSABLE_ENTITY).await;
    let codes: Vec<&str> = body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["code"].as_str())
        .collect();
    assert_eq!(
        codes,
        vec!["check_digit", "invalid_postal_code", "invalid_url"]
    );
    let good = app
        .post("/v1/organizations", Who::Desk, &json!({"name": "検証株式会社", "kind": "company", "corporate_number": "7000012050002", "postal_code": "252-8566", "address": "神奈川県座間市緑ケ丘一丁目1番1号"}))
        .await;
    let etag = etag_of(&good);
    let created = json(good, StatusCode::CREATED).await;
    let id = created["id"].as_str().expect("id");
    // PATCH: null clears, absent keeps.
    let cleared = app
        .patch(
            &format!("/v1/organizations/{id}"),
            Who::Desk,
            &etag,
            &json!({"address": null}),
        )
        .await;
    let cleared = json(cleared, StatusCode::OK).await;
    assert_eq!(cleared["address"], serde_json::Value::Null);
    assert_eq!(cleared["postal_code"], "252-8566");
}

#[tokio::test(flavor = "multi_thread")]
async fn partners_see_only_their_own_organization() {
    let app = TestApp::spawn().await;
    let list = json(
        app.get("/v1/organizations?limit=200", Who::Partner).await,
        StatusCode::OK,
    )
    .await;
    let ids: Vec<&str> = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|o| o["id"].as_str())
        .collect();
    assert_eq!(ids, vec![app.fixtures.partner_org.to_string()]);
    let other = app.fixtures.other_org;
    // Another organization is indistinguishable from one that does not exist.
    let hidden = problem(
        app.get(&format!("/v1/organizations/{other}"), Who::Partner)
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let absent = problem(
        app.get(
            &format!("/v1/organizations/{}", uuid::Uuid::now_v7()),
            Who::Partner,
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(hidden["detail"], absent["detail"]);
    let staff = json(
        app.get("/v1/organizations?limit=200", Who::Department)
            .await,
        StatusCode::OK,
    )
    .await;
    assert!(staff["items"].as_array().expect("items").len() >= 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn lists_are_cursor_paginated() {
    let app = TestApp::spawn().await;
    let mut seen = Vec::new();
    let mut path = "/v1/departments?limit=4".to_owned();
    loop {
        let page = json(app.get(&path, Who::Partner).await, StatusCode::OK).await;
        let items = page["items"].as_array().expect("items");
        assert!(items.len() <= 4);
        seen.extend(
            items
                .iter()
                .map(|d| d["code"].as_str().expect("code").to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/v1/departments?limit=4&cursor={cursor}"),
            None => break,
        }
    }
    // Departments are reference data: every city's, Zama's seeded ones and
    // the fixtures' Ayase department.
    assert_eq!(seen.len(), ZAMA_DEPARTMENTS.len() + 1);
    let mut unique = seen.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), seen.len(), "no department twice");
    assert!(seen.iter().any(|code| code == "kyodo-suishin"));
    for bad in ["limit=0", "limit=201", "cursor=not-a-cursor", "limit=abc"] {
        problem(
            app.get(&format!("/v1/departments?{bad}"), Who::Desk).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_partner_invitation_activates_an_account_once() {
    let app = TestApp::spawn().await;
    let org = app.fixtures.partner_org;
    let invitation = app
        .post(
            &format!("/v1/organizations/{org}/invitations"),
            Who::Desk,
            &json!({"email": "Suzuki@Partner.example.jp", "display_name": "鈴木"}),
        )
        .await;
    let invitation = json(invitation, StatusCode::CREATED).await;
    assert_eq!(invitation["email"], "suzuki@partner.example.jp");
    assert_eq!(invitation["role"], "partner");
    let token = invitation["token"].as_str().expect("token");
    let accept = |password: &'static str| {
        app.client
            .post(format!("{}/v1/invitations/{token}/accept", app.base))
            .json(&json!({"password": password, "display_name": "鈴木 一郎"}))
            .send()
    };
    // An invited account cannot log in yet.
    problem(
        app.login("suzuki@partner.example.jp", PASSWORD).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    for (weak, code) in [
        ("short", "too_short"),
        ("suzuki-2026-strong", "contains_email"),
        ("password2026!!", "too_common"),
    ] {
        let body = problem(
            accept(weak).await.expect("accept"),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(body["errors"][0]["code"], code, "{weak}");
    }
    let accepted = json(accept(PASSWORD).await.expect("accept"), StatusCode::OK).await;
    assert_eq!(
        (
            accepted["status"].as_str(),
            accepted["display_name"].as_str()
        ),
        (Some("active"), Some("鈴木 一郎"))
    );
    assert_eq!(accepted["organization_id"], org.to_string());
    problem(
        accept(PASSWORD).await.expect("accept"),
        StatusCode::NOT_FOUND,
    )
    .await;
    let login = json(
        app.login("suzuki@partner.example.jp", PASSWORD).await,
        StatusCode::OK,
    )
    .await;
    assert!(login["access_token"].is_string());
    // The same e-mail cannot be invited twice.
    let again = app
        .post(
            &format!("/v1/organizations/{org}/invitations"),
            Who::Desk,
            &json!({"email": "suzuki@partner.example.jp", "display_name": "x"}),
        )
        .await;
    problem(again, StatusCode::CONFLICT).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn expired_invitations_are_refused() {
    use diesel_async::RunQueryDsl;
    let app = TestApp::spawn().await;
    let department = app.fixtures.chiiki_fukushi;
    let invitation = app
        .post(
            &format!("/v1/departments/{department}/invitations"),
            Who::Admin,
            &json!({"email": "late@city.example.jp", "display_name": "遅刻"}),
        )
        .await;
    let invitation = json(invitation, StatusCode::CREATED).await;
    assert_eq!(invitation["role"], "department");
    let mut conn = app.conn().await;
    diesel::sql_query("UPDATE invitations SET expires_at = now() - interval '1 second'")
        .execute(&mut conn)
        .await
        .expect("expire");
    let token = invitation["token"].as_str().expect("token");
    let accept = app
        .post(
            &format!("/v1/invitations/{token}/accept"),
            Who::Anonymous,
            &json!({"password": PASSWORD, "display_name": "遅刻"}),
        )
        .await;
    problem(accept, StatusCode::NOT_FOUND).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn admins_invite_users_with_the_affiliation_their_role_needs() {
    let app = TestApp::spawn().await;
    let f = app.fixtures.clone();
    let missing = app
        .post(
            "/v1/users",
            Who::Admin,
            &json!({"email": "d@test.example.jp", "display_name": "x", "role": "department"}),
        )
        .await;
    assert_eq!(
        problem(missing, StatusCode::UNPROCESSABLE_ENTITY).await["errors"][0]["field"],
        "department_id"
    );
    let extra = app.post("/v1/users", Who::Admin, &json!({"email": "a@test.example.jp", "display_name": "x", "role": "admin", "organization_id": f.partner_org})).await;
    assert_eq!(
        problem(extra, StatusCode::UNPROCESSABLE_ENTITY).await["errors"][0]["code"],
        "not_allowed"
    );
    let department = app
        .post("/v1/users", Who::Admin, &json!({"email": "d@test.example.jp", "display_name": "x", "role": "department", "department_id": f.shimin_kyodo}))
        .await;
    let department = json(department, StatusCode::CREATED).await;
    let user = json(
        app.get(
            &format!("/v1/users/{}", department["user_id"].as_str().expect("id")),
            Who::Admin,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        user["municipality_id"],
        f.zama.to_string(),
        "a department user's municipality is its department's"
    );
    assert_eq!(user["status"], "invited");
    // Partner accounts are the platform admin's to create, not a city's.
    let partner = app
        .post("/v1/users", Who::Admin, &json!({"email": "p@test.example.jp", "display_name": "x", "role": "partner", "organization_id": f.partner_org}))
        .await;
    problem(partner, StatusCode::FORBIDDEN).await;
    let unknown = app
        .post("/v1/users", Who::PlatformAdmin, &json!({"email": "p@test.example.jp", "display_name": "x", "role": "partner", "organization_id": uuid::Uuid::now_v7()}))
        .await;
    problem(unknown, StatusCode::UNPROCESSABLE_ENTITY).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_admin_cannot_disable_their_own_account() {
    let app = TestApp::spawn().await;
    let admin = app.fixtures.account(Who::Admin).id;
    let refused = app
        .patch(
            &format!("/v1/users/{admin}"),
            Who::Admin,
            "*",
            &json!({"status": "disabled"}),
        )
        .await;
    problem(refused, StatusCode::CONFLICT).await;
    let user = json(
        app.get(&format!("/v1/users/{admin}"), Who::Admin).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(user["status"], "active");
}

/// `.demo_data()` loads what `living-gate seed-demo` loads, beside the
/// fixtures: the demo accounts sign in with their generated passwords, the
/// demo cases stand at their steps, and the directory is there.
#[tokio::test(flavor = "multi_thread")]
async fn the_demo_data_loads_beside_the_fixtures_and_its_accounts_sign_in() {
    let app = TestApp::builder().demo_data().spawn().await;
    let mut roles: Vec<&str> = app.demo_accounts.iter().map(|a| a.role.as_str()).collect();
    roles.sort_unstable();
    assert_eq!(
        roles,
        [
            "admin",
            "analyst",
            "department",
            "department",
            "desk",
            "partner",
            "platform_admin"
        ]
    );
    for account in &app.demo_accounts {
        let signed_in = json(
            app.login(&account.email, &account.password).await,
            StatusCode::OK,
        )
        .await;
        assert!(signed_in["access_token"].is_string(), "{}", account.email);
    }
    let cases = json(
        app.get("/v1/proposals?limit=50", Who::Desk).await,
        StatusCode::OK,
    )
    .await;
    let mut statuses: Vec<&str> = cases["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|c| c["status"].as_str().expect("status"))
        .collect();
    statuses.sort_unstable();
    assert_eq!(
        statuses,
        [
            "adopted",
            "declined",
            "hearing",
            "matching",
            "organizing",
            "received"
        ]
    );
    let trips = json(app.get("/v1/trips", Who::Desk).await, StatusCode::OK).await;
    assert_eq!(trips["items"].as_array().map(Vec::len), Some(1), "{trips}");
    // The cases belong to a demo organization, not to the fixture partner's.
    let partner = json(app.get("/v1/proposals", Who::Partner).await, StatusCode::OK).await;
    assert_eq!(partner["items"].as_array().map(Vec::len), Some(0));
    let directory = json(
        app.get("/v1/resources?limit=200", Who::Desk).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(directory["items"].as_array().map(Vec::len), Some(7));
}
