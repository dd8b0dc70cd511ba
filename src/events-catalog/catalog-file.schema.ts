/**
 * The event catalog file (issue #16): event types other services write, their payload schemas per version
 * (JSON Schema, written in YAML), and declarative upcasters. The one zod schema gives the validation and
 * the editor's JSON Schema (`prism schema --catalog-out`).
 *
 *   complete: true            # the catalog (this file and the aggregates) lists every type the log holds
 *   events:
 *     PaymentReceived:
 *       description: a payment the billing service recorded
 *       versions:
 *         1: { type: object, properties: { paymentId: { type: string }, amount: { type: integer } } }
 *         2: { type: object, properties: { paymentId: { type: string }, amountCents: { type: integer },
 *                                          currency: { type: string } } }
 *       upcast:
 *         - from: 1
 *           rename: { amount: amountCents }    # old name: new name
 *           default: { currency: EUR }         # a JSON value, set when the field is absent
 *           derive: { source: '"billing"' }    # CEL over `event` (event.data at version `from`)
 */
import { z } from 'zod';

const FIELD_NAME = z.string().min(1).max(200);

export const upcastStepSchema = z
  .strictObject({
    from: z.number().int().min(1).describe('The version this step reads; it writes version from + 1.'),
    rename: z
      .record(FIELD_NAME, FIELD_NAME)
      .optional()
      .describe('Fields renamed, old name: new name (a field that is absent stays absent).'),
    default: z
      .record(FIELD_NAME, z.json())
      .optional()
      .describe('Fields set to a JSON value when the payload lacks them.'),
    derive: z
      .record(FIELD_NAME, z.string().min(1).max(16_384))
      .optional()
      .describe('Fields computed by a CEL expression over `event` (its data at version `from`), set always.'),
  })
  .describe('One step of the upcaster chain: rename, then default, then derive.');

export const catalogEventSchema = z
  .strictObject({
    description: z.string().optional(),
    versions: z
      .record(
        z.string().regex(/^[1-9][0-9]{0,5}$/, 'a version is a whole number from 1'),
        z.record(z.string(), z.json()),
      )
      .optional()
      .describe('The payload schema of each version (JSON Schema); the highest is the latest.'),
    upcast: z.array(upcastStepSchema).max(1000).optional(),
  })
  .describe('An event type: its payload schema per version and how older payloads become the latest.');

export const catalogFileSchema = z
  .strictObject({
    $schema: z.string().optional(),
    complete: z
      .boolean()
      .default(false)
      .describe(
        'true: the catalog (this file and the aggregates) lists every event type the log holds, so a projection reading another type is an error.',
      ),
    events: z
      .record(z.string().regex(/^[A-Za-z][A-Za-z0-9_.:-]{0,199}$/, 'an event type name'), catalogEventSchema)
      .default({}),
  })
  .describe('Prism event catalog');

export type CatalogFile = z.output<typeof catalogFileSchema>;
export type CatalogFileEvent = z.output<typeof catalogEventSchema>;
export type CatalogUpcastStep = z.output<typeof upcastStepSchema>;

/** The editor's JSON Schema of the catalog file. */
export function catalogFileJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(catalogFileSchema, { io: 'input', unrepresentable: 'any' });
}
