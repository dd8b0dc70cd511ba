/**
 * Issue #14 "who wrote it": projections read an event's metadata (`event.metadata.userId`, the name of
 * the API key that appended it) like its data.
 */
import { ProjectionEvaluationError } from '../../core/plan';
import type { EventMetadata, StoredEvent } from '../../eventstore/event-store.port';
import { compileYamlDefinition } from '../testing/compile-yaml';

const DEFINITION = `
name: note_authors
version: 1
source:
  events: [NoteWritten, NoteEdited]
target:
  kind: relational
  table: note_authors
  key: note_id
  columns:
    note_id: { type: text }
    written_by: { type: text }
    edited_by: { type: text, nullable: true }
handlers:
  NoteWritten:
    - upsert:
        key: event.data.noteId
        set: { written_by: event.metadata.userId }
  NoteEdited:
    - update:
        key: event.data.noteId
        set:
          edited_by: 'has(event.metadata.userId) ? event.metadata.userId : "unknown"'
`;

let position = 0n;
function event(type: string, metadata: Partial<EventMetadata>): StoredEvent {
  position += 1n;
  return {
    id: `e${position}`,
    streamId: 'note-n1',
    revision: Number(position) - 1,
    position,
    type,
    data: { noteId: 'n1' },
    metadata: { timestamp: '2026-12-06T10:00:00.000Z', schemaVersion: 1, ...metadata },
  };
}

describe('event metadata in expressions', () => {
  const plan = compileYamlDefinition(DEFINITION, 'note-authors.yaml');

  it('projects the userId of the key that wrote the event', () => {
    const written = event('NoteWritten', { userId: 'billing-service' });
    expect(plan.apply(written, new Map())).toEqual([
      {
        kind: 'put',
        key: 'n1',
        position: written.position,
        document: { note_id: 'n1', written_by: 'billing-service' },
      },
    ]);
  });

  it('tests for it with has() where events may lack it (written before keys, or by another tool)', () => {
    const current = new Map([['n1', { note_id: 'n1', written_by: 'billing-service', edited_by: null }]]);
    const [byKey] = plan.apply(event('NoteEdited', { userId: 'ops' }), current);
    const [byNobody] = plan.apply(event('NoteEdited', {}), current);
    expect(byKey).toMatchObject({ document: { edited_by: 'ops' } });
    expect(byNobody).toMatchObject({ document: { edited_by: 'unknown' } });
  });

  it('without has(), an event that lacks it is a poison event naming the key', () => {
    const apply = () => plan.apply(event('NoteWritten', {}), new Map());
    expect(apply).toThrow(ProjectionEvaluationError);
    expect(apply).toThrow('handlers.NoteWritten[0].upsert.set.written_by ("event.metadata.userId")');
    expect(apply).toThrow('No such key: userId');
  });
});
