import { BatchSizes, CatchUpBudget } from './batch-sizes';

describe('BatchSizes', () => {
  const options = { batchSize: 2_000, maxBatchLatencyMs: 20 };

  it('asks for catch-up batches once a read filled a whole batch, and goes back once one comes back short', () => {
    const sizes = new BatchSizes(options, 10_000);
    expect([sizes.size, sizes.latencyMs]).toEqual([2_000, 20]);
    sizes.observe(2_000);
    expect([sizes.size, sizes.latencyMs]).toEqual([10_000, 100]);
    sizes.observe(7_500); // cut by the latency bound, still behind
    expect(sizes.size).toBe(10_000);
    sizes.observe(0); // interrupted: no news
    expect(sizes.size).toBe(10_000);
    sizes.observe(12);
    expect([sizes.size, sizes.latencyMs]).toEqual([2_000, 20]);
  });

  it('keeps the runner batch size for stores without a catch-up size, or with a smaller one', () => {
    const budget = new CatchUpBudget(10_000);
    for (const catchUp of [undefined, 500]) {
      const sizes = new BatchSizes(options, catchUp, budget);
      sizes.observe(2_000);
      expect([sizes.size, sizes.latencyMs]).toEqual([2_000, 20]);
    }
    // they never took a share of the budget
    expect(budget.share).toBe(10_000);
  });

  it('splits the process budget among the runners catching up, never below the batch size', () => {
    const budget = new CatchUpBudget(10_000);
    const [a, b, c, d, e] = Array.from({ length: 5 }, () => new BatchSizes(options, 10_000, budget));
    a!.observe(2_000);
    expect(a!.size).toBe(10_000);
    b!.observe(2_000);
    expect([a!.size, b!.size]).toEqual([5_000, 5_000]);
    for (const sizes of [c!, d!, e!]) sizes.observe(2_000);
    expect(a!.size).toBe(2_000); // 10,000 / 5 = 2,000: the floor is batchSize anyway
    for (const sizes of [c!, d!]) sizes.observe(3); // live
    e!.close(); // stopped
    expect([a!.size, b!.size, a!.latencyMs]).toEqual([5_000, 5_000, 50]);
  });
});
