/**
 * The DSL's public surface for the runtime, the API and tools. See README.md in this folder.
 */
import type { JsonValue } from '../core/json';
import type { CompiledProjection } from '../core/plan';
import { compileProjection } from './compiler/projection.compiler';
import { codeLocator } from './source/source-locator';
import { validateDefinition, type ValidationOptions } from './validation/definition.validator';

export { compileProjection, definitionModelOf, targetShapeOf } from './compiler/projection.compiler';
export { fingerprintOf, normalizedDefinition } from './compiler/projection.fingerprint';
export {
  DefinitionValidationError,
  formatDefinitionError,
  type DefinitionError,
  type DefinitionErrorCode,
} from './errors/definition-error';
export {
  checkDefinitions,
  checkDefinitionSource,
  DefinitionPathNotFoundError,
  loadProjections,
  type FolderCheck,
} from './loader/definition.loader';
export type { WrittenDefinition } from './model/definition.schema';
export { Expression } from './model/expression';
export type { Action, DocumentAction, GraphAction, ProjectionModel } from './model/projection.model';
export {
  validateDefinition,
  type CheckedDefinition,
  type DefinitionCheck,
  type ValidationOptions,
} from './validation/definition.validator';
export { defineProjection } from './builder/define-projection';
export { cel } from './builder/expression.builder';
export { compileYamlDefinition } from './testing/compile-yaml';

/**
 * Recompiles a definition model stored earlier (definitionModelOf), through the same validation as a
 * file. Undefined when it no longer validates (e.g. the DSL changed since it was stored).
 */
export function recompileDefinition(
  model: JsonValue,
  origin = '<stored definition>',
  options: ValidationOptions = {},
): CompiledProjection | undefined {
  const check = validateDefinition(model, codeLocator(origin), options);
  return check.checked ? compileProjection(check.checked) : undefined;
}
