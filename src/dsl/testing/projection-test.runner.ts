/**
 * Runs projection tests as data: each case folds its `given` events through the compiled projection into
 * an in-memory view and compares the WHOLE view with `expect` (order-insensitive). A failure lists what is
 * missing, unexpected or different, field by field.
 */
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import type { JsonObject, JsonValue } from '../../core/json';
import type { LookupValues } from '../../core/lookups';
import { ProjectionEvaluationError, type CompiledProjection, type NodeRef } from '../../core/plan';
import type { StoredEvent } from '../../eventstore/event-store.port';
import {
  nodeId,
  relationshipId,
  type MemoryDocumentView,
  type MemoryGraphView,
} from '../../stores/memory/memory.view';
import { runProjection } from '../../stores/memory/run-projection';
import { findStoreModule } from '../../stores/registry';
import { compileProjection } from '../compiler/projection.compiler';
import { keyText } from '../expressions/cel-values';
import { canonicalJson } from '../compiler/projection.fingerprint';
import { hasErrors, type DefinitionError } from '../errors/definition-error';
import { didYouMean } from '../errors/suggest';
import {
  checkDefinitions,
  findFiles,
  isProjectionTestFile,
  type CheckOptions,
} from '../loader/definition.loader';
import type { SourceLocator } from '../source/source-locator';
import { parseYamlSource } from '../source/yaml-source.parser';
import { issuesToErrors } from '../validation/schema-issues';
import {
  ProjectionTestFileSchema,
  type ExpectedView,
  type GivenEvent,
  type ProjectionTestCase,
  type ProjectionTestFile,
} from './projection-test.schema';

export interface ProjectionTestCaseResult {
  readonly name: string;
  readonly passed: boolean;
  /** Human-readable differences (empty when passed). */
  readonly failures: readonly string[];
}

export interface ParsedProjectionTestFile {
  readonly file: string;
  readonly test?: ProjectionTestFile;
  readonly problems: readonly DefinitionError[];
  readonly locator: SourceLocator;
}

export function parseProjectionTestFile(text: string, file: string): ParsedProjectionTestFile {
  const parsed = parseYamlSource(text, file);
  const locator = parsed.locator;
  if (parsed.value === undefined || hasErrors(parsed.errors))
    return { file, problems: parsed.errors, locator };
  const result = ProjectionTestFileSchema.safeParse(parsed.value);
  if (!result.success) {
    return {
      file,
      problems: issuesToErrors(result.error.issues, {
        schema: ProjectionTestFileSchema,
        value: parsed.value,
        locator,
      }),
      locator,
    };
  }
  return { file, test: result.data, problems: [], locator };
}

/** The events of a case as the store would deliver them: positions 1, 2, 3... and revisions per stream. */
export function givenEvents(given: readonly GivenEvent[]): StoredEvent[] {
  const revisions = new Map<string, number>();
  return given.map((event, index) => {
    const revision = event.revision ?? revisions.get(event.streamId) ?? 0;
    revisions.set(event.streamId, revision + 1);
    return {
      id: `00000000-0000-4000-8000-${String(index + 1).padStart(12, '0')}`,
      streamId: event.streamId,
      revision,
      position: BigInt(event.position ?? index + 1),
      type: event.type,
      data: event.data,
      metadata: {
        timestamp: '2024-01-01T00:00:00.000Z',
        schemaVersion: 1,
        ...(event.metadata ?? {}),
      },
    };
  });
}

export function runProjectionTestCase(
  projection: CompiledProjection,
  testCase: ProjectionTestCase,
): ProjectionTestCaseResult {
  const events = givenEvents(testCase.given);
  const failures: string[] = [];
  let view: MemoryDocumentView | MemoryGraphView;
  const lookups: LookupValues = new Map();
  try {
    view = runProjection(projection, events, undefined, lookups);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (
      testCase.expect.error !== undefined &&
      error instanceof ProjectionEvaluationError &&
      message.includes(testCase.expect.error)
    ) {
      return { name: testCase.name, passed: true, failures: [] };
    }
    return { name: testCase.name, passed: false, failures: [`applying the events failed: ${message}`] };
  }
  if (testCase.expect.error !== undefined) {
    failures.push(
      `expected a ProjectionEvaluationError containing ${JSON.stringify(testCase.expect.error)}, but every event applied`,
    );
  }
  if (view.kind === 'document') failures.push(...compareDocuments(projection, view, testCase.expect));
  else failures.push(...compareGraph(view, testCase.expect));
  if (testCase.expect.lookups !== undefined)
    failures.push(...compareLookups(projection, lookups, testCase.expect.lookups));
  return { name: testCase.name, passed: failures.length === 0, failures };
}

// ---------------------------------------------------------------------------------------------- lookups

/** Each named lookup's entries, all of them, as `expect.lookups` lists them (issue #16). */
function compareLookups(
  projection: CompiledProjection,
  actual: LookupValues,
  expected: Readonly<Record<string, Readonly<Record<string, JsonValue>>>>,
): string[] {
  const declared = Object.keys(projection.lookups?.declared ?? {});
  const failures: string[] = [];
  for (const [lookup, entries] of Object.entries(expected)) {
    if (!declared.includes(lookup)) {
      const hint = didYouMean(lookup, declared);
      failures.push(
        `expect.lookups.${lookup}: the projection declares no lookup "${lookup}"${hint ? ` (${hint})` : ''}; declared: ${declared.join(', ') || 'none'}`,
      );
      continue;
    }
    const asEntries = (values: Iterable<[string, JsonValue]>) =>
      new Map([...values].map(([key, value]): [string, JsonObject] => [key, { value }]));
    failures.push(
      ...compareKeyed(
        (key) => `lookup ${lookup}[${key}]`,
        asEntries(Object.entries(entries)),
        asEntries(actual.get(lookup) ?? []),
      ),
    );
  }
  return failures;
}

// ---------------------------------------------------------------------------------------------- documents

/** The field holding a document's key, as the view's store declares it. */
function documentKeyField(projection: CompiledProjection): string {
  const target = projection.target;
  return findStoreModule(target.kind)?.dsl?.keyFieldOf?.(target) ?? 'key';
}

function compareDocuments(
  projection: CompiledProjection,
  view: MemoryDocumentView,
  expect: ExpectedView,
): string[] {
  if (expect.nodes || expect.relationships)
    return ['expect.nodes/relationships are for graph views; this view holds documents'];
  if (!expect.documents)
    return expect.error === undefined ? ['expect.documents is missing (write [] for an empty view)'] : [];
  const keyField = documentKeyField(projection);
  const expected = new Map<string, JsonObject>();
  const failures: string[] = [];
  for (const document of expect.documents) {
    const key = document[keyField];
    if (key === undefined || key === null) {
      failures.push(`an expected document has no ${keyField} (the key field): ${canonicalJson(document)}`);
      continue;
    }
    expected.set(keyText(key), document);
  }
  const actual = new Map(view.all().map((document) => [keyText(document[keyField] ?? null), document]));
  failures.push(...compareKeyed((key) => `document ${keyField}=${key}`, expected, actual));
  return failures;
}

// ---------------------------------------------------------------------------------------------- graphs

function compareGraph(view: MemoryGraphView, expect: ExpectedView): string[] {
  if (expect.documents)
    return ['expect.documents is for document views; this view is a graph (use nodes and relationships)'];
  if (!expect.nodes && !expect.relationships)
    return expect.error === undefined ? ['expect.nodes and expect.relationships are missing'] : [];
  const failures: string[] = [];
  const expectedNodes = new Map(
    (expect.nodes ?? []).map((node) => [nodeId(node), node.properties as JsonObject]),
  );
  const actualNodes = new Map(view.allNodes().map((node) => [nodeId(node), node.properties as JsonObject]));
  failures.push(...compareKeyed((key) => `node ${key}`, expectedNodes, actualNodes));
  const expectedRelationships = new Map(
    (expect.relationships ?? []).map((relationship) => [
      relationshipId(relationship.type, nodeRef(relationship.from), nodeRef(relationship.to)),
      relationship.properties as JsonObject,
    ]),
  );
  const actualRelationships = new Map(
    view
      .allRelationships()
      .map((relationship) => [
        relationshipId(relationship.type, relationship.from, relationship.to),
        relationship.properties as JsonObject,
      ]),
  );
  failures.push(...compareKeyed((key) => `relationship ${key}`, expectedRelationships, actualRelationships));
  return failures;
}

function nodeRef(end: string | { label: string; key: string | number }): NodeRef {
  if (typeof end !== 'string') return end;
  const colon = end.indexOf(':');
  return { label: end.slice(0, colon), key: end.slice(colon + 1) };
}

// ---------------------------------------------------------------------------------------------- diff

/** Missing, unexpected and changed entries, with the fields that differ. Keys compare as strings. */
function compareKeyed(
  /** How a failure names the entry of this key. */
  entry: (key: string) => string,
  expected: ReadonlyMap<string, JsonObject>,
  actual: ReadonlyMap<string, JsonObject>,
): string[] {
  const failures: string[] = [];
  for (const [key, want] of [...expected].sort(([a], [b]) => a.localeCompare(b))) {
    const got = actual.get(key);
    if (!got) {
      failures.push(`missing ${entry(key)}: ${canonicalJson(want)}`);
      continue;
    }
    const differences = compareFields(want, got);
    if (differences.length > 0)
      failures.push(`${entry(key)} differs:\n${differences.map((line) => `      ${line}`).join('\n')}`);
  }
  for (const [key, got] of [...actual].sort(([a], [b]) => a.localeCompare(b))) {
    if (!expected.has(key)) {
      // suggest only expected entries that are missing: the likely intended match
      const hint = didYouMean(
        key,
        [...expected.keys()].filter((candidate) => !actual.has(candidate)),
      );
      failures.push(`unexpected ${entry(key)}: ${canonicalJson(got)}${hint ? ` (${hint})` : ''}`);
    }
  }
  return failures;
}

function compareFields(want: JsonObject, got: JsonObject): string[] {
  const lines: string[] = [];
  for (const field of [...new Set([...Object.keys(want), ...Object.keys(got)])].sort()) {
    const wanted = want[field];
    const found = got[field];
    if (wanted === undefined) lines.push(`${field}: not expected, got ${canonicalJson(found!)}`);
    else if (found === undefined) lines.push(`${field}: expected ${canonicalJson(wanted)}, missing`);
    else if (canonicalJson(wanted) !== canonicalJson(found))
      lines.push(`${field}: expected ${canonicalJson(wanted)}, got ${canonicalJson(found)}`);
  }
  return lines;
}

// ---------------------------------------------------------------------------------------------- files

export interface ProjectionTestFileRun {
  readonly file: string;
  readonly projection?: string;
  /** The compiled projection under test (absent when the file's cases cannot run). */
  readonly compiled?: CompiledProjection;
  /** Why the file's cases could not run (parse errors, unknown or invalid projection). */
  readonly problems: readonly DefinitionError[];
  readonly cases: readonly {
    readonly testCase: ProjectionTestCase;
    readonly run: () => ProjectionTestCaseResult;
  }[];
}

/**
 * Finds `*.test.yaml` under `paths` and prepares their cases. Each test file's projection is looked up
 * among the definitions of the test file's own folder. Cases run lazily (`run`), so Jest can register each
 * case as its own test.
 */
export function collectProjectionTests(
  paths: readonly string[],
  cwd = process.cwd(),
  options: CheckOptions = {},
): ProjectionTestFileRun[] {
  const files = findFiles(
    paths.map((path) => resolve(cwd, path)),
    isProjectionTestFile,
  );
  const folders = [...new Set(files.map((file) => dirname(file)))];
  const byFolder = new Map(folders.map((folder) => [folder, checkDefinitions([folder], cwd, options)]));
  return files.map((file) => {
    const display = relative(cwd, file).startsWith('..') ? file : relative(cwd, file);
    const parsed = parseProjectionTestFile(readFileSync(file, 'utf8'), display);
    if (!parsed.test) return { file: display, problems: parsed.problems, cases: [] };
    const folder = byFolder.get(dirname(file))!;
    const name = parsed.test.projection;
    const checked = folder.definitions.find((definition) => definition.definition.name === name);
    if (!checked) {
      const broken = folder.problems.some((problem) => problem.severity === 'error');
      const known = folder.definitions.map((definition) => definition.definition.name);
      const at = parsed.locator.valueAt(['projection']);
      const problem: DefinitionError = {
        code: 'invalid-value',
        severity: 'error',
        file: display,
        line: at.line,
        column: at.column,
        path: 'projection',
        message: `no valid projection "${name}" in ${dirname(display) || '.'}${broken ? ' (some definitions there have errors: run prism validate)' : ''}`,
        ...(didYouMean(name, known) ? { suggestion: didYouMean(name, known)! } : {}),
      };
      return { file: display, projection: name, problems: [problem], cases: [] };
    }
    const projection = compileProjection(checked);
    const unknownQueries = unknownQueryProblems(parsed.test, projection, parsed.locator, display);
    if (unknownQueries.length > 0)
      return { file: display, projection: name, problems: unknownQueries, cases: [] };
    return {
      file: display,
      projection: name,
      compiled: projection,
      problems: [],
      cases: parsed.test.cases.map((testCase) => ({
        testCase,
        run: () => runProjectionTestCase(projection, testCase),
      })),
    };
  });
}

/** A case naming a query the projection does not declare: file:line:col, with a "did you mean". */
function unknownQueryProblems(
  test: ProjectionTestFile,
  projection: CompiledProjection,
  locator: SourceLocator,
  file: string,
): DefinitionError[] {
  const declared = Object.keys(projection.queries);
  const problems: DefinitionError[] = [];
  test.cases.forEach((testCase, caseIndex) =>
    (testCase.queries ?? []).forEach((expectation, index) => {
      if (Object.hasOwn(projection.queries, expectation.query)) return;
      const path = ['cases', caseIndex, 'queries', index, 'query'];
      const at = locator.valueAt(path);
      const suggestion = didYouMean(expectation.query, declared);
      problems.push({
        code: 'invalid-value',
        severity: 'error',
        file,
        line: at.line,
        column: at.column,
        path: `cases[${caseIndex}].queries[${index}].query`,
        message: `projection ${projection.name} has no named query "${expectation.query}" (${declared.length > 0 ? `it declares ${declared.join(', ')}` : 'it declares none'})`,
        ...(suggestion ? { suggestion } : {}),
      });
    }),
  );
  return problems;
}
