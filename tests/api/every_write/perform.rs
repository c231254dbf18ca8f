//! How each write operation is performed: what it needs built first (a
//! case at the right step, an entry, a survey, a token …) and the request.

use crate::harness::mail::{
    confirmed_submission, intake_case, intake_form, intake_submission, reset_token_for,
};
use crate::harness::oidc::UserAgent;
use crate::harness::{etag_of, json, Case, TestApp, Who, PASSWORD};
use living_gate_domain::desk::workflow::Status;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// One request, ready to send, and what its audit row must name.
pub(super) struct Call {
    who: Who,
    method: Method,
    path: String,
    body: Body,
    if_match: Option<String>,
    /// Another header (the intake's `Submission-Token`).
    header: Option<(&'static str, String)>,
    /// The expected status.
    pub(super) status: StatusCode,
    pub(super) target: Target,
}

enum Body {
    Json(Value),
    Csv(String),
    File(&'static str),
}

/// The audit row's `target_id`.
pub(super) enum Target {
    Is(String),
    /// A field of the response (a JSON pointer).
    Field(&'static str),
    /// The directory entry the operation's feed event is about.
    EntryOfEvent,
}

impl Call {
    /// A JSON request expecting 200, whose target is the response's `id`.
    fn new(who: Who, op: &str, path: String, body: Value) -> Call {
        let (method, _) = op.split_once(' ').expect("METHOD /path");
        Call {
            who,
            method: method.parse().expect("method"),
            path,
            body: Body::Json(body),
            if_match: None,
            header: None,
            status: StatusCode::OK,
            target: Target::Field("/id"),
        }
    }

    fn created(mut self) -> Call {
        self.status = StatusCode::CREATED;
        self
    }

    fn status(mut self, status: StatusCode) -> Call {
        self.status = status;
        self
    }

    fn if_match(mut self, etag: impl Into<String>) -> Call {
        self.if_match = Some(etag.into());
        self
    }

    fn target(mut self, target: Target) -> Call {
        self.target = target;
        self
    }

    fn target_is(self, id: impl ToString) -> Call {
        self.target(Target::Is(id.to_string()))
    }

    fn file(mut self, text: &'static str) -> Call {
        self.body = Body::File(text);
        self
    }

    fn header(mut self, name: &'static str, value: String) -> Call {
        self.header = Some((name, value));
        self
    }

    fn csv(mut self, csv: String) -> Call {
        self.body = Body::Csv(csv);
        self
    }

    pub(super) async fn send(&self, app: &TestApp, op: &str) -> (StatusCode, Value) {
        let mut request = app.request(self.method.clone(), &self.path, self.who);
        if let Some(etag) = &self.if_match {
            request = request.header("If-Match", etag);
        }
        if let Some((name, value)) = &self.header {
            request = request.header(*name, value);
        }
        request = match &self.body {
            Body::Json(body) => request.json(body),
            Body::Csv(csv) => request.header("content-type", "text/csv").body(csv.clone()),
            Body::File(text) => request.header("content-type", "text/plain").body(*text),
        };
        let response = request.send().await.unwrap_or_else(|e| panic!("{op}: {e}"));
        let status = response.status();
        let text = response.text().await.expect("body");
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }
}

/// Builds what `op` needs and returns the request that performs it.
fn idp_body(zama: uuid::Uuid, slug: &str) -> Value {
    json!({"slug": slug, "display_name": "座間市職員", "audience": "staff",
        "issuer": "https://idp.zama.example.jp", "client_id": "living-gate",
        "redirect_uri": "https://living-gate.example.jp/sign-in/callback", "municipality_id": zama})
}

/// A real city IdP (started once for the walk, left to end with the test
/// process: it exits when its stdin closes), registered as
/// `every-write-idp`; its issuer and provider id.
async fn city_idp(app: &TestApp) -> (String, String) {
    use crate::harness::oidc::{Flavour, OidcProvider, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI};
    static PROVIDER: std::sync::OnceLock<OidcProvider> = std::sync::OnceLock::new();
    let provider = PROVIDER.get_or_init(|| {
        OidcProvider::start(
            Flavour::City,
            json!({"alice": {"email": "alice@idp.zama.example.jp", "groups": []}}),
        )
    });
    let listed = json(
        app.get("/v1/identity-providers", Who::Admin).await,
        StatusCode::OK,
    )
    .await;
    if let Some(found) = listed["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|p| p["slug"] == "every-write-idp")
    {
        return (
            provider.issuer.clone(),
            found["id"].as_str().expect("id").to_owned(),
        );
    }
    let created = json(
        app.post(
            "/v1/identity-providers",
            Who::Admin,
            &json!({"slug": "every-write-idp", "display_name": "座間市職員", "audience": "staff",
                "issuer": provider.issuer, "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
                "scopes": "openid email groups", "redirect_uri": REDIRECT_URI, "municipality_id": app.fixtures.zama}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    (
        provider.issuer.clone(),
        created["id"].as_str().expect("id").to_owned(),
    )
}

pub(super) async fn prepare(app: &TestApp, op: &str) -> Call {
    let f = &app.fixtures;
    let call = |who: Who, path: String, body: Value| Call::new(who, op, path, body);
    match op {
        "POST /v1/auth/login" => call(
            Who::Anonymous,
            "/v1/auth/login".into(),
            json!({"email": f.account(Who::Desk).email, "password": PASSWORD}),
        )
        .target_is(f.account(Who::Desk).id),
        "POST /v1/auth/refresh" => {
            let pair = login(app, Who::Partner).await;
            call(
                Who::Anonymous,
                "/v1/auth/refresh".into(),
                json!({"refresh_token": pair["refresh_token"]}),
            )
            .target_is(f.account(Who::Partner).id)
        }
        "POST /v1/auth/logout" => call(Who::Desk, "/v1/auth/logout".into(), json!({}))
            .status(StatusCode::NO_CONTENT)
            .target_is(f.account(Who::Desk).id),
        "POST /v1/auth/token" => {
            let account = service_account(app).await;
            call(Who::Anonymous, "/v1/auth/token".into(),
                json!({"grant_type": "client_credentials", "client_id": account["client_id"], "client_secret": account["client_secret"]}))
            .target_is(text(&account, "/id"))
        }

        "POST /v1/municipalities" => call(Who::PlatformAdmin, "/v1/municipalities".into(),
            json!({"code": "142051", "name": "藤沢市", "name_kana": "ふじさわし", "name_en": "Fujisawa"}))
        .created(),
        "PATCH /v1/municipalities/{id}" => {
            let path = format!("/v1/municipalities/{}", f.ebina);
            call(Who::PlatformAdmin, path.clone(), json!({"name_kana": "えびなし"}))
                .if_match(app.etag(&path, Who::PlatformAdmin).await)
        }
        "POST /v1/departments" => call(Who::Admin, "/v1/departments".into(),
            json!({"municipality_id": f.zama, "code": "every-write", "name": "試験課", "name_en": "Test Division"}))
        .created(),
        "PATCH /v1/departments/{id}" => {
            let path = format!("/v1/departments/{}", f.chiiki_fukushi);
            call(Who::Admin, path.clone(), json!({"name_en": "Community Welfare Division"}))
                .if_match(app.etag(&path, Who::Admin).await)
        }
        "POST /v1/departments/{id}/invitations" => call(
            Who::Admin,
            format!("/v1/departments/{}/invitations", f.shimin_kyodo),
            json!({"email": "shokuin@test.example.jp", "display_name": "招待 職員"}),
        )
        .created()
        .target(Target::Field("/user_id")),
        "POST /v1/organizations" => call(
            Who::Desk,
            "/v1/organizations".into(),
            json!({"name": "記録株式会社", "kind": "company"}),
        )
        .created(),
        "PATCH /v1/organizations/{id}" => {
            let path = format!("/v1/organizations/{}", f.partner_org);
            call(Who::Desk, path.clone(), json!({"website": "https://test.example.jp"}))
                .if_match(app.etag(&path, Who::Desk).await)
        }
        "POST /v1/organizations/{id}/invitations" => call(
            Who::Desk,
            format!("/v1/organizations/{}/invitations", f.partner_org),
            json!({"email": "suzuki@test.example.jp", "display_name": "鈴木"}),
        )
        .created()
        .target(Target::Field("/user_id")),
        "POST /v1/auth/password-reset" => call(
            Who::Anonymous,
            "/v1/auth/password-reset".into(),
            json!({"email": f.account(Who::Desk).email}),
        )
        .status(StatusCode::ACCEPTED)
        .target_is(f.account(Who::Desk).id),
        "POST /v1/auth/password-reset/confirmation" => {
            let analyst = f.account(Who::Analyst).id;
            let token = reset_token_for(app, analyst).await;
            call(
                Who::Anonymous,
                "/v1/auth/password-reset/confirmation".into(),
                json!({"token": token, "password": PASSWORD}),
            )
            .status(StatusCode::NO_CONTENT)
            .target_is(analyst)
        }
        "POST /v1/municipalities/{municipality}/intake-submissions" => call(
            Who::Anonymous,
            "/v1/municipalities/142166/intake-submissions".into(),
            intake_form("every-write@intake.example.jp"),
        )
        .status(StatusCode::ACCEPTED),
        "POST /v1/proposals/{id}/intake-organization" => {
            let case = intake_case(app, "every-write-settle@intake.example.jp").await;
            call(
                Who::Desk,
                format!("/v1/proposals/{case}/intake-organization"),
                json!({}),
            )
            .target(Target::Field("/organization_id"))
        }
        "POST /v1/intake-submissions/{id}/confirmation" => {
            let (id, token, code) =
                intake_submission(app, "every-write-confirm@intake.example.jp").await;
            call(
                Who::Anonymous,
                format!("/v1/intake-submissions/{id}/confirmation"),
                json!({"submission_token": token, "code": code}),
            )
            .created()
            .target(Target::Field("/proposal_id"))
        }
        "POST /v1/invitations/{token}/accept" => {
            let token = invitation_token(app).await;
            call(
                Who::Anonymous,
                format!("/v1/invitations/{token}/accept"),
                json!({"password": PASSWORD, "display_name": "受諾 花子"}),
            )
        }
        "POST /v1/users" => call(
            Who::PlatformAdmin,
            "/v1/users".into(),
            json!({"email": "bunseki@test.example.jp", "display_name": "分析", "role": "analyst"}),
        )
        .created()
        .target(Target::Field("/user_id")),
        "PATCH /v1/retention-rules/{kind}" => {
            let path = "/v1/retention-rules/closed_case_personal_data".to_owned();
            call(Who::Admin, path.clone(), json!({"days": 3650}))
                .if_match(app.etag(&path, Who::Admin).await)
                .target_is("closed_case_personal_data")
        }
        "POST /v1/users/{id}/disclosures" => {
            let person = zama_person(app).await;
            call(Who::Desk, format!("/v1/users/{person}/disclosures"), json!({})).target_is(person)
        }
        "POST /v1/users/{id}/anonymization" => {
            let person = zama_person(app).await;
            call(Who::Admin, format!("/v1/users/{person}/anonymization"), json!({}))
                .target_is(person)
        }
        "PATCH /v1/users/{id}" => {
            let path = format!("/v1/users/{}", f.account(Who::Analyst).id);
            call(Who::PlatformAdmin, path.clone(), json!({"display_name": "分析 さくら"}))
                .if_match(app.etag(&path, Who::PlatformAdmin).await)
        }
        "POST /v1/auth/totp" => call(
            Who::Desk,
            "/v1/auth/totp".into(),
            json!({"password": PASSWORD}),
        )
        .created()
        .target_is(f.account(Who::Desk).id),
        "POST /v1/auth/totp/confirmation" => {
            let enrolment = json(
                app.post("/v1/auth/totp", Who::Department, &json!({"password": PASSWORD}))
                    .await,
                StatusCode::CREATED,
            )
            .await;
            let seed = data_encoding::BASE32_NOPAD
                .decode(text(&enrolment, "/secret").as_bytes())
                .expect("base32");
            let step = living_gate_api::auth::totp::step_of(chrono::Utc::now().timestamp());
            call(
                Who::Department,
                "/v1/auth/totp/confirmation".into(),
                json!({"password": PASSWORD, "code": living_gate_api::auth::totp::code_for_step(&seed, step)}),
            )
            .status(StatusCode::NO_CONTENT)
            .target_is(f.account(Who::Department).id)
        }
        "POST /v1/auth/oidc/{provider}/authorizations" => {
            let (_, provider_id) = city_idp(app).await;
            call(
                Who::Anonymous,
                "/v1/auth/oidc/every-write-idp/authorizations".into(),
                json!({}),
            )
            .created()
            .target_is(provider_id)
        }
        "POST /v1/auth/oidc/{provider}/callback" => {
            let (issuer, provider_id) = city_idp(app).await;
            let _ = issuer;
            let user = f.account(Who::Desk).id;
            json(
                app.post(
                    &format!("/v1/users/{user}/identity-links"),
                    Who::Admin,
                    &json!({"provider_id": provider_id, "subject": "alice"}),
                )
                .await,
                StatusCode::CREATED,
            )
            .await;
            let started = json(
                app.post("/v1/auth/oidc/every-write-idp/authorizations", Who::Anonymous, &json!({}))
                    .await,
                StatusCode::CREATED,
            )
            .await;
            let back = UserAgent::new()
                .sign_in(&text(&started, "/authorization_url"), "alice")
                .await;
            call(
                Who::Anonymous,
                "/v1/auth/oidc/every-write-idp/callback".into(),
                json!({"code": back.code.expect("a code"), "state": text(&started, "/state")}),
            )
            .target_is(user)
        }
        "POST /v1/identity-providers" => call(
            Who::Admin,
            "/v1/identity-providers".into(),
            idp_body(f.zama, "every-write-new"),
        )
        .created(),
        "PATCH /v1/identity-providers/{id}" => {
            let created = json(
                app.post("/v1/identity-providers", Who::Admin, &idp_body(f.zama, "every-write-patch"))
                    .await,
                StatusCode::CREATED,
            )
            .await;
            call(
                Who::Admin,
                format!("/v1/identity-providers/{}", text(&created, "/id")),
                json!({"group_mappings": [{"group": "LG-Desk", "role": "desk"}]}),
            )
            .if_match("\"1\"")
        }
        "POST /v1/users/{id}/identity-links" => {
            let created = json(
                app.post("/v1/identity-providers", Who::Admin, &idp_body(f.zama, "every-write-link"))
                    .await,
                StatusCode::CREATED,
            )
            .await;
            call(
                Who::Admin,
                format!("/v1/users/{}/identity-links", f.account(Who::OtherDepartment).id),
                json!({"provider_id": text(&created, "/id"), "subject": "someone"}),
            )
            .created()
        }
        "POST /v1/service-accounts" => call(
            Who::PlatformAdmin,
            "/v1/service-accounts".into(),
            json!({"name": "Power BI"}),
        )
        .created(),
        "PATCH /v1/service-accounts/{id}" => {
            let account = service_account(app).await;
            call(
                Who::PlatformAdmin,
                format!("/v1/service-accounts/{}", text(&account, "/id")),
                json!({"name": "Power BI（企画課）"}),
            )
            // A new account is at version 1 (there is no GET of one).
            .if_match("\"1\"")
        }

        "POST /v1/proposals" => call(Who::Partner, "/v1/proposals".into(),
            json!({"kind": "proposal", "title": "記録される提案", "summary": "概要", "themes": ["other"], "channel": "web", "municipality_id": app.fixtures.zama}))
        .created(),
        "PATCH /v1/proposals/{id}" => {
            let case = involved_case(app).await;
            let path = format!("/v1/proposals/{}", case.id);
            call(Who::Desk, path.clone(), json!({"sdg_goals": [11]}))
                .if_match(app.etag(&path, Who::Desk).await)
        }
        "POST /v1/proposals/{id}/transitions" => {
            let case = involved_case(app).await;
            call(
                Who::Desk,
                format!("/v1/proposals/{}/transitions", case.id),
                json!({"to": "organizing"}),
            )
            .if_match(case_etag(app, &case).await)
        }
        // Of the other department, on a case the department is heard on.
        "POST /v1/proposals/{id}/hearings" => {
            let case = involved_case(app).await;
            call(
                Who::Desk,
                format!("/v1/proposals/{}/hearings", case.id),
                json!({"department_id": f.chiiki_fukushi, "agenda": "追加確認"}),
            )
            .created()
        }
        "PATCH /v1/hearings/{id}" => {
            let case = involved_case(app).await;
            call(
                Who::Department,
                format!("/v1/hearings/{}", case.hearings[0].id),
                json!({"interest": "interested"}),
            )
            // Hearings have no GET of their own.
            .if_match("*")
        }
        "PUT /v1/proposals/{id}/coordinator" => {
            let case = involved_case(app).await;
            call(
                Who::Desk,
                format!("/v1/proposals/{}/coordinator", case.id),
                json!({"coordinator_id": f.account(Who::Desk).id}),
            )
            .if_match(case_etag(app, &case).await)
        }
        "PUT /v1/proposals/{id}/decision-due-date" => {
            let case = involved_case(app).await;
            call(
                Who::Desk,
                format!("/v1/proposals/{}/decision-due-date", case.id),
                json!({"due_on": "2026-07-31"}),
            )
            .if_match(case_etag(app, &case).await)
        }
        "PUT /v1/hearings/{id}/due-date" => {
            let case = involved_case(app).await;
            let path = format!("/v1/hearings/{}", case.hearings[0].id);
            call(
                Who::Desk,
                format!("{path}/due-date"),
                json!({"due_on": "2026-07-31"}),
            )
            .if_match(app.etag(&path, Who::Desk).await)
        }
        "POST /v1/proposals/{id}/messages" => {
            let case = involved_case(app).await;
            call(
                Who::Desk,
                format!("/v1/proposals/{}/messages", case.id),
                json!({"visibility": "internal", "body": "庁内で確認します"}),
            )
            .created()
        }
        // Of the other department, on a case the department is heard on.
        "POST /v1/proposals/{id}/matches" => {
            let case = involved_case(app).await;
            call(
                Who::Desk,
                format!("/v1/proposals/{}/matches", case.id),
                json!({"department_id": f.chiiki_fukushi, "role": "support"}),
            )
            .created()
        }
        "POST /v1/matches/{id}/accept" | "POST /v1/matches/{id}/decline" => {
            let mut case = involved_case(app).await;
            let lead = case.propose_lead().await;
            let verb = if op.ends_with("accept") { "accept" } else { "decline" };
            call(
                Who::Department,
                format!("/v1/matches/{lead}/{verb}"),
                json!({"reason": "所管として判断した"}),
            )
        }
        "PUT /v1/proposals/{id}/logic-model" => {
            let case = involved_case(app).await;
            call(
                Who::Desk,
                format!("/v1/proposals/{}/logic-model", case.id),
                json!({"status": "shared", "inputs": ["空き店舗"], "activities": ["交流会"]}),
            )
            .created()
            .target_is(&case.id)
        }
        "POST /v1/proposals/{id}/decision" => {
            let case = app.case().to(Status::AwaitingDecision).await;
            call(Who::Department, format!("/v1/proposals/{}/decision", case.id),
                json!({"outcome": "adopted", "reason": "効果が見込める", "note_for_proposer": "進めます"}))
            .if_match(case_etag(app, &case).await)
            .target(Target::Field("/proposal/id"))
        }
        "PATCH /v1/trips/{id}" => {
            let trip = app.case().to(Status::Adopted).await.trip_id();
            let path = format!("/v1/trips/{trip}");
            call(Who::Department, path.clone(), json!({"status": "active"}))
                .if_match(app.etag(&path, Who::Department).await)
        }
        "PUT /v1/trips/{id}/publication-consent" => {
            let trip = app.case().to(Status::Adopted).await.trip_id();
            call(
                Who::Partner,
                format!("/v1/trips/{trip}/publication-consent"),
                json!({"consented": true}),
            )
            .target(Target::Field("/trip_id"))
        }
        "PUT /v1/trips/{id}/publication" => {
            let trip = app.case().to(Status::Adopted).await.trip_id();
            let consent = format!("/v1/trips/{trip}/publication-consent");
            let consented = app
                .put(&consent, Who::Partner, &json!({"consented": true}))
                .await;
            assert_eq!(consented.status(), StatusCode::OK);
            call(
                Who::Desk,
                format!("/v1/trips/{trip}/publication"),
                json!({"published": true, "summary": "多世代の居場所づくりを続けています。"}),
            )
            .if_match(etag_of(&consented))
            .target(Target::Field("/trip_id"))
        }
        "POST /v1/trips/{id}/measurements" => {
            let case = app.case().to(Status::Adopted).await;
            let indicator = case.logic_model.as_ref().expect("a shared model")["indicators"][0]
                ["id"]
                .clone();
            call(
                Who::Department,
                format!("/v1/trips/{}/measurements", case.trip_id()),
                json!({"indicator_id": indicator, "value": 3, "measured_on": living_gate_domain::fiscal::date_in_japan(chrono::Utc::now())}),
            )
            .created()
            .target(Target::Field("/trip_id"))
        }
        "PUT /v1/trips/{id}/supported-resources" => {
            let trip = app.case().to(Status::Adopted).await.trip_id();
            let resource = resource(app).await;
            call(
                Who::Department,
                format!("/v1/trips/{trip}/supported-resources"),
                json!({"resource_ids": [resource]}),
            )
            .target(Target::Field("/trip_id"))
        }

        "POST /v1/resources" => call(Who::Desk, "/v1/resources".into(),
            json!({"name": "記録の会", "legal_form": "voluntary_group", "municipality_id": f.zama}))
        .created(),
        "PATCH /v1/resources/{id}" => {
            let path = format!("/v1/resources/{}", resource(app).await);
            call(Who::Desk, path.clone(), json!({"participation_intent": "maybe"}))
                .if_match(app.etag(&path, Who::Desk).await)
        }
        "POST /v1/resources/{id}/verifications" => {
            let resource = resource(app).await;
            let etag = app.etag(&format!("/v1/resources/{resource}"), Who::Desk).await;
            call(Who::Desk, format!("/v1/resources/{resource}/verifications"), json!({"method": "phone"}))
                .if_match(etag)
        }
        "POST /v1/resources/import" => call(Who::Desk, "/v1/resources/import".into(), Value::Null)
            .csv("external_key,name,legal_form,municipality\r\nevery-write,取り込みの会,任意団体,座間市\r\n".into())
            .target(Target::EntryOfEvent),
        // Another of Zama's departments suggests; the desk decides.
        "POST /v1/resources/{id}/suggestions" => {
            let resource = resource(app).await;
            call(Who::OtherDepartment, format!("/v1/resources/{resource}/suggestions"),
                json!({"changes": {"participation_intent": "maybe"}, "note": "確認しました"}))
            .created()
        }
        "POST /v1/resources/{id}/suggestions/{suggestion_id}/accept" => {
            let (resource, suggestion) = suggestion(app).await;
            let etag = app.etag(&format!("/v1/resources/{resource}"), Who::Desk).await;
            call(Who::Desk, format!("/v1/resources/{resource}/suggestions/{suggestion}/accept"), json!({}))
                .if_match(etag)
                .target_is(suggestion)
        }
        "POST /v1/resources/{id}/suggestions/{suggestion_id}/reject" => {
            let (resource, suggestion) = suggestion(app).await;
            call(Who::Desk, format!("/v1/resources/{resource}/suggestions/{suggestion}/reject"), json!({}))
        }
        "POST /v1/confidential-access-grants" => call(Who::Desk, "/v1/confidential-access-grants".into(),
            json!({"department_id": f.chiiki_fukushi}))
        .created(),
        "DELETE /v1/confidential-access-grants/{id}" => {
            let grant = created(app, Who::Desk, "/v1/confidential-access-grants",
                json!({"department_id": f.shimin_kyodo})).await;
            let id = text(&grant, "/id");
            call(Who::Desk, format!("/v1/confidential-access-grants/{id}"), Value::Null)
                .status(StatusCode::NO_CONTENT)
                .target_is(id)
        }
        "POST /v1/webhook-subscriptions" => call(Who::Desk, "/v1/webhook-subscriptions".into(),
            json!({"callback_url": WEBHOOK_URL}))
        .created(),
        "POST /v1/referrals" => call(Who::Desk, "/v1/referrals".into(), referral_body(app).await).created(),
        "POST /v1/liaison-meetings" => call(Who::Desk, "/v1/liaison-meetings".into(), meeting_body(app)).created(),
        "POST /v1/liaison-meetings/{id}/follow-ups" => {
            let id = text(&created(app, Who::Desk, "/v1/liaison-meetings", meeting_body(app)).await, "/id");
            call(Who::Desk, format!("/v1/liaison-meetings/{id}/follow-ups"), follow_up_body(app)).created()
        }
        "POST /v1/follow-ups/{id}/done" => {
            let meeting = created(app, Who::Desk, "/v1/liaison-meetings", meeting_body(app)).await;
            let id = text(&meeting, "/follow_ups/0/id");
            let version = meeting["follow_ups"][0]["version"].as_i64().expect("version");
            call(Who::Department, format!("/v1/follow-ups/{id}/done"), json!({})).if_match(format!("\"{version}\""))
        }
        "POST /v1/platform-events" => call(Who::Desk, "/v1/platform-events".into(), platform_event_body(app)).created(),
        "PATCH /v1/platform-events/{id}" => {
            let response = app.post("/v1/platform-events", Who::Desk, &platform_event_body(app)).await;
            let etag = etag_of(&response);
            let id = text(&json(response, StatusCode::CREATED).await, "/id");
            call(Who::Desk, format!("/v1/platform-events/{id}"), json!({"attendance": 3198})).if_match(etag)
        }
        "PATCH /v1/referrals/{id}" => {
            let response = app.post("/v1/referrals", Who::Desk, &referral_body(app).await).await;
            let etag = etag_of(&response);
            let id = text(&json(response, StatusCode::CREATED).await, "/id");
            call(Who::Desk, format!("/v1/referrals/{id}"), json!({"outcome": "using"})).if_match(etag)
        }
        "PATCH /v1/webhook-subscriptions/{id}" => {
            let (id, etag) = subscription(app).await;
            call(Who::Desk, format!("/v1/webhook-subscriptions/{id}"), json!({"state": "paused"}))
                .if_match(etag)
        }
        "DELETE /v1/webhook-subscriptions/{id}" => {
            let (id, _) = subscription(app).await;
            call(Who::Desk, format!("/v1/webhook-subscriptions/{id}"), Value::Null)
                .status(StatusCode::NO_CONTENT)
                .target_is(id)
        }
        "POST /v1/webhook-subscriptions/{id}/secret-rotations" => {
            let (id, _) = subscription(app).await;
            call(Who::Desk, format!("/v1/webhook-subscriptions/{id}/secret-rotations"), json!({}))
        }
        "POST /v1/webhook-subscriptions/{id}/pings" => {
            let (id, _) = subscription(app).await;
            call(Who::Desk, format!("/v1/webhook-subscriptions/{id}/pings"), json!({})).target_is(id)
        }
        "POST /v1/webhook-subscriptions/{id}/replays" => {
            let (id, _) = subscription(app).await;
            call(Who::Desk, format!("/v1/webhook-subscriptions/{id}/replays"), json!({"from_position": 1}))
        }
        "POST /v1/taxonomy-terms" => call(Who::Desk, "/v1/taxonomy-terms".into(),
            json!({"vocabulary": "form", "code": "every-write", "label_ja": "試験", "label_en": "Test"}))
        .created(),
        "POST /v1/surveys" => call(Who::Desk, "/v1/surveys".into(),
            json!({"title": "参画意向調査", "starts_on": "2026-06-01", "ends_on": "2026-07-31"}))
        .created(),
        "POST /v1/surveys/{id}/recipients" => {
            let survey = survey(app).await;
            call(Who::Desk, format!("/v1/surveys/{survey}/recipients"),
                json!({"prospective_name": "見込み団体", "municipality_id": f.zama, "channel": "post", "sent_on": "2026-06-02"}))
            .created()
        }
        // A recipient not in the directory becomes an entry.
        "POST /v1/surveys/{id}/recipients/{recipient_id}/entry" => {
            let survey = survey(app).await;
            let recipient = created(app, Who::Desk, &format!("/v1/surveys/{survey}/recipients"),
                json!({"prospective_name": "見込み団体", "municipality_id": f.zama, "channel": "post", "sent_on": "2026-06-02"})).await;
            call(
                Who::Desk,
                format!("/v1/surveys/{survey}/recipients/{}/entry", text(&recipient, "/id")),
                json!({"name": "見込み団体", "legal_form": "voluntary_group", "municipality_id": f.zama}),
            )
            .created()
        }
        // A recipient that is a directory entry: the answer updates the entry too.
        "POST /v1/surveys/{id}/recipients/{recipient_id}/answer" => {
            let survey = survey(app).await;
            let resource = resource(app).await;
            let recipient = created(app, Who::Desk, &format!("/v1/surveys/{survey}/recipients"),
                json!({"resource_id": resource, "channel": "email", "sent_on": "2026-06-02"})).await;
            call(
                Who::Desk,
                format!("/v1/surveys/{survey}/recipients/{}/answer", text(&recipient, "/id")),
                json!({"answered_on": "2026-06-20", "participation_intent": "yes"}),
            )
        }

        // Replacing a year's targets needs the If-Match of the version read.
        "PUT /v1/me/notification-preferences" => call(
            Who::Desk,
            "/v1/me/notification-preferences".into(),
            json!({"language": "en", "kinds": [{"kind": "decided", "enabled": false}]}),
        )
        .target_is(f.account(Who::Desk).id),
        "POST /v1/outbox-messages/{id}/retry" => {
            let id = crate::harness::dead_outbox_message(app).await;
            call(Who::Desk, format!("/v1/outbox-messages/{id}/retry"), json!({})).target_is(id)
        }
        "PUT /v1/kpis/targets/{fiscal_year}" => {
            let path = "/v1/kpis/targets/2027".to_owned();
            let first = app
                .request(Method::PUT, &path, Who::Desk)
                .json(&json!({"trips_started": 2}))
                .send()
                .await
                .expect("request");
            let etag = etag_of(&first);
            json(first, StatusCode::CREATED).await;
            call(Who::Desk, path, json!({"trips_started": 3, "community_supports": 5}))
                .if_match(etag)
                .target_is(2027)
        }
        "POST /v1/retention-runs" => call(
            Who::PlatformAdmin,
            "/v1/retention-runs".into(),
            json!({"dry_run": true}),
        )
        .created(),
        "PUT /v1/kpis/programme-logic-model/{fiscal_year}" => call(
            Who::Desk,
            "/v1/kpis/programme-logic-model/2027".into(),
            json!({"inputs": ["庁内関係課との連携体制"], "outputs": [{"text": "マッチング実施件数",
                "figure": {"source": "computed", "metric": "matches_made"}}]}),
        )
        .created()
        .target_is(2027),
        // Revising the assessment needs the If-Match of the version recorded.
        "PUT /v1/proposals/{id}/assessment" => {
            let case = involved_case(app).await;
            let path = format!("/v1/proposals/{}/assessment", case.id);
            let first = app
                .request(Method::PUT, &path, Who::Desk)
                .json(&crate::assessment::valid_body())
                .send()
                .await
                .expect("request");
            let etag = etag_of(&first);
            json(first, StatusCode::CREATED).await;
            let mut body = crate::assessment::valid_body();
            body["feasibility"]["rating"] = json!(2);
            call(Who::Desk, path, body).if_match(etag).target_is(&case.id)
        }
        "POST /v1/proposals/{id}/network-matches" => {
            let case = app.case().to(Status::Matching).await;
            call(Who::Desk, format!("/v1/proposals/{}/network-matches", case.id),
                json!({"resource_id": resource(app).await}))
            .created()
        }
        "POST /v1/network-matches/{id}/accept" | "POST /v1/network-matches/{id}/decline" => {
            let case = app.case().to(Status::Matching).await;
            let proposed = app
                .post(&format!("/v1/proposals/{}/network-matches", case.id), Who::Desk,
                    &json!({"resource_id": resource(app).await}))
                .await;
            let id = json(proposed, StatusCode::CREATED).await["id"].clone();
            let verb = if op.ends_with("accept") { "accept" } else { "decline" };
            call(Who::Desk, format!("/v1/network-matches/{}/{verb}", id.as_str().expect("id")),
                json!({"answered_on": living_gate_domain::fiscal::date_in_japan(chrono::Utc::now()), "via": "meeting"}))
        }
        "PUT /v1/trips/{id}/model-case" => {
            let trip = app.case().to(Status::Adopted).await.trip_id();
            call(Who::Department, format!("/v1/trips/{trip}/model-case"), json!({"what_worked": "初回から同席した"}))
                .created()
                .target(Target::Field("/trip_id"))
        }
        "POST /v1/proposals/{id}/logic-model/prefill" => {
            let trip = app.case().to(Status::Adopted).await.trip_id();
            json(app.put(&format!("/v1/trips/{trip}/model-case"), Who::Desk, &json!({"what_worked": "同席"})).await,
                StatusCode::CREATED).await;
            let case = involved_case(app).await;
            call(Who::Desk, format!("/v1/proposals/{}/logic-model/prefill", case.id), json!({"template_trip_id": trip}))
                .created()
                .target_is(&case.id)
        }
        "POST /v1/trips/{id}/follow-ons" => {
            let trip = app.case().to(Status::Adopted).await.trip_id();
            let next = app.case().create().await;
            call(Who::Desk, format!("/v1/trips/{trip}/follow-ons"), json!({"proposal_id": next.id}))
                .created()
                .target(Target::Field("/trip_id"))
        }
        "POST /v1/programmes" => call(Who::Desk, "/v1/programmes".into(), json!({"name": "ざま地域サロン事業"})).created(),
        "PUT /v1/proposals/{id}/programmes" => {
            let programme = text(&created(app, Who::Desk, "/v1/programmes", json!({"name": "見守り事業"})).await, "/id");
            let case = involved_case(app).await;
            call(Who::Desk, format!("/v1/proposals/{}/programmes", case.id), json!({"programme_ids": [programme]}))
                .target_is(&case.id)
        }
        "POST /v1/proposals/{id}/attachments" => {
            let case = involved_case(app).await;
            let path = format!("/v1/proposals/{}/attachments?file_name=memo.txt&visibility=internal", case.id);
            call(Who::Desk, path, Value::Null).file("庁内メモ").created()
        }
        "POST /v1/hearings/{id}/attachments" => {
            let case = involved_case(app).await;
            let path = format!("/v1/hearings/{}/attachments?file_name=minutes.txt", case.hearings[0].id);
            call(Who::Department, path, Value::Null).file("議事録").created()
        }
        "POST /v1/proposals/{id}/logic-model/versions/{version}/attachments" => {
            let mut case = involved_case(app).await;
            case.save_logic_model(&crate::harness::logic_model("shared", "交流会")).await;
            let path = format!("/v1/proposals/{}/logic-model/versions/1/attachments?file_name=model.txt", case.id);
            call(Who::Desk, path, Value::Null).file("図").created()
        }
        "POST /v1/intake-submissions/{id}/attachments" => {
            let (id, token, _case) =
                confirmed_submission(app, "every-write-upload@intake.example.jp").await;
            let path = format!("/v1/intake-submissions/{id}/attachments?file_name=kikaku.txt");
            call(Who::Anonymous, path, Value::Null)
                .file("企画書")
                .header("Submission-Token", token)
                .created()
        }
        _ => panic!("{op} has a row in WRITES but prepare() does not know how to perform it"),
    }
}

/// A case of the partner's organization with a hearing of the department.
async fn involved_case(app: &TestApp) -> Case<'_> {
    let mut case = app.case().create().await;
    case.request_hearing(Who::Department).await;
    case
}

async fn case_etag(app: &TestApp, case: &Case<'_>) -> String {
    app.etag(&format!("/v1/proposals/{}", case.id), Who::Desk)
        .await
}

/// POSTs `body` as `who`, asserting 201; returns the created resource.
/// A new desk account of Zama, invited by Zama's admin (a person to
/// disclose or anonymize).
async fn zama_person(app: &TestApp) -> String {
    let n = uuid::Uuid::now_v7().simple().to_string();
    let body = json!({"email": format!("person-{n}@city.zama.example.jp"), "display_name": "個人 花子",
        "role": "desk", "municipality_id": app.fixtures.zama});
    text(
        &created(app, Who::Admin, "/v1/users", body).await,
        "/user_id",
    )
}

async fn created(app: &TestApp, who: Who, path: &str, body: Value) -> Value {
    json(app.post(path, who, &body).await, StatusCode::CREATED).await
}

pub(super) fn text(value: &Value, pointer: &str) -> String {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("no {pointer} in {value}"))
        .to_owned()
}

/// A directory entry (the desk's); returns its id.
async fn resource(app: &TestApp) -> String {
    let body =
        json!({"name": "支援先の会", "legal_form": "npo", "municipality_id": app.fixtures.zama});
    text(&created(app, Who::Desk, "/v1/resources", body).await, "/id")
}

/// A meeting of Zama alone, today, with a follow-up for Zama's 市民協働課.
fn meeting_body(app: &TestApp) -> Value {
    let today = living_gate_domain::fiscal::date_in_japan(chrono::Utc::now());
    json!({"kind": "support_coordination", "title": "支援調整会議", "held_on": today,
           "municipality_ids": [app.fixtures.zama], "follow_ups": [follow_up_body(app)]})
}

/// A follow-up for Zama's 市民協働課, due today.
fn follow_up_body(app: &TestApp) -> Value {
    let today = living_gate_domain::fiscal::date_in_japan(chrono::Utc::now());
    json!({"description": "居場所の一覧を共有する", "owner_id": app.fixtures.account(Who::Department).id, "due_on": today})
}

/// A symposium held in Zama.
fn platform_event_body(app: &TestApp) -> Value {
    json!({"kind": "symposium", "title": "シンポジウム", "starts_on": "2026-10-10", "ends_on": "2026-10-10",
           "venue_municipality_id": app.fixtures.zama, "attendance": 126})
}

/// An introduction of a resident to a new entry, today.
async fn referral_body(app: &TestApp) -> Value {
    let today = living_gate_domain::fiscal::date_in_japan(chrono::Utc::now());
    json!({"resource_id": resource(app).await, "referred_on": today, "topics": ["loneliness"], "channel": "phone"})
}

/// An entry of the desk with a pending suggestion of a department: (entry, suggestion).
async fn suggestion(app: &TestApp) -> (String, String) {
    let resource = resource(app).await;
    let suggested = created(
        app,
        Who::Department,
        &format!("/v1/resources/{resource}/suggestions"),
        json!({"changes": {"participation_intent": "maybe"}, "note": "確認しました"}),
    )
    .await;
    (resource, text(&suggested, "/id"))
}

async fn survey(app: &TestApp) -> String {
    let body = json!({"title": "調査", "starts_on": "2026-06-01", "ends_on": "2026-07-31"});
    text(&created(app, Who::Desk, "/v1/surveys", body).await, "/id")
}

/// A new service account, with its one-time secret.
async fn service_account(app: &TestApp) -> Value {
    created(
        app,
        Who::PlatformAdmin,
        "/v1/service-accounts",
        json!({"name": "BI"}),
    )
    .await
}

async fn invitation_token(app: &TestApp) -> String {
    let path = format!("/v1/organizations/{}/invitations", app.fixtures.partner_org);
    let body = json!({"email": "uketsuke@test.example.jp", "display_name": "受付"});
    text(&created(app, Who::Desk, &path, body).await, "/token")
}

/// The token pair of a fixture account's sign-in.
async fn login(app: &TestApp, who: Who) -> Value {
    let email = &app.fixtures.account(who).email;
    json(app.login(email, PASSWORD).await, StatusCode::OK).await
}

/// A public address given literally: creating checks it without DNS.
const WEBHOOK_URL: &str = "https://8.8.8.8/living-gate";

/// A subscription of Zama's desk: its id and ETag.
async fn subscription(app: &TestApp) -> (String, String) {
    let response = app
        .post(
            "/v1/webhook-subscriptions",
            Who::Desk,
            &json!({"callback_url": WEBHOOK_URL}),
        )
        .await;
    let etag = etag_of(&response);
    let body = json(response, StatusCode::CREATED).await;
    (text(&body, "/id"), etag)
}
