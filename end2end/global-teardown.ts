import * as fs from 'node:fs';
import { STATE_FILE, type E2eState } from './global-setup';

/** Stops the server started by global-setup and removes its data unless asked to keep it. */
export default async function globalTeardown(): Promise<void> {
  if (!fs.existsSync(STATE_FILE)) return;
  const state: E2eState = JSON.parse(fs.readFileSync(STATE_FILE, 'utf8'));
  try {
    process.kill(-state.pid, 'SIGTERM');
  } catch {
    // already gone
  }
  if (!process.env.ROSTER_E2E_KEEP) fs.rmSync(state.dataDir, { recursive: true, force: true });
  fs.rmSync(STATE_FILE, { force: true });
}
