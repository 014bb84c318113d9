/**
 * Runs `scripts/start.ts` (or another entry point) as a child process the way a user does, and
 * waits for its "service ready" log line.
 *
 * @example
 * const service = await startScript({ env: { SANDBOX: '1', DATA_DIR: dir, PORT: '0', ENGINE_PORT: '0' } });
 * await fetch(`${service.url}/livez`);
 * service.child.kill('SIGTERM'); expect(await service.exited).toBe(0);
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export const repoRoot = path.resolve(__dirname, '../..');
const tsNode = require.resolve('ts-node/dist/bin.js');

export interface StartedScript {
  child: ChildProcess;
  url: string;
  /** Everything written so far to stdout (JSON log lines) and stderr (the banner). */
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

export interface StartScriptOptions {
  env: Record<string, string>;
  /** argv after `node` (default: ts-node on scripts/start.ts). */
  argv?: string[];
  cwd?: string;
  /** Own process group (so a test can signal the group like a terminal's Ctrl-C does). */
  detached?: boolean;
  readyWithinMs?: number;
}

/** Starts the script; resolves once it logged "service ready", rejects if it exits first. */
export function startScript(options: StartScriptOptions): Promise<StartedScript> & { child: ChildProcess } {
  const child = spawn(process.execPath, options.argv ?? [tsNode, '--transpile-only', 'scripts/start.ts'], {
    cwd: options.cwd ?? repoRoot,
    env: { ...process.env, LOG_LEVEL: 'info', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.detached ?? false,
  });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (err += s));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = new Promise<StartedScript>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready in time\n${out}\n${err.slice(-3000)}`)), options.readyWithinMs ?? 120_000);
    const check = () => {
      const line = out.split('\n').find((l) => l.includes('"service ready"'));
      if (line) {
        clearTimeout(timer);
        resolve({ child, url: JSON.parse(line).url, stdout: () => out, stderr: () => err, exited });
      }
    };
    child.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code}\n${out}\n${err.slice(-3000)}`));
    });
  });
  return Object.assign(ready, { child });
}

/** Runs a script to its end; resolves with its exit code and output. */
export function runScript(argv: string[], env: Record<string, string>, cwd = repoRoot): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, argv, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

/** ts-node argv for a TypeScript entry point. */
export const tsNodeArgv = (script: string) => [tsNode, '--transpile-only', script];
