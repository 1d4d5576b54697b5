/**
 * Changes Rancher's webhook and controllers make to a GlobalRoleBinding, applied at once on create.
 *
 * The admission step follows the rancher/webhook GlobalRoleBinding mutator: a binding that
 * names a missing GlobalRole is rejected with 400, otherwise it gains an ownerReference to the
 * role and the `cleanup.cattle.io/grbUpgradeCluster` annotation. The completion step imitates
 * the `mgmt-auth-grb-controller`: lifecycle annotation, finalizer and a `Complete` status.
 */
import { globalRolesResource } from './resources.js';
import { badRequest, SimulatorResponseError, type StatusCause } from './status.js';
import { formatTimestamp, type NewObject, type ObjectStore } from './store.js';

const webhookName = 'rancher.cattle.io.globalrolebindings.management.cattle.io';
const controllerName = 'mgmt-auth-grb-controller';

/** Returns the schema problems of a binding: `globalRoleName` is required and must be a string. */
export function globalRoleBindingCauses(binding: NewObject): StatusCause[] {
  const roleName = binding.globalRoleName;
  if (roleName === undefined || roleName === null || roleName === '') {
    return [{ reason: 'FieldValueRequired', message: 'Required value', field: 'globalRoleName' }];
  }
  if (typeof roleName !== 'string') {
    return [{ reason: 'FieldValueTypeInvalid', message: `Invalid value: "${typeof roleName}": globalRoleName in body must be of type string`, field: 'globalRoleName' }];
  }
  return [];
}

/**
 * Applies the webhook's create-time mutation: ownerReference to the role and upgrade annotation.
 * @throws {SimulatorResponseError} with a 400 `BadRequest` status when the GlobalRole does not exist.
 */
export function admitGlobalRoleBinding(store: ObjectStore, binding: NewObject): void {
  const roleName = String(binding.globalRoleName);
  const role = store.get(globalRolesResource, roleName);
  if (!role) {
    throw new SimulatorResponseError(
      badRequest(`admission webhook "${webhookName}" denied the request: globalrolebinding.globalRoleName: Not found: "${roleName}"`),
    );
  }

  binding.metadata.annotations = { ...binding.metadata.annotations, 'cleanup.cattle.io/grbUpgradeCluster': 'true' };
  binding.metadata.ownerReferences = [
    ...(binding.metadata.ownerReferences ?? []),
    { apiVersion: role.apiVersion, kind: role.kind, name: role.metadata.name, uid: role.metadata.uid },
  ];
}

/** Adds what Rancher's GRB controller adds once it has reconciled a new binding. */
export function completeGlobalRoleBinding(binding: NewObject, now: Date): void {
  const time = formatTimestamp(now);
  binding.metadata.annotations = { ...binding.metadata.annotations, [`lifecycle.cattle.io/create.${controllerName}`]: 'true' };
  const finalizer = `controller.cattle.io/${controllerName}`;
  binding.metadata.finalizers = [...(binding.metadata.finalizers ?? []).filter((name) => name !== finalizer), finalizer];
  binding.status = {
    lastUpdateTime: time,
    localConditions: [
      { lastTransitionTime: time, message: '', reason: 'ClusterPermissionsReconciled', status: 'True', type: 'ClusterPermissionsReconciled' },
    ],
    observedGenerationLocal: 1,
    summary: 'Complete',
    summaryLocal: 'Complete',
  };
}
