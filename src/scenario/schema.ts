/**
 * The JSON schema of scenario files (checked with ajv after YAML parsing).
 * It checks shapes; values with units, programs, expectations and names are
 * checked by the loader, which knows the lines they came from.
 */
import { TRUST_SCHEMA } from './load-trust.js';

const duration = { type: ['string', 'integer'], description: 'a duration: 10s, 2.5ms, 500us, 100ns' };
export const GROUP_PATH_PATTERN = '^/([^/\\s]+(/[^/\\s]+)*)?$';
const groupPath = { type: 'string', pattern: GROUP_PATH_PATTERN };
const fileValue = { type: ['string', 'number', 'boolean'] };
const policy = { enum: ['fair', 'rr', 'fifo'] };
const name = { type: 'string', pattern: '^[A-Za-z0-9_.@:+-]+$', maxLength: 64 };

const taskProps = {
  name,
  group: groupPath,
  program: { type: 'string', minLength: 1 },
  rtapp: { type: 'string', minLength: 1 },
  count: { type: 'integer', minimum: 1, maximum: 4096 },
  nice: { type: 'integer', minimum: -20, maximum: 19 },
  cpus: {
    anyOf: [
      { type: 'array', items: { type: 'integer', minimum: 0, maximum: 8191 }, minItems: 1 },
      { type: 'string', minLength: 1 },
      { type: 'integer', minimum: 0, maximum: 8191 },
    ],
  },
} as const;

const task = {
  type: 'object',
  properties: taskProps,
  additionalProperties: false,
  not: { required: ['program', 'rtapp'] },
} as const;

const timelineItem = {
  type: 'object',
  required: ['at'],
  properties: {
    at: duration,
    write: { type: 'object', minProperties: 1, additionalProperties: fileValue },
    move: {
      type: 'object', required: ['task', 'to'], additionalProperties: false,
      properties: { task: name, to: groupPath },
    },
    spawn: task,
    kill: {
      type: 'object', required: ['task'], additionalProperties: false,
      properties: { task: name, signal: { type: ['string', 'integer'] } },
    },
    freeze: groupPath,
    thaw: groupPath,
    policy: { type: 'object', minProperties: 1, maxProperties: 1, additionalProperties: policy },
  },
  additionalProperties: false,
  minProperties: 2,
  maxProperties: 2,
} as const;

const expectation = {
  anyOf: [
    { type: 'string', minLength: 1 },
    { type: 'object', minProperties: 1, maxProperties: 1, additionalProperties: { type: ['string', 'number'] } },
  ],
} as const;

export const SCENARIO_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    name,
    description: { type: 'string' },
    machine: {
      type: 'object',
      additionalProperties: false,
      properties: {
        cpus: { type: 'integer', minimum: 1, maximum: 1024 },
        smt: { type: 'integer', minimum: 1, maximum: 8 },
        hz: { type: 'integer', minimum: 1, maximum: 10000 },
      },
    },
    layout: { enum: ['unified', 'hybrid', 'legacy'] },
    seed: { type: 'integer', minimum: 0 },
    duration,
    groups: {
      type: 'object',
      propertyNames: groupPath,
      additionalProperties: {
        anyOf: [
          { type: 'null' },
          {
            type: 'object',
            properties: { policy },
            propertyNames: { pattern: '^[A-Za-z0-9_][A-Za-z0-9_.-]*$' },
            additionalProperties: fileValue,
          },
        ],
      },
    },
    tasks: { type: 'array', items: task },
    timeline: { type: 'array', items: timelineItem },
    expect: { type: 'array', items: expectation },
    trust: TRUST_SCHEMA,
  },
} as const;

/** The action keys of a timeline item, in the order the loader checks them. */
export const ACTIONS = ['write', 'move', 'spawn', 'kill', 'freeze', 'thaw', 'policy'] as const;
