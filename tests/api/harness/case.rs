//! The case builder: a case driven through the API to a workflow step, as
//! its roles would drive it: `app.case().to(Status::LogicModel).await`.
//!
//! The partner submits it; the desk moves it (with the current `If-Match`),
//! requests a hearing of 市民協働課 which that department answers, proposes
//! 市民協働課 as lead, which accepts, and shares a logic model; the lead
//! department decides. Each step asserts its own success, so a test starts
//! from a case known to be where it says. A step done by hand before (a
//! hearing requested, the lead accepted, a model shared) is not done twice.

use super::{json, TestApp, Who};
use living_gate_domain::desk::workflow::{Status, STEPS};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// What the partner submits unless a test says otherwise (`.title`, `.with`).
fn default_body() -> Value {
    json!({
        "kind": "proposal", "title": "空き店舗を活用した多世代の居場所づくり",
        "summary": "駅前の空き店舗で、高齢者と子育て世代が交流できる場を開く。",
        "themes": ["community_support"], "sdg_goals": [11, 3], "policy_areas": ["地域共生"], "channel": "web"
    })
}

/// A logic model with all five columns and one indicator (開催回数, 0 → 24).
pub fn logic_model(status: &str, activity: &str) -> Value {
    json!({"status": status, "inputs": ["空き店舗"], "activities": [activity], "outputs": ["開催回数"],
        "short_term_outcomes": ["孤立感の低下"], "mid_term_outcomes": ["見守りの拡大"], "impact": ["誰もが居場所のある地域"],
        "indicators": [{"name": "開催回数", "unit": "回", "baseline": 0, "target": 24, "applies_to": "outputs"}]})
}

fn status_of(case: &Value) -> Status {
    let text = case["status"].as_str().expect("status");
    Status::ALL
        .into_iter()
        .find(|s| s.as_str() == text)
        .unwrap_or_else(|| panic!("unknown status {text}"))
}

/// What the partner will submit; [`CaseBuilder::to`] or
/// [`CaseBuilder::create`] submit it.
#[must_use]
pub struct CaseBuilder<'a> {
    app: &'a TestApp,
    body: Value,
}

impl TestApp {
    /// A case of the partner's organization, to be driven through the API.
    pub fn case(&self) -> CaseBuilder<'_> {
        let mut body = default_body();
        body["municipality_id"] = serde_json::json!(self.fixtures.zama);
        CaseBuilder { app: self, body }
    }
}

impl<'a> CaseBuilder<'a> {
    pub fn title(self, title: &str) -> Self {
        self.with(json!({ "title": title }))
    }

    /// Fields that replace those of the default submission.
    pub fn with(mut self, fields: Value) -> Self {
        for (field, value) in fields.as_object().expect("an object of fields") {
            self.body[field] = value.clone();
        }
        self
    }

    /// Submits the case as the partner (step 1, `received`).
    pub async fn create(self) -> Case<'a> {
        let created = json(
            self.app
                .post("/v1/proposals", Who::Partner, &self.body)
                .await,
            StatusCode::CREATED,
        )
        .await;
        Case {
            app: self.app,
            id: created["id"].as_str().expect("id").to_owned(),
            reference: created["reference"].as_str().expect("reference").to_owned(),
            status: status_of(&created),
            json: created,
            hearings: Vec::new(),
            lead_match: None,
            lead_accepted: false,
            logic_model: None,
            trip: None,
        }
    }

    /// Submits the case and drives it to `status` (see [`Case::to`]).
    pub async fn to(self, status: Status) -> Case<'a> {
        let mut case = self.create().await;
        case.to(status).await;
        case
    }
}

/// A hearing the case builder requested.
#[derive(Debug, Clone)]
pub struct Hearing {
    pub department: Who,
    pub id: String,
    pub answered: bool,
}

/// A case on its way through the workflow, and what was done to it.
pub struct Case<'a> {
    app: &'a TestApp,
    pub id: String,
    pub reference: String,
    pub status: Status,
    /// The case as the last step returned it (`case["status"]` reads it).
    pub json: Value,
    pub hearings: Vec<Hearing>,
    /// The lead match of [`Who::Department`], once proposed.
    pub lead_match: Option<String>,
    lead_accepted: bool,
    /// The last shared logic model version, as saved.
    pub logic_model: Option<Value>,
    /// The TRIP the decision created (adopted cases).
    pub trip: Option<Value>,
}

impl std::ops::Index<&str> for Case<'_> {
    type Output = Value;

    fn index(&self, field: &str) -> &Value {
        &self.json[field]
    }
}

impl Case<'_> {
    /// Drives the case forward to `target`: the main steps in order
    /// (received → … → awaiting_decision), the decision (`Adopted`,
    /// `NotAdopted`) after them, or straight to `Declined` (by the desk),
    /// `Withdrawn` (by the partner) or `OnHold` (by the desk).
    pub async fn to(&mut self, target: Status) -> &mut Self {
        match target {
            Status::Withdrawn => {
                self.move_as(Who::Partner, json!({"to": "withdrawn"}))
                    .await
            }
            Status::Declined => {
                self.move_as(Who::Desk, json!({"to": "declined", "reason": "優先度が低い", "note_for_proposer": "今回は見送らせてください"}))
                    .await
            }
            Status::OnHold => {
                self.move_as(
                    Who::Desk,
                    json!({"to": "on_hold", "reason": "提案者の社内調整待ち"}),
                )
                .await
            }
            Status::Adopted | Status::NotAdopted | Status::OpenProcurement => {
                self.advance(Status::AwaitingDecision).await;
                self.decide(target).await
            }
            step => self.advance(step).await,
        }
    }

    async fn advance(&mut self, target: Status) -> &mut Self {
        let position = |status: Status| STEPS.iter().position(|s| *s == status);
        let (Some(from), Some(to)) = (position(self.status), position(target)) else {
            panic!(
                "the case builder drives open cases along the main steps, not {} → {}",
                self.status.as_str(),
                target.as_str()
            )
        };
        assert!(
            from <= to,
            "a case does not go back: {} → {}",
            self.status.as_str(),
            target.as_str()
        );
        for step in &STEPS[from + 1..=to] {
            match step {
                Status::Hearing if self.hearings.is_empty() => {
                    self.request_hearing(Who::Department).await;
                }
                Status::LogicModel => {
                    if self.lead_match.is_none() {
                        self.propose_lead().await;
                    }
                    if !self.lead_accepted {
                        self.accept_lead().await;
                    }
                }
                Status::AwaitingDecision if self.logic_model.is_none() => {
                    self.save_logic_model(&logic_model("shared", "月2回の交流会"))
                        .await;
                }
                _ => {}
            }
            self.move_as(Who::Desk, json!({"to": step.as_str()})).await;
            if *step == Status::Hearing {
                let unanswered: Vec<Who> = self
                    .hearings
                    .iter()
                    .filter(|h| !h.answered)
                    .map(|h| h.department)
                    .collect();
                for department in unanswered {
                    self.answer_hearing(department).await;
                }
            }
        }
        self
    }

    /// A move that must succeed, with the current `If-Match`.
    pub async fn move_as(&mut self, who: Who, body: Value) -> &mut Self {
        let moved = json(
            self.app.transition(&self.id, who, body.clone()).await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(moved["status"], body["to"], "{moved}");
        self.status = status_of(&moved);
        self.json = moved;
        self
    }

    /// The desk requests a hearing of `department`'s department; returns its id.
    pub async fn request_hearing(&mut self, department: Who) -> String {
        let body =
            json!({"department_id": self.app.fixtures.department(department), "agenda": "確認"});
        let hearing = json(
            self.app
                .post(
                    &format!("/v1/proposals/{}/hearings", self.id),
                    Who::Desk,
                    &body,
                )
                .await,
            StatusCode::CREATED,
        )
        .await;
        let id = hearing["id"].as_str().expect("id").to_owned();
        self.hearings.push(Hearing {
            department,
            id: id.clone(),
            answered: false,
        });
        id
    }

    /// `department` answers its hearing: interested.
    pub async fn answer_hearing(&mut self, department: Who) {
        let app = self.app;
        let hearing = self
            .hearings
            .iter_mut()
            .find(|h| h.department == department)
            .unwrap_or_else(|| panic!("no hearing of {department:?}"));
        let answered = app
            .patch(
                &format!("/v1/hearings/{}", hearing.id),
                department,
                "*",
                &json!({"interest": "interested"}),
            )
            .await;
        json(answered, StatusCode::OK).await;
        hearing.answered = true;
    }

    /// The desk proposes 市民協働課 ([`Who::Department`]) as lead; returns the match id.
    pub async fn propose_lead(&mut self) -> String {
        let body = json!({"department_id": self.app.fixtures.shimin_kyodo, "role": "lead"});
        let proposed = json(
            self.app
                .post(
                    &format!("/v1/proposals/{}/matches", self.id),
                    Who::Desk,
                    &body,
                )
                .await,
            StatusCode::CREATED,
        )
        .await;
        let id = proposed["id"].as_str().expect("id").to_owned();
        self.lead_match = Some(id.clone());
        id
    }

    /// 市民協働課 accepts the lead match.
    pub async fn accept_lead(&mut self) {
        let id = self.lead_match.clone().expect("a proposed lead match");
        json(
            self.app
                .post(
                    &format!("/v1/matches/{id}/accept"),
                    Who::Department,
                    &json!({"reason": "所管として進める"}),
                )
                .await,
            StatusCode::OK,
        )
        .await;
        self.lead_accepted = true;
    }

    /// The desk saves a logic model version (201); returns it.
    pub async fn save_logic_model(&mut self, model: &Value) -> Value {
        let saved = json(
            self.app
                .put(
                    &format!("/v1/proposals/{}/logic-model", self.id),
                    Who::Desk,
                    model,
                )
                .await,
            StatusCode::CREATED,
        )
        .await;
        if saved["status"] == "shared" {
            self.logic_model = Some(saved.clone());
        }
        saved
    }

    /// The lead department decides `outcome` (adopted or not_adopted).
    pub async fn decide(&mut self, outcome: Status) -> &mut Self {
        let etag = self
            .app
            .etag(&format!("/v1/proposals/{}", self.id), Who::Desk)
            .await;
        let decided = self
            .app
            .request(
                Method::POST,
                &format!("/v1/proposals/{}/decision", self.id),
                Who::Department,
            )
            .header("If-Match", etag)
            .json(
                &json!({"outcome": outcome.as_str(), "reason": "予算と効果が見込める",
                "note_for_proposer": "共創プロジェクトとして進めます"}),
            )
            .send()
            .await
            .expect("decision");
        let mut decided = json(decided, StatusCode::OK).await;
        self.json = decided["proposal"].take();
        self.status = status_of(&self.json);
        assert_eq!(self.status, outcome, "{}", self.json);
        self.trip = Some(decided["trip"].take()).filter(|trip| !trip.is_null());
        self
    }

    /// The id of the TRIP an adoption created.
    pub fn trip_id(&self) -> String {
        self.trip
            .as_ref()
            .and_then(|trip| trip["id"].as_str())
            .expect("an adopted case has a TRIP")
            .to_owned()
    }
}
