/**
 * Cluster and project role template bindings (CRTBs and PRTBs): the CRD schema's required fields,
 * the checks of Rancher's admission webhook, and what Rancher's controllers add after a create.
 *
 * rancher/webhook documents these checks for CRTBs, and the simulator applies them to PRTBs too:
 * - exactly one subject kind: a user through `userName` or `userPrincipalName`, or a group
 *   through `groupName` or `groupPrincipalName`;
 * - `roleTemplateName` names an existing role template of the right context that is not locked;
 * - a CRTB's `clusterName` equals its namespace and names an existing cluster;
 * - a PRTB's `projectName` (`<cluster>:<project>`) names an existing project whose backing
 *   namespace is the PRTB's namespace.
 * `clusterName`, `projectName` and `roleTemplateName` never change, and subject fields can be set
 * once. NOTE: that PRTBs follow the CRTB rules is an assumption, because their webhook
 * documentation was not available.
 */
import { badRequest, SimulatorResponseError, type StatusCause } from './status.js';
import { clusterRoleTemplateBindingsResource, clustersResource, projectRoleTemplateBindingsResource, projectsResource, roleTemplatesResource, type ResourceType } from './resources.js';
import { formatTimestamp, type StoredObject } from './store.js';
import { requiredFields, stringFields, type DraftObject, type SimulatorContext, type TypeHooks } from './type-hooks.js';

const subjectFields = ['userName', 'userPrincipalName', 'groupName', 'groupPrincipalName'] as const;

function webhookDenial(resource: ResourceType, message: string): SimulatorResponseError {
  return new SimulatorResponseError(badRequest(`admission webhook "rancher.cattle.io.${resource.plural}.${resource.group}" denied the request: ${message}`));
}

function text(object: Record<string, unknown>, field: string): string {
  const value = object[field];
  return typeof value === 'string' ? value : '';
}

/** Checks the subject fields and the role template that every binding kind shares. */
function admitBinding(context: SimulatorContext, resource: ResourceType, binding: DraftObject, templateContext: 'cluster' | 'project'): void {
  const kind = resource.kind.charAt(0).toLowerCase() + resource.kind.slice(1);
  const userSubject = text(binding, 'userName') !== '' || text(binding, 'userPrincipalName') !== '';
  const groupSubject = text(binding, 'groupName') !== '' || text(binding, 'groupPrincipalName') !== '';
  if (userSubject === groupSubject) {
    throw webhookDenial(resource, `${kind}: Forbidden: binding must target either a user [userName]/[userPrincipalName] OR a group [groupName]/[groupPrincipalName]`);
  }

  const templateName = text(binding, 'roleTemplateName');
  const template = context.store.get(roleTemplatesResource, templateName);
  if (!template) {
    throw webhookDenial(resource, `${kind}.roleTemplateName: Not found: "${templateName}"`);
  }
  if (template.locked === true) {
    throw webhookDenial(resource, `${kind}.roleTemplateName: Invalid value: "${templateName}": the role template is locked, so no new binding may use it`);
  }
  if (template.context !== templateContext) {
    throw webhookDenial(resource, `${kind}.roleTemplateName: Invalid value: "${templateName}": the role template's context is "${String(template.context ?? '')}", expected "${templateContext}"`);
  }
}

function bindingStatus(now: string): Record<string, unknown> {
  return {
    lastUpdateTime: now,
    localConditions: [],
    observedGenerationLocal: 1,
    observedGenerationRemote: 1,
    remoteConditions: [],
    summary: 'Complete',
    summaryLocal: 'Complete',
    summaryRemote: 'Complete',
  };
}

/** Adds the annotations, finalizers and labels Rancher's binding controllers add for `cluster`. */
function addControllerMetadata(binding: DraftObject, shortKind: 'crtb' | 'prtb', cluster: string): void {
  binding.metadata.annotations = {
    ...binding.metadata.annotations,
    [`lifecycle.cattle.io/create.cluster-${shortKind}-sync_${cluster}`]: 'true',
    [`lifecycle.cattle.io/create.mgmt-auth-${shortKind}-controller`]: 'true',
  };
  const finalizers = [`clusterscoped.controller.cattle.io/cluster-${shortKind}-sync_${cluster}`, `controller.cattle.io/mgmt-auth-${shortKind}-controller`];
  binding.metadata.finalizers = [...(binding.metadata.finalizers ?? []).filter((name) => !finalizers.includes(name)), ...finalizers];
  binding.metadata.labels = {
    ...binding.metadata.labels,
    'auth.management.cattle.io/crb-rb-labels-updated': 'true',
    'authz.cluster.cattle.io/crb-rb-labels-updated': 'true',
  };
}

/** Hooks of `ClusterRoleTemplateBinding`. */
export const clusterRoleTemplateBindingHooks: TypeHooks = {
  immutable: ['clusterName', 'roleTemplateName'],
  setOnce: subjectFields,
  validate(binding): StatusCause[] {
    return [...requiredFields(binding, ['clusterName', 'roleTemplateName']), ...stringFields(binding, ['clusterName', 'roleTemplateName', ...subjectFields])];
  },
  admit(context, binding, old) {
    if (old) {
      return;
    }
    const cluster = text(binding, 'clusterName');
    if (cluster !== binding.metadata.namespace) {
      throw webhookDenial(clusterRoleTemplateBindingsResource, `clusterroletemplatebinding.clusterName: Invalid value: "${cluster}": clusterName must equal the namespace "${String(binding.metadata.namespace)}"`);
    }
    if (!context.store.get(clustersResource, cluster)) {
      throw webhookDenial(clusterRoleTemplateBindingsResource, `clusterroletemplatebinding.clusterName: Not found: "${cluster}"`);
    }
    admitBinding(context, clusterRoleTemplateBindingsResource, binding, 'cluster');
  },
  complete(context, binding) {
    addControllerMetadata(binding, 'crtb', text(binding, 'clusterName'));
    binding.status = bindingStatus(formatTimestamp(context.clock()));
  },
};

/** Returns the project a PRTB's `projectName` (`<cluster>:<project>`) names, if it exists. */
function projectOf(context: SimulatorContext, projectName: string): StoredObject | undefined {
  const [cluster, project, ...rest] = projectName.split(':');
  if (!cluster || !project || rest.length > 0) {
    return undefined;
  }
  return context.store.get(projectsResource, project, cluster);
}

/** Hooks of `ProjectRoleTemplateBinding`; the type has no status. */
export const projectRoleTemplateBindingHooks: TypeHooks = {
  immutable: ['projectName', 'roleTemplateName'],
  setOnce: [...subjectFields, 'serviceAccount'],
  validate(binding): StatusCause[] {
    return [...requiredFields(binding, ['projectName', 'roleTemplateName']), ...stringFields(binding, ['projectName', 'roleTemplateName', ...subjectFields])];
  },
  admit(context, binding, old) {
    if (old) {
      return;
    }
    const projectName = text(binding, 'projectName');
    const project = projectOf(context, projectName);
    if (!project) {
      throw webhookDenial(projectRoleTemplateBindingsResource, `projectroletemplatebinding.projectName: Not found: "${projectName}": expected <cluster id>:<project id> of an existing project`);
    }
    const backingNamespace = (project.status as { backingNamespace?: string } | undefined)?.backingNamespace;
    if (backingNamespace !== binding.metadata.namespace) {
      throw webhookDenial(
        projectRoleTemplateBindingsResource,
        `projectroletemplatebinding.metadata.namespace: Invalid value: "${String(binding.metadata.namespace)}": a binding for project ${projectName} must be in its backing namespace "${String(backingNamespace)}"`,
      );
    }
    admitBinding(context, projectRoleTemplateBindingsResource, binding, 'project');
  },
  complete(_context, binding) {
    addControllerMetadata(binding, 'prtb', text(binding, 'projectName').split(':')[0] ?? '');
    delete binding.status;
  },
};
