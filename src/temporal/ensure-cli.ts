/**
 * Finds Temporal's `temporal` CLI, which runs the dev server, or builds it with Go.
 * Run it as `npm run temporal:install`; the demo and the test setup call {@link ensureTemporalCli}.
 */
import { execFile, spawn } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { pathToFileURL } from 'node:url';

const run = promisify(execFile);

/** The release whose module still installs with `go install`: later tags carry a `replace` directive. */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
export const TEMPORAL_CLI_MODULE = `github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}`;

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function goBinFolder(): Promise<string | undefined> {
  try {
    const { stdout } = await run('go', ['env', 'GOBIN', 'GOPATH']);
    const [gobin, gopath] = stdout.split('\n');
    if (gobin) return gobin;
    const first = gopath?.split(delimiter)[0];
    return first ? join(first, 'bin') : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Looks for `temporal` in TEMPORAL_CLI_PATH, then PATH, then Go's bin folder.
 * Returns the path, or undefined when none is found.
 * Throws when TEMPORAL_CLI_PATH is set but does not name an executable file.
 */
export async function findTemporalCli(env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  if (env.TEMPORAL_CLI_PATH) {
    if (await isExecutable(env.TEMPORAL_CLI_PATH)) return env.TEMPORAL_CLI_PATH;
    throw new Error(
      `TEMPORAL_CLI_PATH is "${env.TEMPORAL_CLI_PATH}", which is not an executable file. ` +
        'Point it at a `temporal` binary, or unset it to let this script find or build one.',
    );
  }

  for (const folder of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(folder, 'temporal');
    if (await isExecutable(candidate)) return candidate;
  }

  const goBin = await goBinFolder();
  if (goBin && (await isExecutable(join(goBin, 'temporal')))) return join(goBin, 'temporal');
  return undefined;
}

/**
 * Returns the path of a `temporal` CLI, building it with `go install` when none is found.
 * `log` receives progress lines. Throws with the fix when Go is missing or the build fails.
 */
export async function ensureTemporalCli(options: { env?: NodeJS.ProcessEnv; log?: (line: string) => void } = {}): Promise<string> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => console.error(line));
  const found = await findTemporalCli(env);
  if (found) return found;

  try {
    await run('go', ['version']);
  } catch {
    throw new Error(
      'The Temporal CLI (`temporal`) was not found in TEMPORAL_CLI_PATH, PATH or Go\'s bin folder, ' +
        'and Go is not installed to build it. Install Go 1.22 or later (https://go.dev/doc/install), ' +
        'or install the Temporal CLI yourself and set TEMPORAL_CLI_PATH to its path.',
    );
  }

  log(`Temporal CLI not found: building ${TEMPORAL_CLI_MODULE} with go install.`);
  log('This happens once per machine and took about 6.5 minutes on a two-core machine, module downloads included; later runs reuse the binary.');
  const started = Date.now();
  const ticker = setInterval(() => {
    log(`  still building the Temporal CLI (${Math.round((Date.now() - started) / 1000)} s so far)...`);
  }, 30_000);
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn('go', ['install', TEMPORAL_CLI_MODULE], { stdio: ['ignore', 'inherit', 'inherit'], env });
      child.on('error', reject);
      child.on('exit', (code) =>
        code === 0 ? resolve() : reject(new Error(`go install ${TEMPORAL_CLI_MODULE} failed with exit code ${code}; its output is above.`)),
      );
    });
  } finally {
    clearInterval(ticker);
  }

  const built = await findTemporalCli({ ...env, TEMPORAL_CLI_PATH: '' });
  if (!built) {
    throw new Error(`go install ${TEMPORAL_CLI_MODULE} finished, but no \`temporal\` binary appeared in Go's bin folder (go env GOBIN / GOPATH).`);
  }
  log(`Built the Temporal CLI in ${Math.round((Date.now() - started) / 1000)} s: ${built}`);
  return built;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    console.log(`Usage: npm run temporal:install

Prints the path of Temporal's \`temporal\` CLI, looked up in TEMPORAL_CLI_PATH, PATH and
Go's bin folder. When none is found it builds ${TEMPORAL_CLI_MODULE} with go install.`);
    process.exit(0);
  }
  try {
    console.log(await ensureTemporalCli());
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
}
