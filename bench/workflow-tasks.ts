/**
 * Workflow tasks per operation (issue 9): `npm run bench:tasks [-- --create=200 --clients=16]`.
 *
 * Runs the service as `npm start` does (a child process, embedded PostgreSQL, sandbox clock), creates
 * `--create` work orders through HTTP with `--clients` callers, then signs and contacts each, and
 * counts from every work order's history the workflow tasks each operation took (its
 * `WorkflowTaskCompleted` events). One task per creation and per action is the design: the
 * outbox runs inside the task as a local activity, and the update carries the outcome. More means
 * a task was spent without the work it was for (e.g. a poller already waiting took a new run's
 * first task before its update was admitted: 1.2 per creation before 2026-12-03).
 * Counts, not times: exact whatever the machine's load. Printed beside the machine's limits.
 */
import { rm } from 'node:fs/promises';
import os from 'node:os';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { demoTokens } from '../db/seed/demo';
import { kaifengUnits } from '../db/seed/kaifengUnits';
import { bareGetRate, postgresCommitRate } from './machine-limits';
import { Http, closedLoop, sandboxService, ticketCreator } from './scale-support';

const argv = process.argv.slice(2);
const option = (name: string, fallback: number) => Number(argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const createCount = option('create', 200);
const clients = option('clients', 16);
const unitIds = kaifengUnits.filter((u) => u.id !== 'kf-000').map((u) => u.id);
const COMPLETED = temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED;

/** Workflow tasks completed so far in each work order's history. */
async function tasksPerRun(client: Client, ids: string[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const queue = [...ids];
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      for (let id = queue.pop(); id !== undefined; id = queue.pop()) {
        const history = await client.workflow.getHandle(id).fetchHistory();
        counts.set(id, (history.events ?? []).filter((e) => e.eventType === COMPLETED).length);
      }
    }),
  );
  return counts;
}

/** Tasks per work order between two counts: mean and the share that took more than one. */
function delta(before: Map<string, number> | undefined, after: Map<string, number>): { mean: number; moreThanOne: number; n: number } {
  let sum = 0;
  let more = 0;
  for (const [id, n] of after) {
    const d = n - (before?.get(id) ?? 0);
    sum += d;
    if (d > 1) more++;
  }
  return { mean: sum / after.size, moreThanOne: more / after.size, n: after.size };
}

async function main(): Promise<void> {
  const { service, base } = await sandboxService('hotline-tasks-');
  console.log(`bench:tasks ${new Date().toISOString()} — ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  let connection: Connection | undefined;
  try {
    await service.start();
    const tokens = demoTokens(service.demoSecret());
    const http = new Http(service.url, 256);
    const pgRate = await postgresCommitRate(service.databaseUrl(), 32, 3);
    const get = await bareGetRate(http, tokens.center, 32, 3);
    console.log(`machine limits (same run): PostgreSQL single-row commits ${pgRate.toFixed(0)}/s, bare GET ${get.rate.toFixed(0)}/s, 32 clients each`);
    connection = await Connection.connect({ address: service.temporalAddress });
    const client = new Client({ connection });

    const { owner, create } = ticketCreator(http, tokens.center, unitIds, 'tasks');
    const created = await closedLoop(createCount, clients, 600, create(0));
    const ids = [...owner.keys()];
    const afterCreate = await tasksPerRun(client, ids);
    const act = (action: 'sign' | 'contact') =>
      closedLoop(ids.length, clients, 600, (i) =>
        http.request('POST', `/tickets/${ids[i]}/${action}`, tokens.units[owner.get(ids[i])!], action === 'contact' ? { reached: true, person: '王五' } : {}),
      );
    const signed = await act('sign');
    const afterSign = await tasksPerRun(client, ids);
    const contacted = await act('contact');
    const afterContact = await tasksPerRun(client, ids);
    const line = (name: string, rate: number, errors: number, d: ReturnType<typeof delta>) =>
      console.log(`  ${name.padEnd(8)} ${d.n} work orders, ${rate.toFixed(1)}/s, errors ${errors}: ${d.mean.toFixed(3)} workflow tasks each; ${(d.moreThanOne * 100).toFixed(1)} % took more than one`);
    console.log(`workflow tasks per operation (${clients} clients):`);
    line('create', created.rate, created.errors, delta(undefined, afterCreate));
    line('sign', signed.rate, signed.errors, delta(afterCreate, afterSign));
    line('contact', contacted.rate, contacted.errors, delta(afterSign, afterContact));
  } finally {
    await connection?.close();
    await service.stop();
    await rm(base, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
