/**
 * A Rancher management API simulator over HTTPS, for the demo and the tests.
 *
 * It serves all 89 operations of Rancher's published management API with Kubernetes semantics
 * and Rancher's bearer-token check, from an in-memory store seeded deterministically. The API
 * covers users, global roles and their bindings, role templates, projects, cluster and project
 * role template bindings, ext tokens, kubeconfigs and audit policies.
 */
import { once } from 'node:events';
import { mkdtemp } from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { addToken, bearerValue, timeFromNow, type TokenRecord, type TokenRequest } from './auth.js';
import type { SimulatorContext } from './operations.js';
import { SeededRandom } from './random.js';
import { buildRoutes } from './routes.js';
import { seedStore, type SeededUsers } from './seed.js';
import { addExtToken, type ExtTokenRecord, type ExtTokenRequest } from './ext-tokens.js';
import { createFaults, type SimulatorFaults } from './faults.js';
import { seedClusters, type SeededClusters } from './seed-clusters.js';
import { createRequestHandler, type RecordedResponse } from './server.js';
import { fileRecorder } from './response-recorder.js';
import { ObjectStore, type Clock } from './store.js';
import { defaultServerHostNames, issueServerCertificate, loadOrCreateCertificateAuthority } from './tls.js';

export type { TokenRecord, TokenRequest } from './auth.js';
export type { SeededUsers } from './seed.js';
export type { ExtTokenRecord, ExtTokenRequest } from './ext-tokens.js';
export type { RequestFaultInput, SimulatorFaults } from './faults.js';
export type { SeededCluster, SeededClusters } from './seed-clusters.js';
export type { RecordedResponse } from './server.js';
export type { Clock, ObjectStore, StoredObject } from './store.js';
export { ObjectExistsError } from './store.js';
export * as simulatorResources from './resources.js';

/** Settings for `startSimulator`; every field is optional. */
export interface SimulatorOptions {
  /** TCP port; 0 picks a free port. Default 0. */
  port?: number;
  /** Listen address. Default `127.0.0.1`. */
  host?: string;
  /** Number of seeded users, the bootstrap admin included. Default 25. */
  users?: number;
  /** Seed of the generator behind ids, names and UIDs. Default 1. */
  seed?: number;
  /** Folder for `ca.pem` and `ca-key.pem`; an existing pair is reused. Default: a new temporary folder. */
  stateDir?: string;
  /** Body of 401 responses: Rancher's `{type, status, message}` or a Kubernetes `Status`. Default `rancher`. */
  unauthorizedBody?: 'rancher' | 'kubernetes';
  /** Receives one line per request and per notable event; never a token or a secret. */
  log?: (line: string) => void;
  /**
   * DNS names and IP addresses the server certificate covers. Default `localhost`, `127.0.0.1`, `::1`.
   * @experimental for tests that need a certificate for another name.
   */
  hostNames?: readonly string[];
  /**
   * Time source for token expiry and new objects. Default: the system clock.
   * @experimental for tests that move time.
   */
  clock?: Clock;
  /** Faults to inject from the start; all off by default. Tests may change them later through `faults`. */
  faults?: Partial<SimulatorFaults>;
  /**
   * Number of writes the store's history keeps. A continue token or watch resourceVersion older
   * than that many writes gets `410 Expired`. Default 1000.
   */
  historyLimit?: number;
  /** Receives every JSON response and every watch event the simulator sends. */
  onResponse?: (record: RecordedResponse) => void;
  /**
   * Folder to which every response is appended as one JSON line, for the OpenAPI conformance
   * check. Default: the `RANCHER_SIMULATOR_RECORD_DIR` environment variable; unset records nothing.
   */
  recordDir?: string;
}

/** Bearer values (`token-xxxxx:<secret>`) of the keys the simulator creates at start. */
export interface SimulatorTokens {
  /** Key of the bootstrap admin, valid for 90 days. */
  admin: string;
  /** Key of the bootstrap admin that expired a day before start. */
  expired: string;
}

/** A started simulator and what tests need to reach and change it. */
export interface RunningSimulator {
  /** `localhost:PORT`, a bare domain as a user would give it. */
  domain: string;
  port: number;
  /** Path of the CA certificate (PEM) in the state folder. */
  caFile: string;
  caPem: string;
  tokens: SimulatorTokens;
  /** Ids of the seeded users. */
  users: SeededUsers;
  /** Ids of the seeded clusters, projects, kubeconfig and audit policy. */
  clusters: SeededClusters;
  /** The live object store; changes show up in the next response. */
  store: ObjectStore;
  /**
   * Adds an API key and returns its record and bearer value.
   * @throws {ObjectExistsError} when `request.name` is given and already taken.
   */
  addToken(request: TokenRequest): { record: TokenRecord; bearer: string };
  /** Adds an ext token (`ext/token-xxxxx:<secret>`, Rancher v2.12 and later) and returns its bearer value and expiry. */
  addExtToken(request: ExtTokenRequest): ExtTokenRecord;
  /** Fault settings, read on every request; change them to inject a fault. */
  faults: SimulatorFaults;
  /**
   * Compacts the store's history, so that every continue token and watch resourceVersion issued
   * so far gets `410 Expired`.
   */
  expireContinueTokens(): void;
  /**
   * With `true`, a delete of an object that has finalizers leaves it in place with a
   * `deletionTimestamp`, as Rancher does while its controllers clean up. `false` restores the default.
   */
  holdFinalizers(hold: boolean): void;
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
}

const ninetyDaysMs = 90 * 24 * 60 * 60 * 1000;
const oneDayMs = 24 * 60 * 60 * 1000;

/**
 * Starts the simulator: loads or creates the CA, seeds the store and listens for HTTPS.
 * @throws {RangeError} when `users` is not a positive integer.
 * @throws when the state folder cannot be written or the port cannot be bound.
 */
export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const log = options.log ?? (() => undefined);
  const clock = options.clock ?? (() => new Date());
  const random = new SeededRandom(options.seed ?? 1);
  const store = new ObjectStore(random, clock, options.historyLimit === undefined ? {} : { historyLimit: options.historyLimit });
  const users = seedStore(store, random, options.users ?? 25);

  const adminToken = addToken(store, random, { userId: users.adminUserId, expiresAt: timeFromNow(clock, ninetyDaysMs), description: 'simulator admin key' });
  const expiredToken = addToken(store, random, { userId: users.adminUserId, expiresAt: timeFromNow(clock, -oneDayMs), description: 'simulator expired key' });
  const context: SimulatorContext = { store, random, clock };
  const clusters = seedClusters(context, users, { name: adminToken.name, secret: adminToken.secret, userId: users.adminUserId, expiresAt: adminToken.expiresAt ?? '' });

  const stateDir = options.stateDir ?? (await mkdtemp(path.join(os.tmpdir(), 'rancher-simulator-')));
  const authority = await loadOrCreateCertificateAuthority(stateDir);
  const credentials = await issueServerCertificate(authority, options.hostNames ?? defaultServerHostNames);

  const recordDir = options.recordDir ?? process.env.RANCHER_SIMULATOR_RECORD_DIR;
  const recorders = [options.onResponse, recordDir ? fileRecorder(recordDir) : undefined].filter((recorder) => recorder !== undefined);
  const onResponse = recorders.length === 0 ? undefined : (record: RecordedResponse) => recorders.forEach((recorder) => recorder(record));
  const faults = createFaults(options.faults);
  const server = https.createServer(
    { key: credentials.privateKeyPem, cert: credentials.certificatePem },
    createRequestHandler({ context, routes: buildRoutes(), unauthorizedBody: options.unauthorizedBody ?? 'rancher', log, faults, ...(onResponse ? { onResponse } : {}) }),
  );
  server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  context.serverUrl = `https://localhost:${port}`;
  log(`simulator listening on https://localhost:${port} with ${options.users ?? 25} users; CA in ${authority.certificateFile}`);

  return {
    domain: `localhost:${port}`,
    port,
    caFile: authority.certificateFile,
    caPem: authority.certificatePem,
    tokens: { admin: bearerValue(adminToken), expired: bearerValue(expiredToken) },
    users,
    clusters,
    store,
    addToken(request) {
      const record = addToken(store, random, request);
      return { record, bearer: bearerValue(record) };
    },
    addExtToken(request) {
      return addExtToken(store, random, clock, request);
    },
    faults,
    expireContinueTokens() {
      store.compact();
    },
    holdFinalizers(hold) {
      context.holdFinalizers = hold;
    },
    async close() {
      const closed = new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
      server.closeAllConnections();
      await closed;
      log('simulator stopped');
    },
  };
}
