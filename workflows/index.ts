/** Every workflow type the worker registers on the `rancher` task queue. */
export { listRancherUsers, listGlobalRoles, listGlobalRoleBindings, listProjects, listRoleTemplates, listProgressQuery } from './lists.js';
export { rancherApiRequest } from './api-request.js';
export { testRancherConnection } from './connection-test.js';
export { createGlobalRoleBinding, deleteGlobalRoleBinding, revokeSignal } from './bindings.js';
export { approveSignal, rejectSignal, approvalStateQuery } from './approval.js';
export { watchRancherConnections } from './connection-watch.js';
