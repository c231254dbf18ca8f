// The six steps of the desk workflow, walked through the client generated
// from openapi/openapi.json against the real server (tests/contract/serve.sh):
// every response is checked against the document by the validator middleware.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { randomUUID } from "node:crypto";
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import createClient from "openapi-fetch";
import type { Client } from "openapi-fetch";
import type { components, paths } from "../generated/schema.js";
import { ContractValidator } from "./validate.js";

type Schemas = components["schemas"];
type Api = Client<paths>;

function env(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === "") throw new Error(`${name} is not set (source tests/contract/serve.sh)`);
  return value;
}

const baseUrl = env("LG_BASE_URL");
const validator = new ContractValidator(
  process.env["LG_OPENAPI_DOCUMENT"] ?? resolve(process.cwd(), "../../openapi/openapi.json"),
);

/** A client for the document's paths, every response checked. */
function client(token?: string): Api {
  const api = createClient<paths>({
    baseUrl,
    headers: token === undefined ? {} : { Authorization: `Bearer ${token}` },
  });
  api.use(validator.middleware());
  return api;
}

/** The result of a call that must answer `status` with a body: the body. */
function expect<T>(result: { data?: T; error?: unknown; response: Response }, status: number): T {
  assert.equal(result.response.status, status, `${result.response.url}: ${JSON.stringify(result.error)}`);
  assert.ok(result.data !== undefined, `${result.response.url}: no body`);
  return result.data;
}

/** The problem of a call that must fail with `status`. */
function expectProblem(
  result: { data?: unknown; error?: Schemas["Problem"]; response: Response },
  status: number,
): Schemas["Problem"] {
  assert.equal(result.response.status, status, `${result.response.url}: ${JSON.stringify(result.data)}`);
  assert.ok(result.error !== undefined, `${result.response.url}: no problem body`);
  assert.equal(result.response.headers.get("content-type"), "application/problem+json");
  assert.equal(result.error.status, status);
  return result.error;
}

function etagOf(response: Response): string {
  const etag = response.headers.get("etag");
  assert.ok(etag !== null, `${response.url}: no ETag`);
  return etag;
}

/** The demo accounts: `role email password` per line, `#` comments. */
function credentials(): { role: string; email: string; password: string }[] {
  return readFileSync(env("LG_CREDENTIALS_FILE"), "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "" && !line.startsWith("#"))
    .map((line) => {
      const [role, email, password] = line.trim().split(/\s+/);
      assert.ok(role !== undefined && email !== undefined && password !== undefined, `bad line: ${line}`);
      return { role, email, password };
    });
}

async function login(email: string, password: string): Promise<string> {
  const pair = expect(await client().POST("/v1/auth/login", { body: { email, password } }), 200);
  assert.equal(pair.token_type, "Bearer");
  return pair.access_token;
}

interface Department {
  api: Api;
  department: Schemas["Department"];
}

let partner: Api;
let desk: Api;
const departments = new Map<string, Department>();

before(async () => {
  const accounts = credentials();
  const account = (role: string) => {
    const found = accounts.find((a) => a.role === role);
    assert.ok(found, `no ${role} account in the credentials file`);
    return found;
  };
  partner = client(await login(account("partner").email, account("partner").password));
  desk = client(await login(account("desk").email, account("desk").password));
  // The department accounts, by the code of their department (shimin-kyodo, chiiki-fukushi).
  for (const { email, password } of accounts.filter((a) => a.role === "department")) {
    const api = client(await login(email, password));
    const me = expect(await api.GET("/v1/me"), 200);
    assert.equal(me.role, "department");
    const departmentId = me.scope.department_id;
    assert.ok(departmentId, `${email} has no department`);
    const department = expect(await api.GET("/v1/departments/{id}", { params: { path: { id: departmentId } } }), 200);
    departments.set(department.code, { api, department });
  }
});

after(() => {
  const operations = [...new Set(validator.checked.map((c) => c.operationId))];
  console.log(`${validator.checked.length} responses checked against the document, ${operations.length} operations:`);
  console.log(`  ${operations.join(", ")}`);
});

function department(code: string): Department {
  const found = departments.get(code);
  assert.ok(found, `no demo account of the department ${code}`);
  return found;
}

/** The desk moves the case with the ETag it reads first. */
async function move(id: string, body: Schemas["TransitionRequest"]): Promise<Schemas["Proposal"]> {
  const read = await desk.GET("/v1/proposals/{id}", { params: { path: { id } } });
  expect(read, 200);
  const moved = expect(
    await desk.POST("/v1/proposals/{id}/transitions", {
      params: { path: { id }, header: { "If-Match": etagOf(read.response) } },
      body,
    }),
    200,
  );
  assert.equal(moved.status, body.to);
  return moved;
}

test("a proposal goes through the six steps to a TRIP with a measurement", async () => {
  const lead = department("shimin-kyodo");
  const other = department("chiiki-fukushi");

  // Step 1 (企業等提案受付): the partner submits to Zama; a retry with the same key is the same case.
  const cities = expect(await partner.GET("/v1/municipalities"), 200);
  const zama = cities.items.find((m) => m.code === "142166");
  assert.ok(zama, "the reference data has Zama");
  const submission: Schemas["CreateProposal"] = {
    municipality_id: zama.id,
    kind: "proposal",
    title: "空き店舗を活用した多世代の居場所づくり",
    summary: "駅前の空き店舗で、高齢者と子育て世代が交流できる場を開く。",
    themes: ["community_support"],
    sdg_goals: [11, 3],
    policy_areas: ["地域共生"],
    channel: "web",
  };
  const key = randomUUID();
  const created = expect(
    await partner.POST("/v1/proposals", { params: { header: { "Idempotency-Key": key } }, body: submission }),
    201,
  );
  assert.equal(created.status, "received");
  assert.match(created.reference, /^ZLG-\d{4}-\d{4}$/);
  const retried = expect(
    await partner.POST("/v1/proposals", { params: { header: { "Idempotency-Key": key } }, body: submission }),
    201,
  );
  assert.equal(retried.id, created.id);
  const id = created.id;
  const path = { params: { path: { id } } };

  // A department not (yet) part of the case does not see it.
  expectProblem(await lead.api.GET("/v1/proposals/{id}", path), 404);

  // Step 2 (内容整理): the desk organises the content.
  await move(id, { to: "organizing", note_for_proposer: "内容を確認しています" });

  // Step 3 (関係課ヒアリング): a hearing requested of 市民協働課, answered by it.
  const requested = expect(
    await desk.POST("/v1/proposals/{id}/hearings", {
      ...path,
      body: { department_id: lead.department.id, proposed_dates: ["2026-12-10"], agenda: "既存事業との重なり" },
    }),
    201,
  );
  assert.equal(requested.status, "requested");
  const hearingStep = await move(id, { to: "hearing", reason: "市民協働課にヒアリング" });
  assert.ok(hearingStep.coordination_started_at, "the hearing request started internal coordination");
  const own = expect(await lead.api.GET("/v1/proposals/{id}/hearings", path), 200);
  assert.deepEqual(own.map((h) => h.id), [requested.id]);
  expectProblem(await other.api.GET("/v1/proposals/{id}/hearings", path), 404);
  const hearing = await lead.api.GET("/v1/hearings/{id}", { params: { path: { id: requested.id } } });
  expect(hearing, 200);
  const answered = expect(
    await lead.api.PATCH("/v1/hearings/{id}", {
      params: { path: { id: requested.id }, header: { "If-Match": etagOf(hearing.response) } },
      body: { held_on: "2026-12-10", participants: ["市民協働課 主査"], interest: "interested", notes: "サロン事業と連携できる" },
    }),
    200,
  );
  assert.equal(answered.status, "answered");
  assert.equal(answered.interest, "interested");

  // Step 4 (マッチング・調整): 市民協働課 proposed as lead, and it accepts.
  await move(id, { to: "matching" });
  const proposed = expect(
    await desk.POST("/v1/proposals/{id}/matches", {
      ...path,
      body: { department_id: lead.department.id, role: "lead", note: "居場所づくり事業の所管として" },
    }),
    201,
  );
  assert.equal(proposed.status, "proposed");
  const accepted = expect(
    await lead.api.POST("/v1/matches/{id}/accept", {
      params: { path: { id: proposed.id } },
      body: { reason: "所管として進める" },
    }),
    200,
  );
  assert.equal(accepted.status, "accepted");
  const matches = expect(await desk.GET("/v1/proposals/{id}/matches", path), 200);
  assert.deepEqual(matches.map((m) => [m.department_id, m.status]), [[lead.department.id, "accepted"]]);

  // Step 5 (試行ロジックモデル作成): the desk shares a logic model with one indicator.
  await move(id, { to: "logic_model" });
  const model = expect(
    await desk.PUT("/v1/proposals/{id}/logic-model", {
      ...path,
      body: {
        status: "shared",
        inputs: ["空き店舗（駅前）"],
        activities: ["月2回の多世代交流会"],
        outputs: ["交流会の開催回数"],
        short_term_outcomes: ["参加者の孤立感の低下"],
        mid_term_outcomes: ["地域の見守りネットワークの拡大"],
        impact: ["誰もが居場所のある地域"],
        indicators: [{ name: "交流会の開催回数", unit: "回", baseline: 0, target: 24, applies_to: "outputs" }],
      },
    }),
    201,
  );
  assert.equal(model.version, 1);
  const indicator = model.indicators[0];
  assert.ok(indicator, "the saved model has its indicator");
  // JSON unless `format` asks for CSV or Markdown: the client types the body as either.
  const latest = expect(await lead.api.GET("/v1/proposals/{id}/logic-model", path), 200);
  assert.ok(typeof latest !== "string", "JSON by default");
  assert.equal(latest.version, 1);
  assert.deepEqual(latest.indicators.map((i) => i.id), [indicator.id]);
  await move(id, { to: "awaiting_decision" });

  // Step 6 (案件化判断): the decision is the lead department's, never the desk's.
  const read = await lead.api.GET("/v1/proposals/{id}", path);
  const etag = etagOf(read.response);
  assert.equal(expect(read, 200).status, "awaiting_decision");
  const decision: Schemas["DecisionRequest"] = {
    outcome: "adopted",
    reason: "予算と効果が見込める",
    note_for_proposer: "共創プロジェクトとして進めます",
  };
  // The desk is never the lead department: 409, as for a department that is not the lead.
  expectProblem(
    await desk.POST("/v1/proposals/{id}/decision", { params: { path: { id }, header: { "If-Match": etag } }, body: decision }),
    409,
  );
  expectProblem(
    await lead.api.POST("/v1/proposals/{id}/decision", {
      params: { path: { id }, header: { "If-Match": '"0"' } },
      body: decision,
    }),
    412,
  );
  const decided = expect(
    await lead.api.POST("/v1/proposals/{id}/decision", { params: { path: { id }, header: { "If-Match": etag } }, body: decision }),
    200,
  );
  assert.equal(decided.proposal.status, "adopted");
  assert.equal(decided.proposal.lead_department_id, lead.department.id);
  const created_trip = decided.trip;
  assert.ok(created_trip, "an adoption creates a TRIP");

  // The TRIP exists, and its lead department records a measurement on it,
  // dated today in Japan (not before the TRIP starts, never in the future).
  const todayInJapan = new Date(Date.now() + 9 * 3600 * 1000).toISOString().slice(0, 10);
  const trip = expect(await lead.api.GET("/v1/trips/{id}", { params: { path: { id: created_trip.id } } }), 200);
  assert.equal(trip.proposal_id, id);
  assert.equal(trip.lead_department_id, lead.department.id);
  const measurement = expect(
    await lead.api.POST("/v1/trips/{id}/measurements", {
      params: { path: { id: trip.id } },
      body: { indicator_id: indicator.id, value: 2, measured_on: todayInJapan, note: "初回と2回目" },
    }),
    201,
  );
  assert.equal(measurement.value, 2);
  const measurements = expect(await desk.GET("/v1/trips/{id}/measurements", { params: { path: { id: trip.id } } }), 200);
  assert.deepEqual(measurements.map((m) => m.id), [measurement.id]);

  // The proposer sees the outcome.
  const seen = expect(await partner.GET("/v1/proposals/{id}", path), 200);
  assert.equal(seen.status, "adopted");
});
