/**
 * Checks of a Neo4j section that its schema cannot express: node keys are declared properties,
 * relationships join declared labels, names Prism keeps for itself are not taken (its bookkeeping labels,
 * the separator of physical names), and the size limits.
 */
import { isPlainObject } from '../../../core/json';
import { didYouMean } from '../../../dsl/errors/suggest';
import { TEXT_LIMITS } from '../../../dsl/model/definition-limits';
import { NAME_PATTERNS } from '../../../dsl/model/names';
import type { PathSegment } from '../../../dsl/source/source-locator';
import type { Problems } from '../../../dsl/validation/problems';
import type { SalvagedSection, SectionLimits } from '../../store-dsl';
import { GRAPH_PROPERTY_TYPES } from '../neo4j-view-shape';
import { NEO4J_LIMITS, Neo4jSectionSchema, type Neo4jSection } from './neo4j-section.schema';

/** Neo4j bookkeeping labels: `PrismProjection`, `PrismGeneration`, `PrismCheckpoint`, `PrismParked`. */
const BOOKKEEPING_PREFIX = 'Prism';
/** Physical names join a type, its projection and its generation with `__` (../neo4j-names.ts). */
const PHYSICAL_SEPARATOR = '__';

export function reservedLabelReason(label: string): string | undefined {
  return label.startsWith(BOOKKEEPING_PREFIX)
    ? `labels starting with "${BOOKKEEPING_PREFIX}" are Prism's bookkeeping records`
    : undefined;
}

export function checkNeo4jSection(section: Neo4jSection, problems: Problems): void {
  const labels = Object.keys(section.nodes);
  for (const [label, node] of Object.entries(section.nodes)) {
    if (!(node.key in node.properties)) {
      problems.add(
        'key-not-declared',
        ['target', 'nodes', label, 'key'],
        `key property "${node.key}" is not declared in the properties of ${label}`,
        {
          suggestion: didYouMean(node.key, Object.keys(node.properties)) ?? `declare it: ${node.key}: string`,
        },
      );
    }
    checkIndexes(label, node, problems);
  }
  for (const [type, relationship] of Object.entries(section.relationships)) {
    for (const end of ['from', 'to'] as const) {
      if (!(relationship[end] in section.nodes)) {
        problems.add(
          'unknown-label',
          ['target', 'relationships', type, end],
          `relationship ${type} ${end === 'from' ? 'starts at' : 'ends at'} label "${relationship[end]}", which is not declared in target.nodes (${labels.join(', ')})`,
          { suggestion: didYouMean(relationship[end], labels) },
        );
      }
    }
  }
  checkReservedNames(section, problems);
}

/** Declared indexes (secondary keys for updateNodes): declared properties, not the key, each once. */
function checkIndexes(label: string, node: Neo4jSection['nodes'][string], problems: Problems): void {
  const seen = new Set<string>();
  (node.indexes ?? []).forEach((property, index) => {
    const path = ['target', 'nodes', label, 'indexes', index];
    if (!(property in node.properties)) {
      problems.add('unknown-property', path, `index on "${property}", which is not a property of ${label}`, {
        suggestion: didYouMean(property, Object.keys(node.properties)) ?? `declare it: ${property}: string`,
      });
    } else if (property === node.key) {
      problems.add(
        'invalid-index',
        path,
        `"${property}" is the key of ${label}: its uniqueness constraint indexes it already`,
        { suggestion: 'remove it from indexes' },
      );
    } else if (seen.has(property)) {
      problems.add('invalid-index', path, `"${property}" is indexed twice on ${label}`, {
        suggestion: 'list it once',
      });
    }
    seen.add(property);
  });
}

function checkReservedNames(section: Neo4jSection, problems: Problems): void {
  const refuse = (path: PathSegment[], name: string, reason: string) =>
    problems.add('reserved-name', path, `"${name}" is reserved: ${reason}`, {
      at: 'key',
      suggestion: 'choose another name',
    });
  for (const label of Object.keys(section.nodes)) {
    const reason = reservedLabelReason(label);
    if (reason) refuse(['target', 'nodes', label], label, reason);
  }
  for (const type of Object.keys(section.relationships)) {
    if (type.includes(PHYSICAL_SEPARATOR))
      refuse(
        ['target', 'relationships', type],
        type,
        `"${PHYSICAL_SEPARATOR}" separates a type from its projection and generation in physical names`,
      );
  }
}

export function checkNeo4jLimits(raw: Readonly<Record<string, unknown>>, limits: SectionLimits): void {
  limits.over(['target', 'nodes'], limits.count(raw.nodes), NEO4J_LIMITS.labels, 'node labels');
  limits.over(
    ['target', 'relationships'],
    limits.count(raw.relationships),
    NEO4J_LIMITS.relationshipTypes,
    'relationship types',
  );
  for (const part of ['nodes', 'relationships'] as const) {
    for (const [name, declaration] of limits.entries(raw[part])) {
      limits.nameLength(['target', part, name], name, TEXT_LIMITS.nameLength, 'a label or type', 'key');
      const properties = isPlainObject(declaration) ? declaration.properties : undefined;
      limits.over(
        ['target', part, name, 'properties'],
        limits.count(properties),
        NEO4J_LIMITS.properties,
        `properties of ${name}`,
      );
    }
  }
}

export function checkCypherLength(text: unknown, path: readonly PathSegment[], problems: Problems): void {
  if (typeof text === 'string' && text.length > NEO4J_LIMITS.cypherLength) {
    problems.add(
      'limit-exceeded',
      path,
      `the query has ${text.length.toLocaleString('en-US')} characters; at most ${NEO4J_LIMITS.cypherLength.toLocaleString('en-US')} are allowed`,
    );
  }
}

const PROPERTY_TYPES = new Set<string>(GRAPH_PROPERTY_TYPES);

/**
 * When only some property declarations fail the schema (a misspelt type, say), they become string
 * placeholders, remembered as untyped (`Label.property`, `TYPE.property`), so one typo does not hide the
 * file's other errors.
 */
export function salvageNeo4jSection(
  raw: Readonly<Record<string, unknown>>,
): SalvagedSection<Neo4jSection> | undefined {
  const untyped = new Set<string>();
  const entries = (value: unknown): [string, unknown][] =>
    isPlainObject(value) ? Object.entries(value) : [];
  const properties = (owner: string, value: unknown): Record<string, string> => {
    const result: Record<string, string> = {};
    for (const [name, type] of entries(value)) {
      if (!NAME_PATTERNS.property.pattern.test(name)) continue;
      if (typeof type === 'string' && PROPERTY_TYPES.has(type)) result[name] = type;
      else {
        result[name] = 'string';
        untyped.add(`${owner}.${name}`);
      }
    }
    return result;
  };
  const declarations = (part: 'nodes' | 'relationships', pattern: RegExp) =>
    Object.fromEntries(
      entries(raw[part])
        .filter(([name, declaration]) => pattern.test(name) && isPlainObject(declaration))
        .map(([name, declaration]) => [
          name,
          {
            ...(declaration as object),
            properties: properties(name, (declaration as Record<string, unknown>).properties),
          },
        ]),
    );
  const salvaged = Neo4jSectionSchema.safeParse({
    ...structuredClone(raw),
    nodes: declarations('nodes', NAME_PATTERNS.label.pattern),
    relationships: declarations('relationships', NAME_PATTERNS.relationshipType.pattern),
  });
  return salvaged.success ? { section: salvaged.data, untyped } : undefined;
}
