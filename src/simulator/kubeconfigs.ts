/**
 * The `ext.cattle.io/v1` Kubeconfig API. Creating a kubeconfig makes an ext token for the caller
 * and returns the kubeconfig text in `status.value`, in the create response only. Later reads
 * leave the value out because the token's secret is not stored. Deleting a kubeconfig deletes the
 * tokens listed in `status.tokens`.
 *
 * Rancher generates the name and ignores the client's. `spec.ttl` is in seconds (unlike a token's
 * milliseconds); 0 or absent means `kubeconfig-default-token-ttl-minutes` = 43200 (30 days).
 * NOTE: the simulator makes one token for all clusters of a kubeconfig; Rancher may make one per
 * cluster when clusters use an authorized cluster endpoint.
 */
import { isAdministrator, maxTokenTtlMs, prepareExtToken, secretOfDraft } from './ext-token-api.js';
import { badRequest, SimulatorResponseError, type StatusCause } from './status.js';
import { clustersResource, extTokensResource, kubeconfigsResource } from './resources.js';
import type { StoredObject } from './store.js';
import { fieldAt, type DraftObject, type SimulatorContext, type TypeHooks } from './type-hooks.js';

/** Default lifetime of a kubeconfig's token, in seconds. */
export const defaultKubeconfigTtlSeconds = 43_200 * 60;

const ownerLabel = 'cattle.io/user-id';
const webhookName = `rancher.cattle.io.${kubeconfigsResource.plural}.${kubeconfigsResource.group}`;
const tokenSecrets = new WeakMap<object, { tokenName: string; secret: string }>();

function clustersOf(kubeconfig: Record<string, unknown>): string[] {
  const clusters = fieldAt(kubeconfig, 'spec.clusters');
  return Array.isArray(clusters) ? clusters.filter((cluster): cluster is string => typeof cluster === 'string') : [];
}

/** Renders the kubeconfig text: one cluster, user and context per cluster, all with the same token. */
export function renderKubeconfig(serverUrl: string, clusters: readonly string[], currentContext: string, bearer: string): string {
  const lines = ['apiVersion: v1', 'kind: Config', 'clusters:'];
  for (const cluster of clusters) {
    lines.push(`- name: ${cluster}`, '  cluster:', `    server: ${serverUrl}/k8s/clusters/${cluster}`);
  }
  lines.push('users:');
  for (const cluster of clusters) {
    lines.push(`- name: ${cluster}`, '  user:', `    token: ${bearer}`);
  }
  lines.push('contexts:');
  for (const cluster of clusters) {
    lines.push(`- name: ${cluster}`, '  context:', `    user: ${cluster}`, `    cluster: ${cluster}`);
  }
  lines.push(`current-context: ${currentContext}`, '');
  return lines.join('\n');
}

function createToken(context: SimulatorContext, kubeconfig: DraftObject, userId: string, ttlSeconds: number): { tokenName: string; secret: string } {
  const token: DraftObject = {
    apiVersion: 'ext.cattle.io/v1',
    kind: 'Token',
    metadata: { name: '', labels: { 'authn.management.cattle.io/kubeconfig-name': kubeconfig.metadata.name } },
    spec: { description: `kubeconfig ${kubeconfig.metadata.name}`, ttl: Math.min(ttlSeconds * 1000, maxTokenTtlMs) },
  };
  prepareExtToken(context, token, userId);
  let name = `token-${context.random.nameSuffix()}`;
  while (context.store.has(extTokensResource, name)) {
    name = `token-${context.random.nameSuffix()}`;
  }
  token.metadata.name = name;
  context.store.create(extTokensResource, token);
  return { tokenName: name, secret: secretOfDraft(token) ?? '' };
}

/** Hooks of `Kubeconfig`. */
export const kubeconfigHooks: TypeHooks = {
  immutable: ['spec.clusters', 'spec.currentContext', 'spec.ttl'],
  serverOwnedStatus: true,
  prepareCreate(_context, kubeconfig, requester) {
    kubeconfig.metadata.name = '';
    kubeconfig.metadata.generateName = 'kubeconfig-';
    kubeconfig.metadata.labels = { ...kubeconfig.metadata.labels, [ownerLabel]: requester.userId };
  },
  validate(kubeconfig): StatusCause[] {
    const causes: StatusCause[] = [];
    const clusters = fieldAt(kubeconfig, 'spec.clusters');
    if (!Array.isArray(clusters) || clusters.length === 0) {
      causes.push({ reason: 'FieldValueRequired', message: 'Required value: at least one cluster', field: 'spec.clusters' });
    } else if (clusters.some((cluster) => typeof cluster !== 'string')) {
      causes.push({ reason: 'FieldValueTypeInvalid', message: 'Invalid value: cluster names must be strings', field: 'spec.clusters' });
    }
    const ttl = fieldAt(kubeconfig, 'spec.ttl');
    if (ttl !== undefined && (!Number.isSafeInteger(ttl) || (ttl as number) < 0)) {
      causes.push({ reason: 'FieldValueInvalid', message: 'Invalid value: spec.ttl must be a non-negative integer number of seconds', field: 'spec.ttl' });
    }
    return causes;
  },
  admit(context, kubeconfig, old, requester) {
    if (old) {
      return;
    }
    const clusters = clustersOf(kubeconfig);
    for (const cluster of clusters) {
      if (!context.store.get(clustersResource, cluster)) {
        throw new SimulatorResponseError(badRequest(`admission webhook "${webhookName}" denied the request: spec.clusters: Not found: "${cluster}"`));
      }
    }
    const currentContext = fieldAt(kubeconfig, 'spec.currentContext');
    if (typeof currentContext === 'string' && currentContext !== '' && !clusters.includes(currentContext)) {
      throw new SimulatorResponseError(badRequest(`admission webhook "${webhookName}" denied the request: spec.currentContext: Invalid value: "${currentContext}": must be one of spec.clusters`));
    }

    const spec = kubeconfig.spec as Record<string, unknown>;
    const ttlSeconds = typeof spec.ttl === 'number' && spec.ttl > 0 ? spec.ttl : defaultKubeconfigTtlSeconds;
    spec.ttl = ttlSeconds;
    spec.currentContext = typeof currentContext === 'string' && currentContext !== '' ? currentContext : clusters[0];

    const token = createToken(context, kubeconfig, requester.userId, ttlSeconds);
    tokenSecrets.set(kubeconfig, token);
    kubeconfig.status = {
      summary: 'Complete',
      tokens: [token.tokenName],
      conditions: [],
    };
  },
  createResponse(context, created, draft) {
    const token = tokenSecrets.get(draft);
    if (!token) {
      return created;
    }
    const value = renderKubeconfig(context.serverUrl ?? 'https://localhost', clustersOf(created), String(fieldAt(created, 'spec.currentContext')), `ext/${token.tokenName}:${token.secret}`);
    return { ...created, status: { ...(created.status as Record<string, unknown>), value } };
  },
  afterDelete(context, kubeconfig) {
    const tokens = fieldAt(kubeconfig, 'status.tokens');
    for (const tokenName of Array.isArray(tokens) ? tokens : []) {
      context.store.delete(extTokensResource, String(tokenName));
    }
  },
  visible(context, kubeconfig: StoredObject, requester) {
    return kubeconfig.metadata.labels?.[ownerLabel] === requester.userId || isAdministrator(context, requester.userId);
  },
  present(_context, kubeconfig) {
    if (fieldAt(kubeconfig, 'status.value') === undefined) {
      return kubeconfig;
    }
    const status = { ...(kubeconfig.status as Record<string, unknown>) };
    delete status.value;
    return { ...kubeconfig, status };
  },
};
