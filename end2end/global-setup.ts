import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Where the running server's facts are handed to the tests. */
export const STATE_FILE = path.join(__dirname, '.e2e-state.json');

export interface E2eState {
  pid: number;
  baseUrl: string;
  dataDir: string;
  outboxDir: string;
  adminUsername: string;
  adminOneTimePassword: string;
}

/** A Roster started for the tests. */
export interface StartedRoster {
  child: ChildProcess;
  baseUrl: string;
  dataDir: string;
  /** What it printed until it was ready. */
  output: string;
}

/**
 * Starts the built server (ROSTER_SERVER_BIN) on `port` with a fresh data directory, on a new
 * SQLite file there unless `databaseUrl` names another database, with `env` on top, and waits
 * until its output contains every text of `readyWhen`.
 */
export async function startRoster(options: {
  port: number;
  databaseUrl?: string;
  env?: Record<string, string>;
  readyWhen?: string[];
  detached?: boolean;
}): Promise<StartedRoster> {
  const binary = process.env.ROSTER_SERVER_BIN;
  if (!binary) throw new Error('ROSTER_SERVER_BIN must name the built server binary (scripts/test sets it)');
  const readyWhen = options.readyWhen ?? ['Roster is running at'];
  const baseUrl = `http://localhost:${options.port}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-e2e-'));
  const log = fs.openSync(path.join(dataDir, 'server.log'), 'a');
  const child = spawn(binary, [], {
    env: {
      ...process.env,
      ROSTER_DATABASE_URL: options.databaseUrl ?? `sqlite://${path.join(dataDir, 'roster.db')}`,
      ROSTER_LISTEN: `127.0.0.1:${options.port}`,
      ROSTER_PUBLIC_URL: baseUrl,
      ROSTER_OUTBOX_DIR: path.join(dataDir, 'outbox'),
      ROSTER_SECRET_KEY_FILE: path.join(dataDir, 'secret.key'),
      ROSTER_LOG: 'info',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', log],
    detached: options.detached ?? false,
  });
  const output = await new Promise<string>((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`Roster did not start:\n${text}`)), 60_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      fs.appendFileSync(path.join(dataDir, 'server.out'), chunk);
      if (readyWhen.every((ready) => text.includes(ready))) {
        clearTimeout(timer);
        resolve(text);
      }
    });
    child.on('exit', (code) => reject(new Error(`Roster exited with ${code}:\n${text}`)));
  });
  child.stdout!.resume();
  return { child, baseUrl, dataDir, output };
}

/**
 * Starts Roster on a fresh database, exactly as a first start on a new machine: the admin is
 * bootstrapped with a generated one-time password, which is read from the start-up output.
 * The database is a new SQLite file in a temporary directory, or the empty PostgreSQL database
 * named by ROSTER_E2E_DATABASE_URL (scripts/test runs the suite once on each).
 */
export default async function globalSetup(): Promise<void> {
  const { child, baseUrl, dataDir, output } = await startRoster({
    port: Number(process.env.ROSTER_E2E_PORT ?? '3100'),
    databaseUrl: process.env.ROSTER_E2E_DATABASE_URL,
    env: { ROSTER_ADMIN_PASSWORD: '' },
    readyWhen: ['Roster is running at', 'one-time password'],
    detached: true,
  });
  const match = output.match(/username "([^"]+)", one-time password "([^"]+)"/);
  if (!match) throw new Error(`no one-time password in the start-up output:\n${output}`);
  child.unref();
  const state: E2eState = {
    pid: child.pid!,
    baseUrl,
    dataDir,
    outboxDir: path.join(dataDir, 'outbox'),
    adminUsername: match[1],
    adminOneTimePassword: match[2],
  };
  fs.writeFileSync(STATE_FILE, JSON.stringify(state, null, 2));
}
