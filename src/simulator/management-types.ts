/**
 * Hooks of the types with little behaviour of their own: users, global roles, role templates and
 * audit policies. Each follows its CRD schema (required fields, enums, immutable `builtin`) and
 * gets what Rancher's controllers add after a create.
 */
import { badRequest, SimulatorResponseError, type StatusCause } from './status.js';
import { roleTemplatesResource } from './resources.js';
import { formatTimestamp } from './store.js';
import { fieldAt, stringFields, type TypeHooks } from './type-hooks.js';

const userControllerName = 'mgmt-auth-users-controller';

/** Hooks of `User`: the users controller adds the local principal id, a finalizer and a condition. */
export const userHooks: TypeHooks = {
  validate(user): StatusCause[] {
    const causes = stringFields(user, ['username', 'displayName', 'description']);
    const principalIds = user.principalIds;
    if (principalIds !== undefined && (!Array.isArray(principalIds) || principalIds.some((id) => typeof id !== 'string'))) {
      causes.push({ reason: 'FieldValueTypeInvalid', message: 'Invalid value: principalIds must be an array of strings', field: 'principalIds' });
    }
    return causes;
  },
  complete(context, user) {
    const localPrincipal = `local://${user.metadata.name}`;
    const principalIds = Array.isArray(user.principalIds) ? (user.principalIds as string[]) : [];
    if (principalIds.length === 0) {
      user.principalIds = [...principalIds, localPrincipal];
    }
    user.metadata.annotations = { ...user.metadata.annotations, [`lifecycle.cattle.io/create.${userControllerName}`]: 'true' };
    user.metadata.finalizers = [...(user.metadata.finalizers ?? []), `controller.cattle.io/${userControllerName}`];
    user.status = { conditions: [{ lastUpdateTime: formatTimestamp(context.clock()), status: 'True', type: 'InitialRolesPopulated' }] };
  },
};

function ruleCauses(object: Record<string, unknown>, field: string): StatusCause[] {
  const rules = object[field];
  if (rules === undefined) {
    return [];
  }
  if (!Array.isArray(rules)) {
    return [{ reason: 'FieldValueTypeInvalid', message: `Invalid value: ${field} must be an array of policy rules`, field }];
  }
  return rules.flatMap((rule: unknown, index) => {
    const verbs = typeof rule === 'object' && rule !== null ? (rule as { verbs?: unknown }).verbs : undefined;
    return Array.isArray(verbs) ? [] : [{ reason: 'FieldValueRequired', message: 'Required value', field: `${field}[${index}].verbs` }];
  });
}

/** Hooks of `GlobalRole`: rules need verbs, `builtin` never changes, and the controller reports `Complete`. */
export const globalRoleHooks: TypeHooks = {
  immutable: ['builtin'],
  validate(role): StatusCause[] {
    return [...stringFields(role, ['displayName', 'description']), ...ruleCauses(role, 'rules')];
  },
  complete(context, role) {
    role.status = { conditions: [], lastUpdateTime: formatTimestamp(context.clock()), observedGeneration: 1, summary: 'Complete' };
  },
};

const roleTemplateContexts = ['project', 'cluster', ''];
const roleTemplateWebhook = `rancher.cattle.io.${roleTemplatesResource.plural}.${roleTemplatesResource.group}`;

/**
 * Hooks of `RoleTemplate`: `context` is one of the CRD's enum values, rules need verbs, `builtin`
 * never changes, and inherited templates (`roleTemplateNames`) must exist, as the webhook checks.
 */
export const roleTemplateHooks: TypeHooks = {
  immutable: ['builtin'],
  validate(template): StatusCause[] {
    const causes = [...stringFields(template, ['displayName', 'description']), ...ruleCauses(template, 'rules'), ...ruleCauses(template, 'externalRules')];
    const context = template.context;
    if (context !== undefined && !roleTemplateContexts.includes(context as string)) {
      causes.push({ reason: 'FieldValueNotSupported', message: `Unsupported value: ${JSON.stringify(context)}: supported values: "project", "cluster", ""`, field: 'context' });
    }
    return causes;
  },
  admit(context, template) {
    const inherited = template.roleTemplateNames;
    for (const name of Array.isArray(inherited) ? inherited : []) {
      if (name === template.metadata.name || !context.store.get(roleTemplatesResource, String(name))) {
        throw new SimulatorResponseError(badRequest(`admission webhook "${roleTemplateWebhook}" denied the request: roletemplate.roleTemplateNames: Not found: "${String(name)}"`));
      }
    }
  },
};

/** Hooks of the `auditlog.cattle.io` `AuditPolicy`: `spec` and `spec.enabled` are required. */
export const auditPolicyHooks: TypeHooks = {
  validate(policy): StatusCause[] {
    const spec = policy.spec;
    if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
      return [{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec' }];
    }
    const causes: StatusCause[] = [];
    const enabled = fieldAt(policy, 'spec.enabled');
    if (typeof enabled !== 'boolean') {
      causes.push(enabled === undefined ? { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.enabled' } : { reason: 'FieldValueTypeInvalid', message: 'Invalid value: spec.enabled must be a boolean', field: 'spec.enabled' });
    }
    const verbosity = fieldAt(policy, 'spec.verbosity');
    if (verbosity !== undefined && !Number.isInteger(fieldAt(policy, 'spec.verbosity.level'))) {
      causes.push({ reason: 'FieldValueRequired', message: 'Required value: an integer level', field: 'spec.verbosity.level' });
    }
    return causes;
  },
};
