/**
 * Deletes every index whose name starts with a prefix, by exact names: the node refuses wildcard deletes
 * (`action.destructive_requires_name`), and listing first makes it explicit what goes. Used by tests
 * (each run owns a unique prefix) and by operators tearing down a deployment's indices.
 */
import type { Client } from '@elastic/elasticsearch';

export async function deleteIndicesWithPrefix(client: Client, prefix: string): Promise<string[]> {
  if (prefix.length < 3)
    throw new Error(`Refusing to delete indices by the prefix "${prefix}": it is too broad.`);
  const indices = Object.keys(await client.indices.get({ index: `${prefix}*`, expand_wildcards: 'all' }));
  // URLs stay short: delete in chunks.
  for (let i = 0; i < indices.length; i += 50) {
    await client.indices.delete({ index: indices.slice(i, i + 50), ignore_unavailable: true });
  }
  return indices;
}
