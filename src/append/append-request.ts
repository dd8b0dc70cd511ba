/**
 * Checks an append request before anything is written: the stream id from the path and the body against
 * append-request.schema.ts. Every problem is a 4xx naming its field (`streamId`, `events.2.data`, ...),
 * all of a body's problems at once; nothing is appended unless all of it is valid.
 */
import type { z } from 'zod';
import { assertStorableBody } from '../http/json-body.limits';
import { HttpRequestError, RequestValidationError } from '../http/request.errors';
import {
  appendRequestSchema,
  RESERVED_METADATA,
  RESERVED_STREAM_PREFIXES,
  STREAM_ID_PATTERN,
  type AppendRequestBody,
} from './append-request.schema';

/** The path's stream id, or 400 `invalid_stream_id` saying which rule it breaks. */
export function checkStreamId(streamId: string): string {
  const shown = JSON.stringify(streamId.length > 80 ? `${streamId.slice(0, 80)}…` : streamId);
  if (!STREAM_ID_PATTERN.test(streamId)) {
    throw new HttpRequestError(
      'invalid_stream_id',
      `The stream id ${shown} is not valid: use 1 to 128 letters, digits, _ . : or -, starting with a ` +
        'letter or digit (e.g. cart-7f9c).',
      { field: 'streamId' },
    );
  }
  const reserved = RESERVED_STREAM_PREFIXES.find((prefix) => streamId.startsWith(prefix));
  if (reserved !== undefined) {
    throw new HttpRequestError(
      'invalid_stream_id',
      `The stream id ${shown} is reserved: streams starting with "${reserved}" hold Prism's own records.`,
      { field: 'streamId' },
    );
  }
  return streamId;
}

/** The body as the schema types it, or 400 `validation_failed` with messages per field. */
export function parseAppendRequest(body: unknown): AppendRequestBody {
  assertStorableBody(body);
  const fields = new Map<string, string[]>();
  const add = (path: string, message: string) => fields.set(path, [...(fields.get(path) ?? []), message]);
  const reserved = reservedMetadataIn(body);
  for (const [path, message] of reserved) add(path, message);

  const parsed = appendRequestSchema.safeParse(body);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = pathOf(issue.path);
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) {
          const field = path === '' ? key : `${path}.${key}`;
          if (!reserved.has(field)) add(field, `property ${key} should not exist`);
        }
      } else if (path === '') {
        add('(body)', 'the body must be a JSON object: { "events": [...], "expectedRevision"?: ... }');
      } else {
        add(path, issue.message);
      }
    }
  } else {
    for (const [path, message] of repeatedIds(parsed.data)) add(path, message);
  }
  if (!parsed.success || fields.size > 0) throw new RequestValidationError(Object.fromEntries(fields));
  return parsed.data;
}

/** `events.<i>.metadata.<key>` for every key Prism sets itself, with where its value comes from. */
function reservedMetadataIn(body: unknown): Map<string, string> {
  const found = new Map<string, string>();
  const events = isObject(body) && Array.isArray(body.events) ? (body.events as unknown[]) : [];
  events.forEach((event, index) => {
    const metadata = isObject(event) ? event.metadata : undefined;
    if (!isObject(metadata)) return;
    for (const key of Object.keys(metadata)) {
      if (Object.hasOwn(RESERVED_METADATA, key))
        found.set(`events.${index}.metadata.${key}`, `metadata.${key} ${RESERVED_METADATA[key]}`);
    }
  });
  return found;
}

/** Ids given twice in one batch: the store would refuse the whole append. */
function repeatedIds(body: AppendRequestBody): Map<string, string> {
  const first = new Map<string, number>();
  const found = new Map<string, string>();
  body.events.forEach((event, index) => {
    if (event.id === undefined) return;
    const id = event.id.toLowerCase();
    const earlier = first.get(id);
    if (earlier === undefined) first.set(id, index);
    else found.set(`events.${index}.id`, `id repeats events.${earlier}.id; every event needs its own id`);
  });
  return found;
}

function pathOf(path: z.core.$ZodIssue['path']): string {
  return path.map(String).join('.');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
