//! Need-to-know for hidden fields (issue 14): a DV shelter's street is
//! read only by the owning city's desk and the departments and users it
//! granted confidential access, through every read endpoint; every such
//! read is audited; grants come and go; an exact position cannot go with a
//! hidden address.

use super::cities::{self, Staff, AYASE};
use super::{create, dv_entries, entry, SHELTER_LAT, SHELTER_LNG, SHELTER_STREET};
use crate::harness::{json, problem, TestApp, Who};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use living_gate_db::schema::audit_log;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use uuid::Uuid;

/// A caller of the tests: a fixture account or another city's staff.
#[derive(Clone)]
enum Reader {
    Who(Who),
    Staff(&'static str, Staff),
}

impl Reader {
    fn name(&self) -> String {
        match self {
            Reader::Who(w) => format!("{w:?}"),
            Reader::Staff(name, _) => (*name).to_owned(),
        }
    }

    async fn get(&self, app: &TestApp, path: &str) -> (StatusCode, String) {
        let response = match self {
            Reader::Who(w) => app.get(path, *w).await,
            Reader::Staff(_, s) => s.get(app, path).await,
        };
        let status = response.status();
        (status, response.text().await.expect("body"))
    }
}

/// Every read endpoint that returns entry fields, for the office and the shelter.
fn reads(office: &str, shelter: &str) -> Vec<String> {
    vec![
        format!("/v1/resources/{office}"),
        format!("/v1/resources/{shelter}"),
        "/v1/resources?limit=200".to_owned(),
        "/v1/resources?q=DV".to_owned(),
        format!("/v1/resources?near={SHELTER_LAT},{SHELTER_LNG}&radius_km=2"),
        "/v1/resources/map".to_owned(),
        "/v1/resources/export?format=hsds".to_owned(),
        "/v1/resources/export?format=csv".to_owned(),
    ]
}

/// Whether `reader` gets the shelter's street: then in the entry, the lists
/// and both exports; else nowhere, nor its exact position.
async fn sees_street(app: &TestApp, reader: &Reader, office: &str, shelter: &str) -> bool {
    let (status, body) = reader.get(app, &format!("/v1/resources/{office}")).await;
    assert_eq!(status, StatusCode::OK, "{}", reader.name());
    let sees = body.contains(SHELTER_STREET);
    for path in reads(office, shelter) {
        let (status, body) = reader.get(app, &path).await;
        assert!(
            status == StatusCode::OK || status == StatusCode::NOT_FOUND,
            "{} {path}: {status}",
            reader.name()
        );
        if !sees {
            assert!(
                !body.contains(SHELTER_STREET),
                "{} {path}: {body}",
                reader.name()
            );
            assert!(
                !body.contains(&SHELTER_LAT.to_string()),
                "{} {path}: {body}",
                reader.name()
            );
        } else if !path.contains("/map") && !path.contains("near=") && !path.ends_with(shelter) {
            assert!(body.contains(SHELTER_STREET), "{} {path}", reader.name());
        }
    }
    sees
}

async fn hidden_reads(app: &TestApp, actor: Uuid) -> Vec<(String, Value)> {
    let mut conn = app.conn().await;
    audit_log::table
        .filter(audit_log::actor_id.eq(actor))
        .filter(audit_log::action.eq("resource.read_hidden"))
        .order(audit_log::id)
        .select((audit_log::target_id.assume_not_null(), audit_log::changes))
        .load(&mut conn)
        .await
        .expect("audit")
}

#[tokio::test(flavor = "multi_thread")]
async fn the_shelters_street_is_for_the_owning_desk_and_the_granted_in_every_read() {
    let app = TestApp::spawn().await;
    let (office, shelter) = dv_entries(&app).await;
    let (office, shelter) = (
        office["id"].as_str().expect("id").to_owned(),
        shelter["id"].as_str().expect("id").to_owned(),
    );
    let ayase_desk = cities::desk(&app, AYASE).await;
    let ayase_welfare = cities::department(&app, AYASE, "地域福祉課").await;
    let owner = Reader::Who(Who::Desk);
    let welfare = Reader::Who(Who::OtherDepartment);
    let nobody = [
        Reader::Who(Who::Anonymous),
        Reader::Who(Who::Department),
        Reader::Who(Who::OtherDepartment),
        Reader::Staff("Ayase desk", ayase_desk.clone()),
        Reader::Staff("Ayase welfare", ayase_welfare.clone()),
        Reader::Who(Who::Partner),
        Reader::Who(Who::Analyst),
        Reader::Who(Who::Admin),
    ];
    assert!(sees_street(&app, &owner, &office, &shelter).await);
    for reader in &nobody {
        assert!(
            !sees_street(&app, reader, &office, &shelter).await,
            "{}",
            reader.name()
        );
    }
    // Every read of the owning desk that returned hidden values is audited.
    let desk = app.fixtures.account(Who::Desk).id;
    let audited = hidden_reads(&app, desk).await;
    for via in [
        "getResource",
        "searchResources",
        "getResourceMap",
        "exportResources",
    ] {
        assert!(
            audited
                .iter()
                .any(|(target, c)| c["via"] == via && *target == office),
            "{via}: {audited:?}"
        );
    }
    let (_, get_office) = audited
        .iter()
        .find(|(t, c)| *t == office && c["via"] == "getResource")
        .expect("the get");
    assert_eq!(
        get_office["fields"],
        json!(["address", "position", "phone", "email", "contact_person"])
    );
    // Nothing is audited for those who got the redacted view.
    assert!(hidden_reads(&app, app.fixtures.account(Who::Department).id)
        .await
        .is_empty());

    // Zama grants its welfare department (地域福祉課) and a named user of Ayase.
    let department_grant = json(
        app.post(
            "/v1/confidential-access-grants",
            Who::Desk,
            &json!({"department_id": app.fixtures.chiiki_fukushi, "note": "DV被害者の紹介"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(
        department_grant["municipality_id"],
        app.fixtures.zama.to_string()
    );
    assert_eq!(department_grant["active"], true);
    let user_grant = json(
        app.post(
            "/v1/confidential-access-grants",
            Who::Desk,
            &json!({"user_id": ayase_welfare.id}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert!(sees_street(&app, &welfare, &office, &shelter).await);
    let ayase_named = Reader::Staff("Ayase welfare", ayase_welfare.clone());
    assert!(sees_street(&app, &ayase_named, &office, &shelter).await);
    let fukushi_user = app.fixtures.account(Who::OtherDepartment).id;
    assert!(!hidden_reads(&app, fukushi_user).await.is_empty());
    assert!(!hidden_reads(&app, ayase_welfare.id).await.is_empty());
    // The grants name neither the other department nor Ayase's desk.
    for reader in [
        Reader::Who(Who::Department),
        Reader::Staff("Ayase desk", ayase_desk.clone()),
    ] {
        assert!(!sees_street(&app, &reader, &office, &shelter).await);
    }

    // Revoked: hidden again from the next request on.
    for grant in [&department_grant, &user_grant] {
        let path = format!(
            "/v1/confidential-access-grants/{}",
            grant["id"].as_str().expect("id")
        );
        let revoked = app
            .request(Method::DELETE, &path, Who::Desk)
            .send()
            .await
            .expect("revoke");
        assert_eq!(revoked.status(), StatusCode::NO_CONTENT);
        let again = app
            .request(Method::DELETE, &path, Who::Desk)
            .send()
            .await
            .expect("revoke");
        problem(again, StatusCode::CONFLICT).await;
    }
    assert!(!sees_street(&app, &welfare, &office, &shelter).await);
    assert!(!sees_street(&app, &ayase_named, &office, &shelter).await);
    let listed = json(
        app.get("/v1/confidential-access-grants", Who::Desk).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(listed["items"].as_array().map(Vec::len), Some(2));
    assert!(listed["items"]
        .as_array()
        .expect("items")
        .iter()
        .all(|g| g["active"] == false && g["revoked_by"] == desk.to_string()));
    let active = json(
        app.get("/v1/confidential-access-grants?active=true", Who::Desk)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(active["items"], json!([]));
}

#[tokio::test(flavor = "multi_thread")]
async fn grants_are_the_owning_citys_desk_or_admin_business() {
    let app = TestApp::spawn().await;
    let ayase_desk = cities::desk(&app, AYASE).await;
    let grant = json!({"department_id": app.fixtures.chiiki_fukushi});
    let zama_grant =
        json!({"department_id": app.fixtures.chiiki_fukushi, "municipality_id": app.fixtures.zama});
    // Another city's desk may not grant Zama's hidden fields (its own, yes).
    problem(
        ayase_desk
            .post(&app, "/v1/confidential-access-grants", &zama_grant)
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let own = ayase_desk
        .post(&app, "/v1/confidential-access-grants", &grant)
        .await;
    assert_eq!(
        json(own, StatusCode::CREATED).await["municipality_id"],
        ayase_desk.municipality_id.to_string()
    );
    for who in [Who::Department, Who::Partner, Who::Analyst] {
        problem(
            app.post("/v1/confidential-access-grants", who, &zama_grant)
                .await,
            StatusCode::FORBIDDEN,
        )
        .await;
    }
    json(
        app.post("/v1/confidential-access-grants", Who::Desk, &grant)
            .await,
        StatusCode::CREATED,
    )
    .await;
    // One active grant per grantee and city.
    problem(
        app.post("/v1/confidential-access-grants", Who::Admin, &zama_grant)
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    // Exactly one grantee, and only staff.
    for bad in [
        json!({}),
        json!({"department_id": app.fixtures.chiiki_fukushi, "user_id": app.fixtures.account(Who::Desk).id}),
        json!({"user_id": app.fixtures.account(Who::Partner).id}),
        json!({"department_id": Uuid::now_v7()}),
    ] {
        problem(
            app.post("/v1/confidential-access-grants", Who::Desk, &bad)
                .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    // Each city's desk lists its own grants only.
    let zama = json(
        app.get("/v1/confidential-access-grants", Who::Desk).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(zama["items"].as_array().map(Vec::len), Some(1));
    problem(
        ayase_desk
            .get(
                &app,
                &format!(
                    "/v1/confidential-access-grants?municipality_id={}",
                    app.fixtures.zama
                ),
            )
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hidden_address_never_publishes_an_exact_position() {
    let app = TestApp::spawn().await;
    let place =
        json!([{"street": SHELTER_STREET, "latitude": SHELTER_LAT, "longitude": SHELTER_LNG}]);
    // The default: the position is hidden with the address.
    let hidden = create(
        &app,
        &entry(
            &app,
            "住所を隠す会",
            json!({"locations": place, "hidden_fields": ["address"]}),
        ),
    )
    .await;
    assert_eq!(hidden["hidden_fields"], json!(["address", "position"]));
    assert_eq!(hidden["position_publication"], "hidden");
    // Asking for both is refused, with the field named.
    let refused = problem(
        app.post(
            "/v1/resources",
            Who::Desk,
            &entry(&app, "矛盾の会", json!({"locations": place, "hidden_fields": ["address"], "position_publication": "exact"})),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(refused["errors"][0]["field"], "position_publication");
    assert_eq!(
        refused["errors"][0]["code"],
        "inconsistent_position_publication"
    );
    let path = format!("/v1/resources/{}", hidden["id"].as_str().expect("id"));
    let etag = app.etag(&path, Who::Desk).await;
    problem(
        app.patch(
            &path,
            Who::Desk,
            &etag,
            &json!({"position_publication": "exact"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    // Coarse: rounded for the others, on the map but never in near=.
    let coarse = json(
        app.patch(
            &path,
            Who::Desk,
            &etag,
            &json!({"position_publication": "coarse"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(coarse["position_publication"], "coarse");
    assert_eq!(coarse["locations"][0]["latitude"], SHELTER_LAT);
    let public = json(app.get(&path, Who::Anonymous).await, StatusCode::OK).await;
    assert_eq!(public["locations"][0]["latitude"], 35.47);
    assert_eq!(public["locations"][0]["longitude"], 139.4);
    let near = format!("/v1/resources?near={SHELTER_LAT},{SHELTER_LNG}&radius_km=1");
    for who in [Who::Anonymous, Who::Department] {
        let found = json(app.get(&near, who).await, StatusCode::OK).await;
        assert_eq!(found["items"], json!([]), "{who:?}");
    }
    let found = json(app.get(&near, Who::Desk).await, StatusCode::OK).await;
    assert_eq!(found["items"].as_array().map(Vec::len), Some(1));
    // Showing the address again lets the position be exact.
    let etag = app.etag(&path, Who::Desk).await;
    let shown = json(
        app.patch(&path, Who::Desk, &etag, &json!({"hidden_fields": []}))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(shown["position_publication"], "exact");
    // The import reports the row.
    let csv =
        "external_key,name,legal_form,municipality,street,hidden_fields,position_publication\r\n\
               ok-1,よい会,任意団体,座間市,どこか1,住所,概略\r\n\
               bad-1,矛盾の会,任意団体,座間市,どこか2,住所,exact\r\n";
    let response = app
        .request(Method::POST, "/v1/resources/import", Who::Desk)
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .expect("import");
    let report = problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(
        report["report"]["problems"],
        json!([{"row": 3, "column": "position_publication", "code": "inconsistent_position_publication",
            "problem": report["report"]["problems"][0]["problem"]}])
    );
}
