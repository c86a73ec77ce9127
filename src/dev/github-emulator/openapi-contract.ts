// The contract check: matches each request to an operation of GitHub's published OpenAPI description
// (@octokit/openapi) and validates its path, query and JSON body with ajv; what does not fit is a violation.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

/** Which description to hold requests to: api.github.com (default), or a GitHub Enterprise Server release. */
export type OpenApiDescription = 'api.github.com' | 'ghes-3.17' | 'ghes-3.18' | 'ghes-3.19';

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: Record<string, unknown>;
  'x-multi-segment'?: boolean;
}

interface Operation {
  operationId: string;
  parameters?: (Parameter | { $ref: string })[];
  requestBody?: {
    required?: boolean;
    content?: Record<string, { schema?: Record<string, unknown> }>;
  };
}

interface Spec {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown>; parameters: Record<string, Parameter> };
}

export interface MatchedOperation {
  operationId: string;
  template: string;
  params: Record<string, string>;
}

export type ContractProblem =
  | { kind: 'unknown-route'; message: string }
  | { kind: 'invalid-params'; message: string; operationId: string }
  | { kind: 'invalid-body'; message: string; operationId: string };

export type ContractResult =
  | { ok: true; operation: MatchedOperation }
  | { ok: false; problem: ContractProblem; operation?: MatchedOperation };

interface Route {
  template: string;
  method: string;
  regex: RegExp;
  names: string[];
  literals: number;
  operation: Operation;
}

const METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'head']);
const COMPONENTS_ID = 'https://claw.invalid/github-components.json';
const require = createRequire(import.meta.url);
const loaded = new Map<OpenApiDescription, Promise<OpenApiContract>>();

// ajv-formats ships CommonJS with a default export that ESM sees as the module object.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule })
  .default ?? addFormatsModule) as unknown as (ajv: Ajv) => Ajv;

export class OpenApiContract {
  private readonly routes: Route[] = [];
  private readonly ajv: Ajv;
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly parameters: Record<string, Parameter>;

  constructor(
    readonly description: OpenApiDescription,
    spec: Spec,
  ) {
    this.parameters = spec.components.parameters;
    this.ajv = new Ajv({
      strict: false,
      allErrors: true,
      coerceTypes: false,
      logger: false,
      validateFormats: true,
    });
    addFormats(this.ajv);
    // Component schemas refer to each other as #/components/schemas/x; they are registered under one id.
    const schemas = JSON.parse(
      JSON.stringify(spec.components.schemas).replaceAll(
        '"#/components/schemas/',
        `"${COMPONENTS_ID}#/$defs/`,
      ),
    ) as Record<string, unknown>;
    this.ajv.addSchema({ $id: COMPONENTS_ID, $defs: schemas });
    for (const [template, methods] of Object.entries(spec.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        if (!METHODS.has(method)) continue;
        const names: string[] = [];
        const params = this.resolveParameters(operation);
        let literals = 0;
        const pattern = template
          .split('/')
          .map((segment) => {
            const name = /^\{([^}]+)\}$/.exec(segment)?.[1];
            if (name === undefined) {
              literals += 1;
              return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
            }
            names.push(name);
            const multi = params.find((p) => p.name === name)?.['x-multi-segment'] === true;
            return multi ? '(.+)' : '([^/]+)';
          })
          .join('/');
        this.routes.push({
          template,
          method: method.toUpperCase(),
          regex: new RegExp(`^${pattern}$`),
          names,
          literals,
          operation,
        });
      }
    }
    // Literal segments win over parameters: /issues/comments before /issues/{issue_number}.
    this.routes.sort((a, b) => b.literals - a.literals || a.names.length - b.names.length);
  }

  private resolveParameters(operation: Operation): Parameter[] {
    return (operation.parameters ?? []).map((p) => {
      if ('$ref' in p) {
        const resolved = this.parameters[p.$ref.replace('#/components/parameters/', '')];
        if (resolved === undefined) throw new Error(`unresolvable parameter ${p.$ref}`);
        return resolved;
      }
      return p;
    });
  }

  /** Finds the operation for a request path (below /api/v3) and method. */
  match(method: string, path: string): MatchedOperation | undefined {
    for (const route of this.routes) {
      if (route.method !== method.toUpperCase()) continue;
      const found = route.regex.exec(path);
      if (found === null) continue;
      const params: Record<string, string> = {};
      route.names.forEach((name, i) => {
        params[name] = safeDecode(found[i + 1] as string);
      });
      return { operationId: route.operation.operationId, template: route.template, params };
    }
    return undefined;
  }

  /** Checks one request; `body` is the parsed JSON body or undefined when there was none. */
  check(method: string, path: string, query: URLSearchParams, body: unknown): ContractResult {
    const operation = this.match(method, path);
    if (operation === undefined) {
      const other = this.routes.find((r) => r.regex.test(path));
      const message =
        other === undefined
          ? `${method} ${path} is not an endpoint of the GitHub REST API (${this.description})`
          : `${method} is not allowed on ${other.template} (${this.description})`;
      return { ok: false, problem: { kind: 'unknown-route', message } };
    }
    const route = this.routes.find(
      (r) => r.operation.operationId === operation.operationId,
    ) as Route;
    const errors: string[] = [];
    for (const param of this.resolveParameters(route.operation)) {
      if (param.in !== 'path' && param.in !== 'query') continue;
      const raw =
        param.in === 'path' ? operation.params[param.name] : (query.get(param.name) ?? undefined);
      if (raw === undefined) {
        if (param.required === true)
          errors.push(`missing required ${param.in} parameter "${param.name}"`);
        continue;
      }
      const problem = this.checkParameter(operation.operationId, param, raw);
      if (problem !== undefined) errors.push(problem);
    }
    if (errors.length > 0) {
      return {
        ok: false,
        operation,
        problem: {
          kind: 'invalid-params',
          operationId: operation.operationId,
          message: errors.join('; '),
        },
      };
    }
    const bodySpec = route.operation.requestBody;
    const schema = bodySpec?.content?.['application/json']?.schema;
    if (body === undefined) {
      if (bodySpec?.required === true && schema !== undefined) {
        return {
          ok: false,
          operation,
          problem: {
            kind: 'invalid-body',
            operationId: operation.operationId,
            message: 'a JSON body is required',
          },
        };
      }
      return { ok: true, operation };
    }
    if (schema === undefined) return { ok: true, operation };
    const validate = this.validator(`${operation.operationId}#body`, schema);
    if (!validate(body)) {
      return {
        ok: false,
        operation,
        problem: {
          kind: 'invalid-body',
          operationId: operation.operationId,
          message: this.ajv.errorsText(validate.errors, { dataVar: 'body' }),
        },
      };
    }
    return { ok: true, operation };
  }

  private checkParameter(operationId: string, param: Parameter, raw: string): string | undefined {
    const schema = param.schema ?? {};
    const value = coerce(raw, schema);
    if (value === undefined)
      return `${param.in} parameter "${param.name}" must be ${String(schema.type)}, got ${JSON.stringify(raw)}`;
    const validate = this.validator(`${operationId}#${param.in}.${param.name}`, schema);
    if (validate(value)) return undefined;
    return `${param.in} parameter "${param.name}": ${this.ajv.errorsText(validate.errors, { dataVar: param.name })}`;
  }

  private validator(key: string, schema: Record<string, unknown>): ValidateFunction {
    let validate = this.validators.get(key);
    if (validate === undefined) {
      const linked = JSON.parse(
        JSON.stringify(schema).replaceAll('"#/components/schemas/', `"${COMPONENTS_ID}#/$defs/`),
      ) as Record<string, unknown>;
      validate = this.ajv.compile(typelessNullable(linked) as Record<string, unknown>);
      this.validators.set(key, validate);
    }
    return validate;
  }
}

/**
 * OpenAPI 3.0's `nullable` without a `type` beside it (POST /repos/{owner}/{repo}/issues' `milestone`, a oneOf)
 * means "this, or null"; ajv refuses the keyword there, so it becomes an explicit anyOf with null.
 */
function typelessNullable(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(typelessNullable);
  if (typeof schema !== 'object' || schema === null) return schema;
  const entries = Object.entries(schema).map(([key, value]) => [key, typelessNullable(value)]);
  const node = Object.fromEntries(entries) as Record<string, unknown>;
  if (node.nullable !== true || 'type' in node) return node;
  const { nullable: _nullable, description, ...rest } = node;
  return { ...(description === undefined ? {} : { description }), anyOf: [rest, { type: 'null' }] };
}

/** Query and path values arrive as strings; numbers and booleans are converted as the schema says. */
function coerce(raw: string, schema: Record<string, unknown>): unknown {
  switch (schema.type) {
    case 'integer':
      return /^-?\d+$/.test(raw) ? Number(raw) : undefined;
    case 'number':
      return raw.trim() !== '' && Number.isFinite(Number(raw)) ? Number(raw) : undefined;
    case 'boolean':
      return raw === 'true' ? true : raw === 'false' ? false : undefined;
    case 'array':
      return raw.split(',');
    default:
      return raw;
  }
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Loads (once per process) and indexes one of GitHub's OpenAPI descriptions. */
export function loadOpenApiContract(
  description: OpenApiDescription = 'api.github.com',
): Promise<OpenApiContract> {
  let contract = loaded.get(description);
  if (contract === undefined) {
    contract = (async () => {
      let file: string;
      try {
        file = require.resolve(`@octokit/openapi/generated/${description}.json`);
      } catch (error) {
        throw new Error(
          'The GitHub emulator needs the devDependency @octokit/openapi: run `npm install` in the Claw checkout.',
          { cause: error },
        );
      }
      return new OpenApiContract(description, JSON.parse(await readFile(file, 'utf8')) as Spec);
    })();
    loaded.set(description, contract);
  }
  return contract;
}
