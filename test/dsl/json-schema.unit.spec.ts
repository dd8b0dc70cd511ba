/**
 * The JSON Schema editors use is generated from the same zod schemas as the validator. This proves it:
 * the committed files are what the schemas generate now, the schema accepts every example definition
 * and data test, rejects every broken definition whose problem is structural, and accepts the ones
 * whose problem only the semantic validator can see (so the boundary between the two is where we say).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';
import {
  DEFINITION_SCHEMA_FILE,
  definitionJsonSchema,
  projectionTestJsonSchema,
  renderJsonSchema,
  TEST_SCHEMA_FILE,
} from '../../src/dsl/model/definition-json-schema';
import { findFiles, isDefinitionFile, isProjectionTestFile } from '../../src/dsl/loader/definition.loader';
import { BROKEN_FOLDER, brokenCases, FILE_LEVEL_CODES, SCHEMA_LEVEL_CODES } from './broken-corpus';

const ROOT = join(__dirname, '..', '..');
const PROJECTIONS = join(ROOT, 'projections');

function compile(schema: Record<string, unknown>) {
  const ajv = new Ajv({ allErrors: true, strict: false });
  return ajv.compile(schema);
}

describe('generated JSON Schemas', () => {
  it.each([
    [DEFINITION_SCHEMA_FILE, definitionJsonSchema()],
    [TEST_SCHEMA_FILE, projectionTestJsonSchema()],
  ])('%s is up to date (regenerate with `npm run prism -- schema`)', (file, schema) => {
    expect(readFileSync(join(ROOT, file), 'utf8')).toBe(renderJsonSchema(schema));
  });

  const validateDefinition = compile(definitionJsonSchema());
  const validateTest = compile(projectionTestJsonSchema());

  it.each(findFiles([PROJECTIONS], isDefinitionFile).map((file) => [file.slice(ROOT.length + 1)]))(
    'accepts the example definition %s',
    (file) => {
      const valid = validateDefinition(parse(readFileSync(join(ROOT, file), 'utf8')));
      expect(validateDefinition.errors ?? []).toEqual([]);
      expect(valid).toBe(true);
    },
  );

  it.each(findFiles([PROJECTIONS], isProjectionTestFile).map((file) => [file.slice(ROOT.length + 1)]))(
    'accepts the data test %s',
    (file) => {
      const valid = validateTest(parse(readFileSync(join(ROOT, file), 'utf8')));
      expect(validateTest.errors ?? []).toEqual([]);
      expect(valid).toBe(true);
    },
  );

  const parseable = brokenCases().filter(
    (brokenCase) => !brokenCase.isFolder && !brokenCase.codes.some((code) => FILE_LEVEL_CODES.has(code)),
  );
  const structural = parseable.filter((brokenCase) =>
    brokenCase.codes.some((code) => SCHEMA_LEVEL_CODES.has(code)),
  );
  const semantic = parseable.filter(
    (brokenCase) => !brokenCase.codes.some((code) => SCHEMA_LEVEL_CODES.has(code)),
  );

  it.each(structural.map((brokenCase) => [brokenCase.entry]))(
    'rejects the structurally broken %s',
    (entry) => {
      expect(validateDefinition(parse(readFileSync(join(BROKEN_FOLDER, entry), 'utf8')))).toBe(false);
    },
  );

  it.each(semantic.map((brokenCase) => [brokenCase.entry]))(
    'accepts %s, whose problem only the semantic validator sees',
    (entry) => {
      const valid = validateDefinition(parse(readFileSync(join(BROKEN_FOLDER, entry), 'utf8')));
      expect(validateDefinition.errors ?? []).toEqual([]);
      expect(valid).toBe(true);
    },
  );

  it('has structural cases to reject', () => {
    expect(structural.length).toBeGreaterThanOrEqual(15);
  });
});
