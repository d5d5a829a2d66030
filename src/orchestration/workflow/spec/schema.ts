/**
 * The JSON Schema (draft 2020-12) of a workflow spec: the one source of truth
 * for its shape. docs/workflow-spec.schema.json is a copy, kept equal by a
 * unit test. What a schema cannot say (unknown steps, cycles, expressions) is
 * checked in parse.ts.
 */
import { Ajv2020 } from 'ajv/dist/2020.js'
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js'
import {
  MAX_ARG_BYTES, MAX_ARGS, MAX_ENV_ENTRIES, MAX_ENV_NAME_BYTES, MAX_ENV_VALUE_BYTES, MAX_FILE_PATH_BYTES,
  MAX_FUEL, MAX_TASK_FILES, MAX_TIMEOUT_MS, MIN_TIMEOUT_MS
} from '../../../core/limits.ts'
import {
  FORBIDDEN_KEYS, MAX_BACKOFF_FACTOR, MAX_BACKOFF_MS, MAX_EXIT_CODES, MAX_EXPRESSION_LENGTH, MAX_FAN_OUT_ITEMS, MAX_NAME_LENGTH,
  MAX_RETRY_LIMIT, MAX_STEPS, MAX_WORKFLOW_INPUTS, MAX_WORKFLOW_OUTPUTS, RESERVED_NAMES, TEMPLATE_CLOSE, TEMPLATE_OPEN,
  WORKFLOW_SPEC_VERSION
} from './constants.ts'
import { CONTEXT_SCHEMA_JSON_SCHEMA } from '../context/schema.ts'

const MAX_DESCRIPTION_LENGTH = 1024
const MAX_TEMPLATE_LENGTH = 4096
/** Longest `agent:` ref: a 64-character name, `@` and a version range. */
const MAX_AGENT_REF_LENGTH = 128

const expression = { type: 'string', minLength: 1, maxLength: MAX_EXPRESSION_LENGTH }

/** The schema, as plain JSON (it is also what docs/workflow-spec.schema.json holds). */
export const WORKFLOW_SPEC_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'urn:zerostate:workflow-spec:1',
  title: 'ZeroState workflow spec',
  description: 'A DAG of WASI tasks; see docs/workflow-spec.md.',
  type: 'object',
  additionalProperties: false,
  required: ['version', 'dag'],
  properties: {
    version: { const: WORKFLOW_SPEC_VERSION },
    name: { $ref: '#/$defs/name' },
    description: { type: 'string', maxLength: MAX_DESCRIPTION_LENGTH },
    inputs: {
      type: 'object',
      maxProperties: MAX_WORKFLOW_INPUTS,
      propertyNames: { $ref: '#/$defs/name' },
      additionalProperties: { $ref: '#/$defs/input' }
    },
    outputs: {
      type: 'object',
      maxProperties: MAX_WORKFLOW_OUTPUTS,
      propertyNames: { $ref: '#/$defs/name' },
      additionalProperties: { $ref: '#/$defs/template' }
    },
    context: CONTEXT_SCHEMA_JSON_SCHEMA,
    dag: {
      type: 'object',
      additionalProperties: false,
      required: ['tasks'],
      properties: {
        tasks: { type: 'array', minItems: 1, maxItems: MAX_STEPS, items: { $ref: '#/$defs/step' } }
      }
    }
  },
  $defs: {
    name: {
      description: "a name of letters, digits, '_' and '-' that starts with a letter or '_'",
      type: 'string',
      pattern: `^[A-Za-z_][A-Za-z0-9_-]{0,${MAX_NAME_LENGTH - 1}}$`,
      not: { enum: [...RESERVED_NAMES, ...FORBIDDEN_KEYS] }
    },
    template: {
      description: `text with ${TEMPLATE_OPEN} … ${TEMPLATE_CLOSE} references`,
      type: 'string',
      maxLength: MAX_TEMPLATE_LENGTH
    },
    input: {
      type: 'object',
      additionalProperties: false,
      required: ['type'],
      properties: {
        type: { enum: ['text', 'bytes', 'files', 'json'] },
        description: { type: 'string', maxLength: MAX_DESCRIPTION_LENGTH }
      }
    },
    step: {
      type: 'object',
      additionalProperties: false,
      required: ['name'],
      properties: {
        name: { $ref: '#/$defs/name' },
        module: {
          description: 'a sample id (lang-detect) or sha256:<64 lowercase hex digits>',
          type: 'string',
          pattern: '^(?:sha256:[0-9a-f]{64}|[a-z0-9][a-z0-9._-]{0,63})$'
        },
        agent: {
          description: 'a published agent, name@version or name@range (sentiment@^1.2); instead of module',
          type: 'string',
          maxLength: MAX_AGENT_REF_LENGTH,
          pattern: '^[a-z0-9][a-z0-9-]{0,63}(?:@[^\\s@]+)?$'
        },
        context: {
          description: 'how the step uses the shared context: read (/work/context.json), write (/work/context-updates.json) or read-write',
          enum: ['read', 'write', 'read-write']
        },
        args: {
          type: 'array',
          maxItems: MAX_ARGS,
          items: { type: 'string', maxLength: MAX_ARG_BYTES }
        },
        env: {
          type: 'object',
          maxProperties: MAX_ENV_ENTRIES,
          propertyNames: {
            description: "an environment variable name of letters, digits and '_'",
            type: 'string',
            pattern: `^[A-Za-z_][A-Za-z0-9_]{0,${MAX_ENV_NAME_BYTES - 1}}$`
          },
          additionalProperties: { type: 'string', maxLength: MAX_ENV_VALUE_BYTES, not: { pattern: '\\$\\{\\{' } }
        },
        stdin: { $ref: '#/$defs/template' },
        files: {
          type: 'object',
          maxProperties: MAX_TASK_FILES,
          propertyNames: {
            description: "a relative path of letters, digits, '.', '_' and '-', without '.' or '..' segments",
            type: 'string',
            maxLength: MAX_FILE_PATH_BYTES,
            pattern: '^(?!\\.\\.?(?:/|$))(?!.*/\\.\\.?(?:/|$))[A-Za-z0-9._-]+(?:/[A-Za-z0-9._-]+)*$'
          },
          additionalProperties: { $ref: '#/$defs/template' }
        },
        depends: expression,
        dependencies: { type: 'array', maxItems: MAX_STEPS, uniqueItems: true, items: { $ref: '#/$defs/name' } },
        when: expression,
        forEach: {
          description: 'a list of items, or a reference to an array (steps.split.json.chunks), to the items of a fan-out step (steps.crop.items) or to a files input (inputs.photos)',
          type: ['array', 'string'],
          minItems: 1,
          maxItems: MAX_FAN_OUT_ITEMS,
          minLength: 1,
          maxLength: MAX_EXPRESSION_LENGTH
        },
        retry: {
          type: 'object',
          additionalProperties: false,
          required: ['limit'],
          properties: {
            limit: { type: 'integer', minimum: 0, maximum: MAX_RETRY_LIMIT },
            backoff: {
              type: 'object',
              additionalProperties: false,
              properties: {
                initialMs: { type: 'integer', minimum: 0, maximum: MAX_BACKOFF_MS },
                factor: { type: 'number', minimum: 1, maximum: MAX_BACKOFF_FACTOR },
                maxMs: { type: 'integer', minimum: 0, maximum: MAX_BACKOFF_MS }
              }
            }
          }
        },
        timeoutMs: { type: 'integer', minimum: MIN_TIMEOUT_MS, maximum: MAX_TIMEOUT_MS },
        fuel: { type: 'integer', minimum: 1, maximum: MAX_FUEL },
        exitCodes: {
          description: 'Exit codes that count as success (default [0]): a validator that exits 1 on an invalid document still hands its report on.',
          type: 'array', minItems: 1, maxItems: MAX_EXIT_CODES, uniqueItems: true, items: { type: 'integer', minimum: 0, maximum: 255 }
        },
        memoize: { type: 'boolean', default: true }
      }
    }
  }
} as const

/** A schema violation, before positions are added. */
export interface SchemaProblem {
  path: string
  message: string
  /** The problem is with a property's name: point at the key, not its value. */
  key?: boolean
}

let compiled: ValidateFunction | undefined

function validator (): ValidateFunction {
  // Compiled on first use, once: ajv builds the validator's code at run time.
  compiled ??= new Ajv2020({ allErrors: true, allowUnionTypes: true, useDefaults: true, verbose: true })
    .compile(WORKFLOW_SPEC_SCHEMA)
  return compiled
}

const escapePointer = (key: string): string => key.replace(/~/g, '~0').replace(/\//g, '~1')

function describeValue (value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value)
}

function toProblem (error: ErrorObject): SchemaProblem | undefined {
  const params = error.params as Record<string, unknown>
  const propertyName = (error as ErrorObject & { propertyName?: string }).propertyName
  const key = propertyName !== undefined
  const path = key ? `${error.instancePath}/${escapePointer(propertyName)}` : error.instancePath
  const description = (error.parentSchema as { description?: string } | undefined)?.description
  switch (error.keyword) {
    // Reported again, more precisely, by the keyword that failed inside it.
    case 'propertyNames': return undefined
    case 'required': return { path: `${path}/${escapePointer(String(params.missingProperty))}`, message: 'is required' }
    case 'additionalProperties': return { path: `${path}/${escapePointer(String(params.additionalProperty))}`, message: 'is not a known property', key: true }
    case 'type': return { path, message: `must be ${String(params.type).split(',').join(' or ')}` }
    case 'enum': return { path, message: `must be one of ${(error.schema as unknown[]).map(describeValue).join(', ')}` }
    case 'const': return { path, message: `must be ${describeValue(params.allowedValue)}` }
    case 'pattern': return { path, key, message: `must be ${description ?? `text matching ${String(params.pattern)}`}` }
    case 'not': return 'enum' in (error.schema as object)
      ? { path, key, message: `${describeValue(error.data)} is reserved` }
      : { path, message: `cannot hold ${TEMPLATE_OPEN} … ${TEMPLATE_CLOSE} templates` }
    default: return { path, key, message: error.message ?? `fails ${error.keyword}` }
  }
}

/**
 * Checks `value` against the schema, reporting every violation; fills in
 * defaults (`memoize: true`) as it goes.
 */
export function validateAgainstSchema (value: unknown): SchemaProblem[] {
  const validate = validator()
  if (validate(value)) return []
  const problems: SchemaProblem[] = []
  const seen = new Set<string>()
  for (const error of validate.errors ?? []) {
    const problem = toProblem(error)
    if (problem === undefined) continue
    const key = `${problem.path}\n${problem.message}`
    if (seen.has(key)) continue
    seen.add(key)
    problems.push(problem)
  }
  return problems
}
