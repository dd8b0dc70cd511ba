/** projections/social-graph.yaml, written with the TypeScript builder (a test asserts they are the same). */
import { defineProjection } from '../../../src/dsl/builder/define-projection';
import { cel } from '../../../src/dsl/builder/expression.builder';
import { neo4j } from '../../../src/stores/neo4j/dsl/neo4j.builder';
import type { MarketplaceEvents } from './marketplace-events';

export const socialGraph = defineProjection<MarketplaceEvents>()({
  name: 'social_graph',
  version: 1,
  description: 'Who follows whom, for follower lists and friends-of-friends suggestions.',
  source: {
    events: ['CustomerRegistered', 'CustomerRenamed', 'CustomerFollowed', 'CustomerUnfollowed'],
    streamPrefix: 'customer-',
  },
  target: neo4j({
    nodes: {
      Customer: { key: 'customerId', properties: { customerId: 'string', name: 'string', city: 'string' } },
    },
    relationships: { FOLLOWS: { from: 'Customer', to: 'Customer', properties: { since: 'datetime' } } },
  }),
})
  .on('CustomerRegistered', ({ event, mergeNode }) => [
    mergeNode({
      label: 'Customer',
      key: event.data.customerId,
      set: { name: event.data.name, city: event.data.city },
    }),
  ])
  .on('CustomerRenamed', ({ event, mergeNode }) => [
    mergeNode({ label: 'Customer', key: event.data.customerId, set: { name: event.data.name } }),
  ])
  .on('CustomerFollowed', ({ event, mergeRelationship }) => [
    mergeRelationship({
      when: cel`${event.data.customerId} != ${event.data.followedCustomerId}`,
      type: 'FOLLOWS',
      from: { key: event.data.customerId },
      to: { key: event.data.followedCustomerId },
      set: { since: cel`${event.metadata.timestamp}` },
    }),
  ])
  .on('CustomerUnfollowed', ({ event, deleteRelationship }) => [
    deleteRelationship({
      type: 'FOLLOWS',
      from: { key: event.data.customerId },
      to: { key: event.data.followedCustomerId },
    }),
  ])
  .query('followers', {
    description: 'Who follows a customer.',
    parameters: { customerId: { type: 'string' } },
    cypher: [
      'MATCH (follower:Customer)-[:FOLLOWS]->(:Customer {customerId: $customerId})',
      'RETURN follower.customerId AS customerId, follower.name AS name',
      'ORDER BY name',
      '',
    ].join('\n'),
  })
  .query('friendsOfFriends', {
    description: 'People followed by the people a customer follows, whom the customer does not follow yet.',
    parameters: { customerId: { type: 'string' }, limit: { type: 'integer', default: 10 } },
    cypher: [
      '// two hops out, excluding the customer and those already followed',
      'MATCH (me:Customer {customerId: $customerId})-[:FOLLOWS]->(:Customer)-[:FOLLOWS]->(suggested:Customer)',
      'WHERE suggested <> me AND NOT (me)-[:FOLLOWS]->(suggested)',
      'RETURN suggested.customerId AS customerId, suggested.name AS name, count(*) AS via',
      'ORDER BY via DESC, customerId',
      'LIMIT $limit',
      '',
    ].join('\n'),
  });
