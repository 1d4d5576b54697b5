/** `simulator`: run the bundled Rancher API simulator until SIGINT or SIGTERM. */
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { startSimulator } from '../../simulator/index.js';
import { integerOption } from '../options.js';

/** Returns the simulator's default state folder, where its CA is kept between runs. */
export function defaultSimulatorStateDir(env: NodeJS.ProcessEnv = process.env): string {
  const stateHome = env.XDG_STATE_HOME || join(homedir(), '.local', 'state');
  return join(stateHome, 'rancher-workflows', 'simulator');
}

export function registerSimulatorCommand(program: Command): void {
  program
    .command('simulator')
    .description('Run a Rancher API simulator over HTTPS; prints {"domain","token","caFile"} as one JSON line when ready')
    .option('--port <port>', 'port to listen on, 0 for a random free port', integerOption('--port', 0, 65535), 9443)
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--users <n>', 'number of seeded users, the bootstrap admin included', integerOption('--users', 1, 100000), 25)
    .option('--state-dir <dir>', 'folder for the generated CA, reused between runs', defaultSimulatorStateDir())
    .action(async (flags: { port: number; host: string; users: number; stateDir: string }) => {
      const simulator = await startSimulator({ port: flags.port, host: flags.host, users: flags.users, stateDir: flags.stateDir });
      // The token printed here is the simulator's own made-up admin key, not a real credential.
      console.log(JSON.stringify({ domain: simulator.domain, token: simulator.tokens.admin, caFile: simulator.caFile }));
      console.error(`Rancher simulator listening on https://${simulator.domain} with ${flags.users} users. Press Ctrl+C to stop.`);

      const stop = () => {
        void simulator.close().then(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
