/**
 * Registers the per-type hooks of every served type. Importing this module once is enough;
 * `operations.ts` does so.
 */
import { extTokenHooks } from './ext-token-api.js';
import { admitGlobalRoleBinding, completeGlobalRoleBinding, globalRoleBindingCauses } from './global-role-bindings.js';
import { kubeconfigHooks } from './kubeconfigs.js';
import { projectHooks } from './projects.js';
import {
  auditPoliciesResource,
  clusterRoleTemplateBindingsResource,
  extTokensResource,
  globalRoleBindingsResource,
  globalRolesResource,
  kubeconfigsResource,
  projectRoleTemplateBindingsResource,
  projectsResource,
  roleTemplatesResource,
  usersResource,
} from './resources.js';
import { clusterRoleTemplateBindingHooks, projectRoleTemplateBindingHooks } from './role-template-bindings.js';
import { auditPolicyHooks, globalRoleHooks, roleTemplateHooks, userHooks } from './management-types.js';
import { registerTypeHooks } from './type-hooks.js';

registerTypeHooks(usersResource, userHooks);
registerTypeHooks(globalRolesResource, globalRoleHooks);
registerTypeHooks(globalRoleBindingsResource, {
  immutable: ['globalRoleName', 'userName', 'userPrincipalName', 'groupPrincipalName'],
  validate: globalRoleBindingCauses,
  admit(context, binding, old) {
    if (!old) {
      admitGlobalRoleBinding(context.store, binding);
    }
  },
  complete(context, binding) {
    completeGlobalRoleBinding(binding, context.clock());
  },
});
registerTypeHooks(roleTemplatesResource, roleTemplateHooks);
registerTypeHooks(projectsResource, projectHooks);
registerTypeHooks(clusterRoleTemplateBindingsResource, clusterRoleTemplateBindingHooks);
registerTypeHooks(projectRoleTemplateBindingsResource, projectRoleTemplateBindingHooks);
registerTypeHooks(extTokensResource, extTokenHooks);
registerTypeHooks(kubeconfigsResource, kubeconfigHooks);
registerTypeHooks(auditPoliciesResource, auditPolicyHooks);
