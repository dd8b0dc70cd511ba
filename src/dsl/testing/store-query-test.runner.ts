/**
 * `prism test --stores` (issue #16): a case's named queries run against the real store. The case's events
 * are folded by the runtime's own batch fold into a generation of the store (under a view name unique to
 * the run, in the store's throwaway namespace, see src/stores/store-scratch.ts), the generation is
 * activated, each named query runs through the store's query API code, and the view is dropped.
 * Only the parts of an answer a test states are compared; a failure says which query, with which
 * parameters, and what differed.
 */
import type { JsonObject } from '../../core/json';
import type { CompiledProjection, DocumentKey, ViewDocument } from '../../core/plan';
import { foldBatch, keyEvents } from '../../runtime/batch-fold';
import { withFanOutKeys } from '../../runtime/fan-out-keys';
import { storeModule } from '../../stores/registry';
import type { NamedQueryAnswer, ScratchStore } from '../../stores/store-scratch';
import type { ViewRef } from '../../stores/target.port';
import { canonicalJson } from '../compiler/projection.fingerprint';
import { givenEvents } from './projection-test.runner';
import type { ExpectedAnswer, ProjectionTestCase, QueryExpectation } from './projection-test.schema';

/** Builds the case's view under `view` in the scratch store and checks its named queries; always drops it. */
export async function runCaseQueriesInStore(
  projection: CompiledProjection,
  testCase: ProjectionTestCase,
  scratch: ScratchStore,
  view: string,
): Promise<string[]> {
  try {
    const problem = await buildView(projection, testCase, scratch, view);
    if (problem !== undefined) return [problem];
    const failures: string[] = [];
    for (const expectation of testCase.queries ?? []) {
      failures.push(...(await checkQuery(projection, scratch, view, expectation)));
    }
    return failures;
  } finally {
    await scratch.drop(view);
  }
}

async function buildView(
  projection: CompiledProjection,
  testCase: ProjectionTestCase,
  scratch: ScratchStore,
  name: string,
): Promise<string | undefined> {
  const { target } = scratch;
  const view: ViewRef = { projection: name, generation: 1, shape: projection.target };
  await target.prepare({ ...view, fingerprint: projection.fingerprint, definition: null });
  const events = givenEvents(testCase.given);
  // fan-out updates match the documents earlier events wrote (the generation is empty before)
  const keyed = await withFanOutKeys(
    projection,
    keyEvents(projection, events),
    target.findKeys?.bind(target, view),
    target.kind,
  );
  const state = new Map<DocumentKey, ViewDocument>();
  if (storeModule(projection.target.kind).dsl?.family === 'document') {
    const keys = [...new Set(keyed.flatMap((event) => event.keys ?? []))];
    for (const [key, loaded] of await target.load(view, keys))
      if (loaded.document !== null) state.set(key, loaded.document);
  }
  const folded = foldBatch({
    plan: projection,
    view,
    events: keyed,
    state,
    blocked: new Set(),
    validate: (document) => target.validate(view, document),
    now: new Date(),
  });
  const first = folded.parked[0];
  if (first !== undefined)
    return `building the view in the store failed: event ${first.position} (${first.eventType}) was parked: ${first.reason}`;
  const last = events.reduce(
    (position, event) => (event.position > position ? event.position : position),
    0n,
  );
  const committed = await target.commit(view, {
    operations: folded.operations,
    checkpoint: { from: 0n, to: last },
  });
  if (committed.kind !== 'committed') return `building the view in the store failed: ${committed.kind}`;
  const activated = await target.activate(view);
  if (activated.kind !== 'activated')
    return `building the view in the store failed: activation answered ${JSON.stringify(activated)}`;
  return undefined;
}

/** `query search(q="dune", size=2)`, for failure lines. */
export function describeQuery(expectation: QueryExpectation): string {
  const parameters = Object.entries(expectation.parameters)
    .map(([name, value]) => `${name}=${JSON.stringify(value)}`)
    .join(', ');
  return `query ${expectation.query}(${parameters})`;
}

async function checkQuery(
  projection: CompiledProjection,
  scratch: ScratchStore,
  view: string,
  expectation: QueryExpectation,
): Promise<string[]> {
  const label = describeQuery(expectation);
  const parameters = Object.fromEntries(
    Object.entries(expectation.parameters).map(([name, value]) => [name, String(value)]),
  );
  let answer: NamedQueryAnswer;
  try {
    answer = await scratch.query(projection, view, expectation.query, parameters);
  } catch (error) {
    return [`${label} failed: ${error instanceof Error ? error.message : String(error)}`];
  }
  const lines = compareAnswer(expectation.expect, answer);
  return lines.length === 0
    ? []
    : [`${label} answered differently:\n${lines.map((line) => `      ${line}`).join('\n')}`];
}

/** The differences between what a test expects of an answer and the answer; only stated parts count. */
export function compareAnswer(expected: ExpectedAnswer, answer: NamedQueryAnswer): string[] {
  const lines: string[] = [];
  const absent = (part: string) =>
    `${part}: expected, but this query answers ${Object.keys(answer).join(' and ') || 'nothing'}`;
  if (expected.ids !== undefined) {
    if (answer.ids === undefined) lines.push(absent('ids'));
    else if (canonicalJson(expected.ids) !== canonicalJson([...answer.ids]))
      lines.push(`ids: expected ${canonicalJson(expected.ids)}, got ${canonicalJson([...answer.ids])}`);
  }
  if (expected.total !== undefined) {
    if (answer.total === undefined) lines.push(absent('total'));
    else if (expected.total !== answer.total)
      lines.push(`total: expected ${expected.total}, got ${answer.total}`);
  }
  for (const [facet, buckets] of Object.entries(expected.facets ?? {})) {
    const got = answer.facets?.[facet];
    if (got === undefined) {
      lines.push(
        `facet ${facet}: expected, but the answer has ${Object.keys(answer.facets ?? {}).join(', ') || 'no facets'}`,
      );
      continue;
    }
    const want = canonicalJson(buckets);
    const found = canonicalJson(got.map((bucket) => ({ value: bucket.value, count: bucket.count })));
    if (want !== found) lines.push(`facet ${facet}: expected ${want}, got ${found}`);
  }
  if (expected.rows !== undefined) {
    if (answer.rows === undefined) lines.push(absent('rows'));
    else lines.push(...compareRows(expected.rows, answer.rows));
  }
  return lines;
}

function compareRows(expected: readonly JsonObject[], actual: readonly JsonObject[]): string[] {
  const lines: string[] = [];
  for (let index = 0; index < Math.max(expected.length, actual.length); index++) {
    const want = expected[index];
    const got = actual[index];
    if (got === undefined) lines.push(`row ${index}: missing, expected ${canonicalJson(want!)}`);
    else if (want === undefined) lines.push(`row ${index}: unexpected ${canonicalJson(got)}`);
    else {
      for (const column of [...new Set([...Object.keys(want), ...Object.keys(got)])].sort()) {
        const [a, b] = [want[column], got[column]];
        if (a === undefined) lines.push(`row ${index} ${column}: not expected, got ${canonicalJson(b!)}`);
        else if (b === undefined) lines.push(`row ${index} ${column}: expected ${canonicalJson(a)}, missing`);
        else if (canonicalJson(a) !== canonicalJson(b))
          lines.push(`row ${index} ${column}: expected ${canonicalJson(a)}, got ${canonicalJson(b)}`);
      }
    }
  }
  return lines;
}
