/**
 * Compiles one YAML definition text, throwing every problem at once: for tests and tools that hold a
 * definition in memory rather than in a file.
 */
import type { CompiledProjection } from '../../core/plan';
import { compileProjection } from '../compiler/projection.compiler';
import { DefinitionValidationError } from '../errors/definition-error';
import { checkDefinitionSource } from '../loader/definition.loader';

export function compileYamlDefinition(text: string, file = '<inline>'): CompiledProjection {
  const check = checkDefinitionSource(text, file);
  if (!check.checked) throw new DefinitionValidationError(check.problems);
  return compileProjection(check.checked);
}
