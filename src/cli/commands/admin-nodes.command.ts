/**
 * `prism nodes` (issue #15): every Prism process announced in the coordination store: its role, version,
 * whether it is alive and how old its last heartbeat is, and the projection leases it holds (epoch, age).
 * Any node answers the same list. `prism status` shows each projection's owner beside its numbers.
 */
import type { Command } from 'commander';
import type { NodesJson } from '../admin-client';
import type { CliIo } from '../cli-io';
import {
  adminClientOf,
  printJson,
  runAdmin,
  table,
  withAdminOptions,
  type AdminOptions,
} from './admin-support';

const HEADER = ['NODE', 'ROLE', 'VERSION', 'ALIVE', 'HEARTBEAT', 'STARTED', 'LEASES'];

export function runAdminNodes(options: AdminOptions, io: CliIo): Promise<number> {
  return runAdmin(io, async () => {
    const nodes = await adminClientOf(options).nodes();
    if (options.json) printJson(io, nodes);
    else for (const line of formatNodes(nodes)) io.out(line);
    return 0;
  });
}

export function formatNodes(answer: NodesJson): string[] {
  if (answer.nodes.length === 0)
    return [`No node is announced in the ${answer.coordination} coordination store.`];
  const rows = answer.nodes.map((node) => [
    node.self ? `${node.id} *` : node.id,
    node.role,
    node.version,
    node.alive ? 'yes' : 'no',
    `${seconds(node.heartbeatAgeMs)} ago`,
    node.startedAt,
    String(node.leases.length),
  ]);
  const lines = table([HEADER, ...rows]);
  // The leases under the table, one line each: a worker may hold many.
  for (const node of answer.nodes)
    for (const lease of node.leases)
      lines.push(
        `  ${node.id} holds ${lease.projection}: epoch ${lease.epoch}, held ${seconds(lease.ageMs)}, ` +
          `expires in ${seconds(lease.expiresInMs)} unless renewed`,
      );
  lines.push(`(* the node that answered; coordination store: ${answer.coordination})`);
  return lines;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

export function registerAdminNodesCommand(program: Command, io: CliIo): void {
  withAdminOptions(
    program
      .command('nodes')
      .description(
        'list the Prism nodes (processes): role, version, heartbeat, and the projection leases each holds (admin key)',
      ),
  ).action(async (options: AdminOptions) => {
    process.exitCode = await runAdminNodes(options, io);
  });
}
