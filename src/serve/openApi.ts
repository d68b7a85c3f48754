import { z } from 'zod';
import { JOB_STATES } from '../service/jobData.js';
import { jobOptionsSchema } from '../service/jobOptions.js';

/** JSON Schema of the options as a client sends them (defaults shown, nothing required). */
function optionsSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(jobOptionsSchema, { io: 'input', target: 'openapi-3.0' }) as Record<string, unknown>;
  delete schema.$schema;
  return schema;
}

/** The option fields as query parameters of the picture routes (the same fields as multipart form fields). */
function optionParameters(): Record<string, unknown>[] {
  const properties = (optionsSchema().properties ?? {}) as Record<string, { description?: string }>;
  const name = { name: 'name', in: 'query', required: false, description: "the picture's name in messages", schema: { type: 'string' } };
  return [name, ...Object.entries(properties).map(([key, schema]) => ({ name: key, in: 'query', required: false, description: schema.description, schema }))];
}

const error = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

const pictureBody = {
  required: true,
  content: {
    'image/*': { schema: { type: 'string', format: 'binary' } },
    'application/octet-stream': { schema: { type: 'string', format: 'binary' } },
    'multipart/form-data': {
      schema: { type: 'object', required: ['image'], properties: { image: { type: 'string', format: 'binary' } }, additionalProperties: { type: 'string' } },
    },
  },
};

const jobIdParameter = { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^[0-9a-f]{32}$' } };
const jobResponse = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Job' } } } });
const refusals = {
  '400': error('bad option (the field is named) or no picture'),
  '401': error('missing or wrong API key'),
  '413': error('body too large, or too many pixels'),
  '415': error('not a picture'),
  '429': error('the queue is full; see Retry-After'),
};

/** The API's OpenAPI 3.0 document, served at /v1/openapi.json. */
export function openApiDocument(): Record<string, unknown> {
  return {
    openapi: '3.0.3',
    info: { title: 'enhance', version: '1', description: 'Super-resolution as a service: upscale pictures now, or as jobs run by workers on a Redis queue. See docs/API.md.' },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }, { apiKey: [] }],
    paths: {
      '/v1/upscale': {
        post: {
          summary: 'Upscale one picture and answer with the result',
          parameters: optionParameters(),
          requestBody: pictureBody,
          responses: {
            '200': { description: 'the upscaled picture', content: { 'image/*': { schema: { type: 'string', format: 'binary' } } } },
            ...refusals,
            '409': error('the job was cancelled'),
            '422': error('the picture could not be upscaled (the message names it)'),
          },
        },
      },
      '/v1/jobs': {
        post: {
          summary: 'Queue a picture, or pictures on the storage every worker shares',
          parameters: optionParameters(),
          requestBody: {
            required: true,
            content: {
              ...pictureBody.content,
              'application/json': { schema: { $ref: '#/components/schemas/PathJobs' } },
            },
          },
          responses: {
            '202': { description: 'queued (or already known: the same picture, model and options are one job)', content: { 'application/json': { schema: { oneOf: [{ $ref: '#/components/schemas/Job' }, { type: 'object', properties: { jobs: { type: 'array', items: { $ref: '#/components/schemas/Job' } } } }] } } } },
            ...refusals,
          },
        },
      },
      '/v1/jobs/{id}': {
        get: { summary: "A job's state and progress", parameters: [jobIdParameter], responses: { '200': jobResponse('the job'), '401': error('missing or wrong API key'), '404': error('unknown job') } },
        delete: { summary: 'Cancel: a queued job is removed, a running one stops between tiles', parameters: [jobIdParameter], responses: { '200': jobResponse('the job after the cancel'), '401': error('missing or wrong API key'), '404': error('unknown job') } },
      },
      '/v1/jobs/{id}/result': {
        get: {
          summary: "A finished job's result",
          parameters: [jobIdParameter],
          responses: {
            '200': { description: 'the picture (or, for a path job, where it was written)', content: { 'image/*': { schema: { type: 'string', format: 'binary' } }, 'application/json': { schema: { type: 'object', properties: { output: { type: 'string' } } } } } },
            '401': error('missing or wrong API key'),
            '404': error('unknown job'),
            '409': error('not done yet, failed or cancelled'),
            '410': error('the result expired'),
          },
        },
      },
      '/v1/jobs/{id}/events': {
        get: { summary: "The job's status as server-sent events ('status'), until it ends", parameters: [jobIdParameter], responses: { '200': { description: 'text/event-stream', content: { 'text/event-stream': { schema: { type: 'string' } } } }, '404': error('unknown job') } },
      },
      '/v1/models': { get: { summary: 'The models this service runs', responses: { '200': { description: 'shipped and listed models', content: { 'application/json': { schema: { type: 'object' } } } } } } },
      '/v1/openapi.json': { get: { summary: 'This document', security: [], responses: { '200': { description: 'OpenAPI 3.0', content: { 'application/json': { schema: { type: 'object' } } } } } } },
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' } },
      schemas: {
        Options: optionsSchema(),
        PathJobs: {
          type: 'object',
          required: ['paths'],
          additionalProperties: false,
          properties: {
            paths: { type: 'array', minItems: 1, maxItems: 10000, items: { type: 'object', required: ['input', 'output'], additionalProperties: false, properties: { input: { type: 'string' }, output: { type: 'string' } } } },
            options: { $ref: '#/components/schemas/Options' },
          },
        },
        Job: {
          type: 'object',
          required: ['id', 'state', 'progress', 'attempts'],
          properties: {
            id: { type: 'string' },
            state: { type: 'string', enum: [...JOB_STATES] },
            progress: { type: 'number', minimum: 0, maximum: 1 },
            attempts: { type: 'integer', minimum: 0 },
            error: { type: 'string' },
            output: { type: 'string' },
            duplicate: { type: 'boolean' },
            links: { type: 'object', additionalProperties: { type: 'string' } },
          },
        },
        Error: { type: 'object', required: ['error'], properties: { error: { type: 'string' }, field: { type: 'string' } } },
      },
    },
  };
}
