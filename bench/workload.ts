/**
 * The reference benchmark workload (../shared/BENCHMARK-WORKLOAD.md): deterministic orders from a
 * seeded PRNG, and the figures every run is checked against.
 *
 * For order i, stream `order-<i>`: OrderPlaced, k x ItemAdded (k uniform 1..16), then OrderShipped (80%)
 * or OrderCancelled (20%). `sequential` yields whole orders one after another (one append each);
 * `interleaved` keeps `open` orders in flight and yields one event at a time from a random open order.
 * Both modes produce the same orders, so the same expected view.
 *
 *   npx tsx bench/workload.ts --orders 1000          prints the expected figures
 */
import type { EventToAppend } from '../src/eventstore/event-store.port';

/** mulberry32: tiny, fast, good enough for workloads; deterministic for a seed. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const CUSTOMERS = 20_000;
export const PRODUCTS = 5_000;
const BASE_TIME = Date.UTC(2024, 0, 1);

export interface Order {
  readonly index: number;
  readonly streamId: string;
  readonly orderId: string;
  readonly customerId: string;
  readonly items: readonly { readonly productId: string; readonly qty: number; readonly price: number }[];
  readonly outcome: 'shipped' | 'cancelled';
}

export interface OrderRow {
  readonly order_id: string;
  readonly customer_id: string;
  readonly status: 'placed' | 'shipped' | 'cancelled';
  readonly item_count: number;
  readonly total: number;
}

function int(random: () => number, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

/** Orders 0..count-1, generated in order from one PRNG (the same in every mode). */
export function* orders(count: number, seed = 42): Generator<Order> {
  const random = prng(seed);
  for (let index = 0; index < count; index += 1) {
    const customerId = `customer-${int(random, 1, CUSTOMERS)}`;
    const k = int(random, 1, 16);
    const items = Array.from({ length: k }, () => ({
      productId: `product-${int(random, 1, PRODUCTS)}`,
      qty: int(random, 1, 5),
      price: int(random, 1, 100),
    }));
    const outcome = random() < 0.8 ? 'shipped' : 'cancelled';
    yield { index, streamId: `order-${index}`, orderId: `order-${index}`, customerId, items, outcome };
  }
}

export function orderEvents(order: Order): EventToAppend[] {
  return [
    {
      type: 'OrderPlaced',
      data: {
        orderId: order.orderId,
        customerId: order.customerId,
        placedAt: new Date(BASE_TIME + order.index * 60_000).toISOString(),
      },
    },
    ...order.items.map((item) => ({
      type: 'ItemAdded',
      data: { orderId: order.orderId, productId: item.productId, qty: item.qty, price: item.price },
    })),
    {
      type: order.outcome === 'shipped' ? 'OrderShipped' : 'OrderCancelled',
      data: { orderId: order.orderId },
    },
  ];
}

/** Whole orders, one append each: the log interleaves nothing. */
export function* sequential(
  count: number,
  seed = 42,
): Generator<{ streamId: string; events: EventToAppend[] }> {
  for (const order of orders(count, seed)) yield { streamId: order.streamId, events: orderEvents(order) };
}

/** One event at a time from a random one of `open` orders in flight: closer to live traffic. */
export function* interleaved(
  count: number,
  seed = 42,
  open = 1000,
): Generator<{ streamId: string; events: EventToAppend[] }> {
  const source = orders(count, seed);
  const pick = prng(seed ^ 0x9e3779b9);
  const inFlight: { streamId: string; events: EventToAppend[] }[] = [];
  const refill = () => {
    while (inFlight.length < open) {
      const next = source.next();
      if (next.done === true) return;
      inFlight.push({ streamId: next.value.streamId, events: orderEvents(next.value) });
    }
  };
  refill();
  while (inFlight.length > 0) {
    const slot = Math.floor(pick() * inFlight.length);
    const order = inFlight[slot]!;
    yield { streamId: order.streamId, events: [order.events.shift()!] };
    if (order.events.length === 0) {
      inFlight[slot] = inFlight[inFlight.length - 1]!;
      inFlight.pop();
      refill();
    }
  }
}

/** The final order_summary row of an order. */
export function expectedRow(order: Order): OrderRow {
  return {
    order_id: order.orderId,
    customer_id: order.customerId,
    status: order.outcome,
    item_count: order.items.reduce((sum, item) => sum + item.qty, 0),
    total: order.items.reduce((sum, item) => sum + item.qty * item.price, 0),
  };
}

export interface WorkloadFigures {
  orders: number;
  events: number;
  totalSum: number;
  itemCountSum: number;
  perStatus: Record<'placed' | 'shipped' | 'cancelled', number>;
}

/** The checks of every benchmark run: computed from the generator alone. */
export function workloadFigures(count: number, seed = 42): WorkloadFigures {
  const figures: WorkloadFigures = {
    orders: 0,
    events: 0,
    totalSum: 0,
    itemCountSum: 0,
    perStatus: { placed: 0, shipped: 0, cancelled: 0 },
  };
  for (const order of orders(count, seed)) {
    const row = expectedRow(order);
    figures.orders += 1;
    figures.events += order.items.length + 2;
    figures.totalSum += row.total;
    figures.itemCountSum += row.item_count;
    figures.perStatus[row.status] += 1;
  }
  return figures;
}

if (require.main === module) {
  const at = process.argv.indexOf('--orders');
  const count = at > 0 ? Number(process.argv[at + 1]) : 100_000;
  console.log(JSON.stringify(workloadFigures(count), null, 2));
}
