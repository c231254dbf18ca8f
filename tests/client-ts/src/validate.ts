// An openapi-fetch middleware that checks every response against the
// checked-in OpenAPI document: the status must be documented for the
// operation, the content type must be one the document gives for that status,
// and a JSON body must satisfy that content's schema (JSON Schema 2020-12, as
// OpenAPI 3.1 says; `$ref: '#/components/schemas/X'` resolves inside the
// document, which is loaded whole).
import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import type { ErrorObject, ValidateFunction } from "ajv/dist/2020.js";
import formats from "ajv-formats";
import type { Middleware } from "openapi-fetch";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const DOCUMENT_ID = "https://living-gate.example/openapi.json";
const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/** A response the document does not describe. */
export class ContractViolation extends Error {
  override name = "ContractViolation";
}

/** What the validator saw: one line per checked response. */
export interface Checked {
  operationId: string;
  method: string;
  path: string;
  status: number;
  contentType: string | null;
}

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function pointerToken(token: string): string {
  return token.replaceAll("~", "~0").replaceAll("/", "~1");
}

/** The media type without parameters (`application/json; charset=utf-8` → `application/json`). */
function mediaType(header: string | null): string | null {
  if (header === null) return null;
  const type = header.split(";")[0]?.trim().toLowerCase();
  return type === undefined || type === "" ? null : type;
}

export class ContractValidator {
  readonly checked: Checked[] = [];
  private readonly document: JsonObject;
  private readonly ajv: Ajv2020;
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(documentPath: string) {
    const parsed: Json = JSON.parse(readFileSync(documentPath, "utf8"));
    if (!isObject(parsed) || parsed["openapi"] !== "3.1.0") {
      throw new Error(`${documentPath} is not an OpenAPI 3.1 document`);
    }
    this.document = parsed;
    // Strict: a keyword or format Ajv does not know is an error, except the
    // OpenAPI members around the schemas and the OpenAPI schema keywords.
    this.ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false });
    formats.default(this.ajv);
    for (const keyword of ["openapi", "info", "servers", "paths", "components", "tags", "webhooks",
      "security", "externalDocs", "jsonSchemaDialect", "example", "discriminator", "xml"]) {
      this.ajv.addKeyword({ keyword });
    }
    this.ajv.addSchema({ ...parsed, $id: DOCUMENT_ID });
  }

  /** The operation object for a method and a path template of the document. */
  private operation(method: string, schemaPath: string): JsonObject {
    const paths = this.document["paths"];
    const item = isObject(paths) ? paths[schemaPath] : undefined;
    const operation = isObject(item) ? item[method] : undefined;
    if (!METHODS.includes(method) || !isObject(operation)) {
      throw new ContractViolation(`${method.toUpperCase()} ${schemaPath} is not in the document`);
    }
    return operation;
  }

  /** The object at a JSON pointer of the document, following a `$ref` there, and its pointer. */
  private resolve(pointer: string, depth = 0): [JsonObject, string] | undefined {
    let node: Json | undefined = this.document;
    for (const token of pointer.split("/").slice(1)) {
      const name = token.replaceAll("~1", "/").replaceAll("~0", "~");
      node = isObject(node) ? node[name] : undefined;
    }
    if (!isObject(node)) return undefined;
    const ref = node["$ref"];
    if (typeof ref === "string" && depth < 10) {
      if (!ref.startsWith("#/")) throw new Error(`${pointer}: only local $refs are followed, not ${ref}`);
      return this.resolve(ref.slice(1), depth + 1);
    }
    return [node, pointer];
  }

  private validator(pointer: string): ValidateFunction {
    let validate = this.validators.get(pointer);
    if (validate === undefined) {
      validate = this.ajv.getSchema(`${DOCUMENT_ID}#${pointer}`);
      if (validate === undefined) throw new Error(`no schema at ${pointer}`);
      this.validators.set(pointer, validate);
    }
    return validate;
  }

  /** Checks one response; throws a ContractViolation naming what is wrong. */
  async check(method: string, schemaPath: string, response: Response): Promise<void> {
    method = method.toLowerCase();
    const operation = this.operation(method, schemaPath);
    const operationId = typeof operation["operationId"] === "string" ? operation["operationId"] : "?";
    const where = `${operationId} (${method.toUpperCase()} ${schemaPath}) → ${response.status}`;
    const responses = operation["responses"];
    const status = String(response.status);
    const key = isObject(responses) && status in responses ? status : "default";
    const found = this.resolve(
      ["", "paths", schemaPath, method, "responses", key].map(pointerToken).join("/"),
    );
    if (found === undefined) {
      const body = await response.clone().text();
      throw new ContractViolation(`${where}: status not documented; body: ${body.slice(0, 500)}`);
    }
    const [documented, responsePointer] = found;
    const contentType = mediaType(response.headers.get("content-type"));
    this.checked.push({ operationId, method, path: schemaPath, status: response.status, contentType });
    const content = documented["content"];
    const text = await response.clone().text();
    if (!isObject(content) || Object.keys(content).length === 0) {
      if (text !== "") throw new ContractViolation(`${where}: the document gives no body, got ${contentType}: ${text.slice(0, 200)}`);
      return;
    }
    if (contentType === null || !isObject(content[contentType])) {
      throw new ContractViolation(
        `${where}: content type ${contentType} not documented (documented: ${Object.keys(content).join(", ")})`,
      );
    }
    const headers = documented["headers"];
    if (isObject(headers)) {
      for (const name of Object.keys(headers)) {
        if (response.headers.get(name) === null) {
          throw new ContractViolation(`${where}: documented header ${name} is missing`);
        }
      }
    }
    if (!contentType.endsWith("json")) return;
    const media = content[contentType];
    if (!isObject(media) || !isObject(media["schema"])) return;
    const validate = this.validator(`${responsePointer}/content/${pointerToken(contentType)}/schema`);
    const body: Json = JSON.parse(text);
    if (!validate(body)) {
      const errors = (validate.errors ?? []).map((e: ErrorObject) => `  ${e.instancePath || "/"} ${e.message ?? ""} (${e.schemaPath})`);
      throw new ContractViolation(`${where}: the body does not satisfy its schema:\n${errors.join("\n")}\nbody: ${text.slice(0, 2000)}`);
    }
  }

  /** The openapi-fetch middleware: every response is checked before the caller sees it. */
  middleware(): Middleware {
    return {
      onResponse: async ({ request, schemaPath, response }) => {
        await this.check(request.method, schemaPath, response);
        return undefined;
      },
    };
  }
}
