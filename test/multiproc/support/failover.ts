/**
 * One failover: SIGKILL the worker that owns a projection, at a random moment, while commands keep
 * flowing (`live`) or while that projection's rebuild runs (`rebuild`), and measure how long its
 * projections stay without an owner (`takeoverMs`, from the kill to a live node's unexpired lease, read in
 * PostgreSQL every 50 ms) and how long until every view again applied the log up to the position it had
 * reached at the kill (`resumedMs`). Shared by test/multiproc/failover.e2e.spec.ts (a few runs) and
 * bench/failover-campaign.ts (as many as you like); the verdict (verify against a fresh build, commands
 * against the log) is the caller's, after its runs.
 */
import { describeLeases, sleep, type Cluster, type LeaseRow } from './cluster';

export type KillMoment = 'live' | 'rebuild';

/** The projection rebuilt in a `rebuild` run: relational, so its generations can be read in PostgreSQL. */
export const REBUILT_PROJECTION = 'order_summary';

export interface FailoverReport {
  readonly moment: KillMoment;
  readonly victim: string;
  /** The projections the victim held when it was killed, and who took each over. */
  readonly takeovers: readonly { projection: string; from: LeaseRow; to: LeaseRow; ms: number }[];
  /** The longest takeover among them. */
  readonly takeoverMs: number;
  /** From the kill until every view reached the log's head as of the kill. */
  readonly resumedMs: number;
  /** `rebuild` runs: the generation the rebuild created, and whether it was still building at the kill. */
  readonly rebuild?: { generation: number; buildingAtKill: boolean };
}

export interface FailoverOptions {
  readonly moment: KillMoment;
  readonly random: () => number;
  /** Longest wait for a takeover and for the views to resume. Default 120 s. */
  readonly timeoutMs?: number;
  readonly log?: (line: string) => void;
}

export async function killOwnerAndMeasure(
  cluster: Cluster,
  options: FailoverOptions,
): Promise<FailoverReport> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  const owners = await cluster.waitForOwners({ timeoutMs });
  let projection = cluster.projections[Math.floor(options.random() * cluster.projections.length)]!;
  let rebuild: { generation: number; buildingAtKill: boolean } | undefined;
  if (options.moment === 'rebuild') {
    projection = REBUILT_PROJECTION;
    // The owner may hold the lease and still be starting its runners: the API answers 409 with state
    // `starting` then, and accepts the rebuild once they run (as a client is told to retry).
    let started = await cluster.adminPost<{ generation?: number; error?: string; state?: string }>(
      `/admin/projections/${projection}/rebuild`,
    );
    const deadline = Date.now() + timeoutMs;
    while (started.status === 409 && started.body.state === 'starting' && Date.now() < deadline) {
      await sleep(200);
      started = await cluster.adminPost(`/admin/projections/${projection}/rebuild`);
    }
    if (started.status !== 202)
      throw new Error(`rebuild answered ${started.status}: ${JSON.stringify(started.body)}`);
    const generation = await waitForBuilding(cluster, projection, timeoutMs);
    rebuild = { generation, buildingAtKill: false };
  }
  const victim = owners.get(projection)!.holder;
  const held = [...owners.entries()].filter(([, lease]) => lease.holder === victim);
  // A random moment: within the next 1.5 s of live traffic, or early in the rebuild (the suite's log
  // rebuilds in a second or two; whether the kill landed mid-build is reported, not assumed).
  await sleep(options.random() * (options.moment === 'rebuild' ? 300 : 1_500));
  const headAtKill = await cluster.head();
  if (rebuild !== undefined) {
    const generations = await cluster.generations(projection);
    rebuild = {
      ...rebuild,
      buildingAtKill: generations.some(
        (g) => g.generation === rebuild!.generation && g.status === 'building',
      ),
    };
  }
  const killedAt = Date.now();
  await cluster.kill(victim);
  options.log?.(
    `killed ${victim} (held ${held.map(([name, lease]) => `${name}@${lease.epoch}`).join(', ')})` +
      (rebuild === undefined
        ? ''
        : `, ${projection} g${rebuild.generation} ${rebuild.buildingAtKill ? 'still building' : 'already swapped'}`),
  );

  const takeovers: { projection: string; from: LeaseRow; to: LeaseRow; ms: number }[] = [];
  const deadline = killedAt + timeoutMs;
  while (takeovers.length < held.length) {
    if (Date.now() > deadline)
      throw new Error(`no takeover within ${timeoutMs} ms: ${describeLeases(await cluster.leases())}`);
    const leases = await cluster.leases();
    for (const [name, from] of held) {
      if (takeovers.some((t) => t.projection === name)) continue;
      const to = leases.find((lease) => lease.resource === name && !lease.expired && lease.holder !== victim);
      if (to !== undefined) takeovers.push({ projection: name, from, to, ms: Date.now() - killedAt });
    }
    await sleep(50);
  }
  for (const takeover of takeovers) {
    if (takeover.to.epoch <= takeover.from.epoch)
      throw new Error(
        `${takeover.projection}: the new lease's epoch did not grow (${JSON.stringify(takeover)})`,
      );
  }
  await cluster.waitForCatchUp(headAtKill, timeoutMs);
  const report: FailoverReport = {
    moment: options.moment,
    victim,
    takeovers,
    takeoverMs: Math.max(...takeovers.map((t) => t.ms)),
    resumedMs: Date.now() - killedAt,
    ...(rebuild === undefined ? {} : { rebuild }),
  };
  options.log?.(
    `takeover ${report.takeoverMs} ms (${takeovers.map((t) => `${t.projection} -> ${t.to.holder}@${t.to.epoch} ${t.ms} ms`).join(', ')}), ` +
      `views at the kill's head after ${report.resumedMs} ms`,
  );
  return report;
}

/** Waits until the projection has a generation `building` beside the active one; returns its number. */
async function waitForBuilding(cluster: Cluster, projection: string, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const building = (await cluster.generations(projection)).filter((g) => g.status === 'building');
    if (building.length > 0) return building[building.length - 1]!.generation;
    await sleep(20);
  }
  throw new Error(`${projection}: no generation started building within ${timeoutMs} ms`);
}

/** Sums a counter over every live node: e.g. the events each committed to a projection's generation. */
export async function sumOverNodes(
  cluster: Cluster,
  ids: readonly string[],
  name: string,
  labels: Readonly<Record<string, string>>,
): Promise<{ total: number; perNode: Record<string, number> }> {
  const perNode: Record<string, number> = {};
  for (const id of ids) {
    const samples = await cluster.metrics(id);
    perNode[id] = samples
      .filter(
        (s) => s.name === name && Object.entries(labels).every(([key, value]) => s.labels[key] === value),
      )
      .reduce((sum, s) => sum + s.value, 0);
  }
  return { total: Object.values(perNode).reduce((sum, value) => sum + value, 0), perNode };
}

/** Log lines where a runner found its checkpoint moved by another process (a batch committed twice). */
export function checkpointRaces(output: string): string[] {
  return output.split('\n').filter((line) => line.includes('by someone else'));
}
