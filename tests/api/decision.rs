//! Steps 4-6: matches, logic models and the lead department's decision.

use crate::harness::{json, logic_model, problem, TestApp, Who};
use living_gate_domain::desk::workflow::Status;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread")]
async fn the_lead_department_decides_after_matching_and_a_shared_logic_model() {
    let app = TestApp::spawn().await;
    let f = app.fixtures.clone();
    let id = app
        .case()
        .title("居場所づくり")
        .to(Status::Matching)
        .await
        .id;

    // Two departments are proposed as lead; their acceptances race and one wins.
    let mut match_ids = Vec::new();
    for department in [f.shimin_kyodo, f.chiiki_fukushi] {
        let proposed = app
            .post(
                &format!("/v1/proposals/{id}/matches"),
                Who::Desk,
                &json!({"department_id": department, "role": "lead"}),
            )
            .await;
        match_ids.push(
            json(proposed, StatusCode::CREATED).await["id"]
                .as_str()
                .expect("id")
                .to_owned(),
        );
    }
    let duplicate = app
        .post(
            &format!("/v1/proposals/{id}/matches"),
            Who::Desk,
            &json!({"department_id": f.shimin_kyodo, "role": "support"}),
        )
        .await;
    problem(duplicate, StatusCode::CONFLICT).await;
    problem(
        app.get(&format!("/v1/proposals/{id}/matches"), Who::Partner)
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let reason = json!({"reason": "所管として進める"});
    let (first, second) = (
        format!("/v1/matches/{}/accept", match_ids[0]),
        format!("/v1/matches/{}/accept", match_ids[1]),
    );
    let (a, b) = tokio::join!(
        app.post(&first, Who::Department, &reason),
        app.post(&second, Who::OtherDepartment, &reason)
    );
    let mut codes = [a.status().as_u16(), b.status().as_u16()];
    codes.sort_unstable();
    assert_eq!(codes, [200, 409], "exactly one lead");
    let (lead, support) = if a.status() == StatusCode::OK {
        (Who::Department, Who::OtherDepartment)
    } else {
        (Who::OtherDepartment, Who::Department)
    };
    let case = json(
        app.get(&format!("/v1/proposals/{id}"), Who::Desk).await,
        StatusCode::OK,
    )
    .await;
    let lead_department = if lead == Who::Department {
        f.shimin_kyodo
    } else {
        f.chiiki_fukushi
    };
    assert_eq!(case["lead_department_id"], lead_department.to_string());

    // Step 5: drafts stay with the desk; shared versions reach the others; every version is kept.
    json(
        app.transition(&id, Who::Desk, json!({"to": "logic_model"}))
            .await,
        StatusCode::OK,
    )
    .await;
    let not_ready = problem(
        app.transition(&id, Who::Desk, json!({"to": "awaiting_decision"}))
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(not_ready["current_status"], "logic_model");
    let draft = json(
        app.put(
            &format!("/v1/proposals/{id}/logic-model"),
            Who::Desk,
            &logic_model("draft", "月2回の交流会"),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(
        (draft["version"].as_i64(), draft["status"].as_str()),
        (Some(1), Some("draft"))
    );
    for who in [Who::Partner, lead] {
        problem(
            app.get(&format!("/v1/proposals/{id}/logic-model"), who)
                .await,
            StatusCode::NOT_FOUND,
        )
        .await;
    }
    problem(
        app.transition(&id, Who::Desk, json!({"to": "awaiting_decision"}))
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    let shared = json(
        app.put(
            &format!("/v1/proposals/{id}/logic-model"),
            Who::Desk,
            &logic_model("shared", "月4回の交流会"),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(shared["version"], 2);
    let seen = json(
        app.get(&format!("/v1/proposals/{id}/logic-model"), Who::Partner)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (seen["version"].as_i64(), seen["activities"][0].as_str()),
        (Some(2), Some("月4回の交流会"))
    );
    assert!(
        seen["indicators"][0]["id"].is_string(),
        "indicators get stable ids"
    );
    let partner_versions = json(
        app.get(
            &format!("/v1/proposals/{id}/logic-model/versions"),
            Who::Partner,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(partner_versions.as_array().map(Vec::len), Some(1));
    let desk_versions = json(
        app.get(
            &format!("/v1/proposals/{id}/logic-model/versions"),
            Who::Desk,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(desk_versions.as_array().map(Vec::len), Some(2));
    assert_eq!(
        desk_versions[0]["activities"][0], "月2回の交流会",
        "the draft is kept, not overwritten"
    );
    problem(
        app.get(
            &format!("/v1/proposals/{id}/logic-model/versions/1"),
            Who::Partner,
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;

    // A diff between the versions, and the five-column exports with Japanese intact.
    let diff = json(
        app.get(
            &format!("/v1/proposals/{id}/logic-model/diff?from=1&to=2"),
            Who::Desk,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        diff["columns"],
        json!([{"column": "activities", "added": ["月4回の交流会"], "removed": ["月2回の交流会"]}])
    );
    assert_eq!(
        (
            &diff["indicators_added"],
            &diff["indicators_removed"],
            &diff["indicators_changed"]
        ),
        (&json!([]), &json!([]), &json!([])),
        "v2's indicator, sent again without its id, kept it by its name"
    );
    problem(
        app.get(
            &format!("/v1/proposals/{id}/logic-model/diff?from=1&to=2"),
            Who::Partner,
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let csv = app
        .get(
            &format!("/v1/proposals/{id}/logic-model?format=csv"),
            Who::Partner,
        )
        .await;
    assert_eq!(
        csv.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("text/csv; charset=utf-8")
    );
    let csv = csv.text().await.expect("csv");
    // The five columns, then the indicators (tested in `logic_models`).
    assert!(
        csv.starts_with(
        "\u{feff}\"投入資源\",\"活動\",\"直接成果\",\"成果（短期・中期）\",\"長期的成果\"\r\n\"空き店舗\",\"月4回の交流会\",\"開催回数\",\"短期: 孤立感の低下\",\"誰もが居場所のある地域\"\r\n\"\",\"\",\"\",\"中期: 見守りの拡大\",\"\"\r\n"
    ),
        "{csv}"
    );
    let markdown = app
        .get(
            &format!("/v1/proposals/{id}/logic-model?format=markdown"),
            Who::Partner,
        )
        .await
        .text()
        .await
        .expect("md");
    assert!(
        markdown.starts_with(
        "| 投入資源 | 活動 | 直接成果 | 成果（短期・中期） | 長期的成果 |\n| --- | --- | --- | --- | --- |\n| 空き店舗 | 月4回の交流会 | 開催回数 | 短期: 孤立感の低下 | 誰もが居場所のある地域 |\n|  |  |  | 中期: 見守りの拡大 |  |\n"
    ),
        "{markdown}"
    );

    // Step 6: only the lead department decides.
    json(
        app.transition(&id, Who::Desk, json!({"to": "awaiting_decision"}))
            .await,
        StatusCode::OK,
    )
    .await;
    for who in [Who::Desk, support] {
        let attempt = app
            .transition(
                &id,
                who,
                json!({"to": "adopted", "reason": "x", "note_for_proposer": "x"}),
            )
            .await;
        problem(attempt, StatusCode::CONFLICT).await;
    }
    let decide = |who: Who, body: Value| {
        app.request(Method::POST, &format!("/v1/proposals/{id}/decision"), who)
            .header("If-Match", "*")
            .json(&body)
            .send()
    };
    problem(
        decide(Who::Desk, json!({"outcome": "adopted", "reason": "x"}))
            .await
            .expect("decision"),
        StatusCode::CONFLICT,
    )
    .await;
    problem(
        decide(support, json!({"outcome": "adopted", "reason": "x"}))
            .await
            .expect("decision"),
        StatusCode::CONFLICT,
    )
    .await;
    let no_note = decide(lead, json!({"outcome": "not_adopted", "reason": "x"}))
        .await
        .expect("decision");
    problem(no_note, StatusCode::UNPROCESSABLE_ENTITY).await;
    let decision = decide(lead, json!({"outcome": "adopted", "reason": "予算と効果が見込める", "note_for_proposer": "共創プロジェクトとして進めます"}))
        .await
        .expect("decision");
    let decision = json(decision, StatusCode::OK).await;
    assert_eq!(decision["proposal"]["status"], "adopted");
    assert!(
        decision["proposal"]["closed_at"].is_string()
            && decision["proposal"]["step_entered_at"]["awaiting_decision"].is_string()
    );
    let trip = &decision["trip"];
    assert_eq!(trip["lead_department_id"], lead_department.to_string());
    assert_eq!(
        trip["partner_organization_ids"],
        json!([f.partner_org.to_string()])
    );
    assert_eq!(
        trip["supports_community_activity"], true,
        "the case's theme is community support"
    );
    assert_eq!(trip["status"], "planning");
    let again = decide(
        lead,
        json!({"outcome": "not_adopted", "reason": "x", "note_for_proposer": "x"}),
    )
    .await
    .expect("decision");
    problem(again, StatusCode::CONFLICT).await;

    // The TRIP: the lead department updates it and records measurements; the partner reads it.
    let trip_id = trip["id"].as_str().expect("trip id").to_owned();
    let partner_view = json(
        app.get(&format!("/v1/trips/{trip_id}"), Who::Partner).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(partner_view["title"], "居場所づくり");
    problem(
        app.get(&format!("/v1/trips/{trip_id}"), Who::OtherPartner)
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let bad_dates = app
        .patch(
            &format!("/v1/trips/{trip_id}"),
            lead,
            "*",
            &json!({"starts_on": "2026-12-01", "ends_on": "2026-11-01"}),
        )
        .await;
    problem(bad_dates, StatusCode::UNPROCESSABLE_ENTITY).await;
    let active = app
        .patch(
            &format!("/v1/trips/{trip_id}"),
            lead,
            "\"1\"",
            &json!({"status": "active", "starts_on": "2026-12-01"}),
        )
        .await;
    assert_eq!(json(active, StatusCode::OK).await["status"], "active");
    problem(
        app.patch(
            &format!("/v1/trips/{trip_id}"),
            Who::Partner,
            "*",
            &json!({"status": "completed"}),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let indicator = seen["indicators"][0]["id"]
        .as_str()
        .expect("indicator")
        .to_owned();
    let unknown = app
        .post(
            &format!("/v1/trips/{trip_id}/measurements"),
            lead,
            &json!({"indicator_id": uuid::Uuid::now_v7(), "value": 1, "measured_on": "2026-12-01"}),
        )
        .await;
    problem(unknown, StatusCode::UNPROCESSABLE_ENTITY).await;
    let today = living_gate_domain::fiscal::date_in_japan(chrono::Utc::now()).to_string();
    for (value, on) in [(6, "2026-12-01"), (14, today.as_str())] {
        let recorded = app.post(&format!("/v1/trips/{trip_id}/measurements"), lead, &json!({"indicator_id": indicator, "value": value, "measured_on": on, "note": "四半期"})).await;
        json(recorded, StatusCode::CREATED).await;
    }
    let measured = json(
        app.get(&format!("/v1/trips/{trip_id}/measurements"), Who::Partner)
            .await,
        StatusCode::OK,
    )
    .await;
    let values: Vec<f64> = measured
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|m| m["value"].as_f64())
        .collect();
    assert_eq!(values, vec![6.0, 14.0]);

    let timeline = json(
        app.get(&format!("/v1/proposals/{id}/events"), Who::Partner)
            .await,
        StatusCode::OK,
    )
    .await;
    let text = timeline.to_string();
    assert!(
        text.contains("共創プロジェクトとして進めます")
            && text.contains("ロジックモデル（第2版）を共有しました")
    );
    assert!(
        !text.contains("予算と効果が見込める"),
        "the internal reason stays internal"
    );
    assert!(!text.contains("match_"), "matching is internal");
}

#[tokio::test(flavor = "multi_thread")]
async fn suggestions_rank_departments_by_their_history_with_reasons() {
    let app = TestApp::spawn().await;
    let f = app.fixtures.clone();
    let submit = async |title: &str, theme: &str, goals: Value| {
        app.case()
            .title(title)
            .with(json!({"summary": "s", "themes": [theme], "sdg_goals": goals}))
            .create()
            .await
    };
    // History: 地域福祉課 was interested in a community-support case with SDG 3 and 11;
    // 市民協働課 in a local-strengths case with SDG 8.
    let mut first = submit("見守り", "community_support", json!([3, 11])).await;
    first.request_hearing(Who::OtherDepartment).await;
    first.answer_hearing(Who::OtherDepartment).await;
    let first_reference = first.reference.clone();
    let mut second = submit("観光", "local_strengths", json!([8])).await;
    second.request_hearing(Who::Department).await;
    second.answer_hearing(Who::Department).await;
    let target = submit("居場所", "community_support", json!([11])).await.id;

    let ranked = json(
        app.get(
            &format!("/v1/proposals/{target}/match-suggestions"),
            Who::Desk,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    // By hand: 地域福祉課 shares the theme (2 points) and SDG 11 (1 point), weight 1 → 3;
    // 市民協働課 shares nothing and is left out.
    assert_eq!(
        ranked,
        json!([{
            "department_id": f.chiiki_fukushi,
            "department_name": "地域福祉課",
            "score": 3,
            "reasons": [format!("{first_reference} (interested at a hearing, ×1): themes [community_support], SDG [11] → 3 points")]
        }])
    );
    problem(
        app.get(
            &format!("/v1/proposals/{target}/match-suggestions"),
            Who::Partner,
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_department_of_another_municipality_cannot_decide() {
    let app = TestApp::spawn().await;
    let f = app.fixtures.clone();
    // An Ebina department, and a user of it, invited and activated by the
    // platform admin (Zama's admin manages Zama's departments only).
    let ebina = json!({"municipality_id": f.ebina, "code": "kyodo", "name": "市民協働課", "name_en": "Citizen Collaboration"});
    problem(
        app.post("/v1/departments", Who::Admin, &ebina).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let department = app
        .post("/v1/departments", Who::PlatformAdmin, &ebina)
        .await;
    let ebina_department = json(department, StatusCode::CREATED).await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let invitation = app
        .post(
            &format!("/v1/departments/{ebina_department}/invitations"),
            Who::PlatformAdmin,
            &json!({"email": "ebina@city.example.jp", "display_name": "海老名 職員"}),
        )
        .await;
    let token = json(invitation, StatusCode::CREATED).await["token"]
        .as_str()
        .expect("token")
        .to_owned();
    let accepted = app
        .post(
            &format!("/v1/invitations/{token}/accept"),
            Who::Anonymous,
            &json!({"password": crate::harness::PASSWORD, "display_name": "海老名 職員"}),
        )
        .await;
    assert_eq!(accepted.status(), StatusCode::OK);
    let login = json(
        app.login("ebina@city.example.jp", crate::harness::PASSWORD)
            .await,
        StatusCode::OK,
    )
    .await;
    let ebina_token = login["access_token"].as_str().expect("token").to_owned();

    // A case awaiting the decision of Zama's 市民協働課.
    let mut case = app
        .case()
        .title("t")
        .with(json!({"summary": "s", "themes": ["other"]}))
        .to(Status::Matching)
        .await;
    case.propose_lead().await;
    case.accept_lead().await;
    let id = case.id.clone();
    // A decision before awaiting_decision is refused even for the lead.
    let early = app
        .request(
            Method::POST,
            &format!("/v1/proposals/{id}/decision"),
            Who::Department,
        )
        .header("If-Match", "*")
        .json(&json!({"outcome": "adopted", "reason": "x"}))
        .send()
        .await
        .expect("decision");
    problem(early, StatusCode::CONFLICT).await;
    case.to(Status::AwaitingDecision).await;

    let foreign = app
        .client
        .post(format!("{}/v1/proposals/{id}/decision", app.base))
        .bearer_auth(&ebina_token)
        .header("If-Match", "*")
        .json(&json!({"outcome": "adopted", "reason": "x"}))
        .send()
        .await
        .expect("decision");
    problem(foreign, StatusCode::NOT_FOUND).await;
    let case = json(
        app.get(&format!("/v1/proposals/{id}"), Who::Desk).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(case["status"], "awaiting_decision", "nothing changed");
}

/// Step 6 has one door. `adopted` and `not_adopted` sent to `/transitions`
/// are refused for everyone, the lead department included, pointing to
/// `/decision`; the case stays where it was and no TRIP appears. The
/// decision then adopts it and creates the TRIP in the same transaction.
#[tokio::test]
async fn a_decision_cannot_be_made_as_a_transition() {
    let app = TestApp::spawn().await;
    let case = app.case().to(Status::AwaitingDecision).await;
    let id = case.id.clone();
    for who in [Who::Department, Who::Desk] {
        for to in ["adopted", "not_adopted"] {
            let refused = app
                .transition(
                    &id,
                    who,
                    json!({"to": to, "reason": "決定したい", "note_for_proposer": "お知らせ"}),
                )
                .await;
            let body = problem(refused, StatusCode::CONFLICT).await;
            assert_eq!(
                body["decision"],
                format!("/v1/proposals/{id}/decision"),
                "{who:?} → {to}: {body}"
            );
            assert_eq!(body["current_status"], "awaiting_decision");
            assert_eq!(body["can_decide"], who == Who::Department, "{who:?}");
        }
    }
    // Nothing moved, nothing was created.
    let now = json(
        app.get(&format!("/v1/proposals/{id}"), Who::Desk).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(now["status"], "awaiting_decision");
    assert_eq!(now["closed_at"], Value::Null);
    let trips = json(app.get("/v1/trips", Who::Desk).await, StatusCode::OK).await;
    assert!(
        trips["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|t| t["proposal_id"] != id.as_str()),
        "no TRIP without a decision: {trips}"
    );
    // Allowed moves offered at any step never include a decision.
    let early = app.case().to(Status::Organizing).await;
    let refused = app
        .transition(&early.id, Who::Desk, json!({"to": "logic_model"}))
        .await;
    let body = problem(refused, StatusCode::CONFLICT).await;
    let allowed: Vec<&str> = body["allowed_moves"]
        .as_array()
        .expect("allowed_moves")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(!allowed.is_empty());
    assert!(
        allowed
            .iter()
            .all(|m| *m != "adopted" && *m != "not_adopted"),
        "{allowed:?}"
    );
    // Through its own door the decision adopts and creates the TRIP.
    let mut case = case;
    case.decide(Status::Adopted).await;
    let trip = case.trip_id();
    let trip = json(
        app.get(&format!("/v1/trips/{trip}"), Who::Desk).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(trip["proposal_id"], id.as_str());
}
