/**
 * Projection tests as data: `<name>.test.yaml` beside a definition. Given events, expect the whole view.
 * One schema gives the types, the validator and the JSON Schema (prism-projection-test.schema.json).
 */
import { z } from 'zod';

const JsonObject = z.record(z.string(), z.json());

export const GivenEventSchema = z.strictObject({
  type: z.string().min(1),
  streamId: z.string().min(1),
  data: JsonObject.default({}),
  revision: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe('Default: the count of earlier events of the same stream.'),
  position: z.number().int().min(1).optional().describe('Default: 1, 2, 3... in the order given.'),
  metadata: JsonObject.optional(),
});

const NodeKey = z.union([z.string(), z.number()]);
const NodeEnd = z.union([
  z
    .string()
    .regex(/^[A-Z][A-Za-z0-9]*:.+$/)
    .describe('Label:key, e.g. Customer:c1'),
  z.strictObject({ label: z.string(), key: NodeKey }),
]);

export const ExpectedViewSchema = z.strictObject({
  documents: z.array(JsonObject).optional().describe('Every document of the view (order does not matter).'),
  nodes: z
    .array(z.strictObject({ label: z.string(), key: NodeKey, properties: JsonObject.default({}) }))
    .optional()
    .describe('Every node of the view; properties without the key property.'),
  relationships: z
    .array(
      z.strictObject({ type: z.string(), from: NodeEnd, to: NodeEnd, properties: JsonObject.default({}) }),
    )
    .optional()
    .describe('Every relationship of the view.'),
  lookups: z
    .record(z.string(), z.record(z.string(), z.json()))
    .optional()
    .describe(
      'Lookups (correlation state): for each lookup named, every entry it holds, key → value (a lookup not named is not compared).',
    ),
  error: z
    .string()
    .min(1)
    .optional()
    .describe('Expect a ProjectionEvaluationError whose message contains this text.'),
});

const Scalar = z.union([z.string(), z.number(), z.boolean()]);

/** What a named query must answer (issue #16); only the parts given are compared. */
export const ExpectedAnswerSchema = z.strictObject({
  ids: z.array(z.string()).optional().describe("Search templates: the hits' ids, in this order."),
  total: z.number().int().min(0).optional().describe('Search templates: how many documents matched.'),
  facets: z
    .record(z.string(), z.array(z.strictObject({ value: Scalar, count: z.number().int().min(0) })))
    .optional()
    .describe("Search templates with facets: a facet's buckets, in the store's order (count, then value)."),
  rows: z.array(JsonObject).optional().describe('Cypher queries: the rows, in this order.'),
});

/**
 * A named query run against the view the case's events built. It needs the real store: `prism test`
 * reports it as skipped, `prism test --stores` runs it in a throwaway namespace of the store.
 */
export const QueryExpectationSchema = z.strictObject({
  query: z.string().min(1).describe('A named query of the projection (its `queries` key).'),
  parameters: z.record(z.string(), Scalar).default({}).describe('Its parameters, as a request gives them.'),
  expect: ExpectedAnswerSchema,
});

export const ProjectionTestCaseSchema = z.strictObject({
  name: z.string().min(1),
  given: z.array(GivenEventSchema).default([]),
  expect: ExpectedViewSchema,
  queries: z
    .array(QueryExpectationSchema)
    .optional()
    .describe('Named queries over the view the events built; run only by prism test --stores.'),
});

export const ProjectionTestFileSchema = z.strictObject({
  $schema: z.string().optional(),
  projection: z.string().min(1).describe('Name of the projection under test.'),
  cases: z.array(ProjectionTestCaseSchema).min(1),
});

export type ProjectionTestFile = z.output<typeof ProjectionTestFileSchema>;
export type ProjectionTestCase = z.output<typeof ProjectionTestCaseSchema>;
export type GivenEvent = z.output<typeof GivenEventSchema>;
export type ExpectedView = z.output<typeof ExpectedViewSchema>;
export type QueryExpectation = z.output<typeof QueryExpectationSchema>;
export type ExpectedAnswer = z.output<typeof ExpectedAnswerSchema>;
