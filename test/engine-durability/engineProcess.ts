/**
 * The engine as a separate process (`engine/cli.ts --database-url ...`, through its launcher), so a test can kill it
 * with SIGKILL the way a crash would and start it again on the same port and database.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');

export interface EngineProcess {
  readonly pid: number;
  /** `127.0.0.1:port`, the same for every restart. */
  readonly address: string;
  /** Everything the process printed (for failure messages). */
  output(): string;
  /** SIGKILL: no shutdown code runs. Resolves when the process is gone. */
  kill(): Promise<void>;
  /** SIGTERM: the engine's orderly stop. */
  terminate(): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (kept for all restarts of one test's engine). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts the engine CLI and resolves once it listens.
 *
 * @param extraArgs - more CLI flags (e.g. `['--clock', 'manual']`)
 */
export async function startEngineProcess(port: number, databaseUrl: string, extraArgs: string[] = []): Promise<EngineProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    // engine/bin/launch.js runs a cached transpiled copy of engine/ (restarts in well under a second).
    [path.join(root, 'engine/bin/launch.js'), '--port', String(port), '--database-url', databaseUrl, ...extraArgs],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`engine did not start within 30 s:\n${out.slice(-3000)}`));
    }, 30_000);
    const check = () => {
      if (out.includes('engine listening')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`engine exited (${code ?? signal}) before listening:\n${out.slice(-3000)}`));
    });
  });
  const stop = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return {
    pid: child.pid!,
    address: `127.0.0.1:${port}`,
    output: () => out,
    kill: () => stop('SIGKILL'),
    terminate: () => stop('SIGTERM'),
  };
}
