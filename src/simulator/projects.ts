/**
 * Projects: a project lives in the namespace named after its cluster, `spec.clusterName` repeats
 * that id and never changes, and Rancher's controller gives it a backing namespace
 * `<cluster>-<project>` that contains its project role template bindings.
 */
import { badRequest, SimulatorResponseError, type StatusCause } from './status.js';
import { clustersResource, projectsResource } from './resources.js';
import { formatTimestamp } from './store.js';
import { fieldAt, requiredFields, stringFields, type DraftObject, type TypeHooks } from './type-hooks.js';

const webhookName = `rancher.cattle.io.${projectsResource.plural}.${projectsResource.group}`;

/** Returns the namespace Rancher creates for a project's objects. */
export function backingNamespaceOf(cluster: string, project: string): string {
  return `${cluster}-${project}`;
}

/** Fills what Rancher's project controller sets: backing namespace and the initial conditions. */
export function completeProject(project: DraftObject, now: Date): void {
  const time = formatTimestamp(now);
  const cluster = String(fieldAt(project, 'spec.clusterName'));
  project.status = {
    backingNamespace: backingNamespaceOf(cluster, project.metadata.name),
    conditions: ['BackingNamespaceCreated', 'InitialRolesPopulated', 'CreatorMadeOwner'].map((type) => ({ lastUpdateTime: time, status: 'True', type })),
  };
}

/** Hooks of `Project`. */
export const projectHooks: TypeHooks = {
  immutable: ['spec.clusterName'],
  validate(project): StatusCause[] {
    const spec = project.spec;
    if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
      return [{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec' }];
    }
    return [...requiredFields(project, ['spec.clusterName', 'spec.displayName']), ...stringFields(project, ['spec.clusterName', 'spec.displayName', 'spec.description'])];
  },
  admit(context, project, old) {
    if (old) {
      return;
    }
    const cluster = String(fieldAt(project, 'spec.clusterName'));
    if (cluster !== project.metadata.namespace) {
      throw new SimulatorResponseError(
        badRequest(`admission webhook "${webhookName}" denied the request: project.spec.clusterName: Invalid value: "${cluster}": clusterName must equal the namespace "${String(project.metadata.namespace)}"`),
      );
    }
    if (!context.store.get(clustersResource, cluster)) {
      throw new SimulatorResponseError(badRequest(`admission webhook "${webhookName}" denied the request: project.spec.clusterName: Not found: "${cluster}"`));
    }
  },
  complete(context, project) {
    project.metadata.annotations = { ...project.metadata.annotations };
    completeProject(project, context.clock());
  },
};
