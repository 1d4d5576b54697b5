/** Starts and stops Temporal's dev server (`temporal server start-dev`) for the demo. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';

export interface DevServer {
  /** gRPC address for clients and workers, `127.0.0.1:PORT`. */
  address: string;
  uiUrl: string;
  stop(): Promise<void>;
}

export interface DevServerOptions {
  cliPath: string;
  port: number;
  uiPort: number;
  /** How long to wait for the server to accept connections, in milliseconds. */
  startTimeoutMs?: number;
}

async function assertPortFree(port: number, flag: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => {
      const message =
        error.code === 'EADDRINUSE'
          ? `Port ${port} on 127.0.0.1 is already in use, perhaps by another Temporal dev server. Stop that process, or choose another port with ${flag}.`
          : `Port ${port} on 127.0.0.1 cannot be opened: ${error.message}.`;
      reject(new Error(message, { cause: error }));
    });
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const forced = sleep(10_000).then(() => child.kill('SIGKILL'));
  await Promise.race([exited, forced]);
  await exited;
}

/**
 * Starts an in-memory dev server with its Web UI and waits until it accepts connections.
 * Throws when a port is taken, the process exits early, or it is not ready within the timeout.
 */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  await assertPortFree(options.port, '--temporal-port');
  await assertPortFree(options.uiPort, '--ui-port');

  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(options.port), '--ui-port', String(options.uiPort), '--log-level', 'error'];
  const child = spawn(options.cliPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const address = `127.0.0.1:${options.port}`;
  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`The Temporal dev server exited with code ${child.exitCode} before it was ready. Its output:\n${stderr}`);
    }
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      await connection.close();
      break;
    } catch (error) {
      if (Date.now() > deadline) {
        await stopChild(child);
        throw new Error(`The Temporal dev server did not accept connections on ${address} within ${(options.startTimeoutMs ?? 60_000) / 1000} s. Its output:\n${stderr}`, {
          cause: error,
        });
      }
      await sleep(250);
    }
  }

  return {
    address,
    uiUrl: `http://localhost:${options.uiPort}`,
    async stop() {
      process.off('exit', killOnExit);
      await stopChild(child);
    },
  };
}
