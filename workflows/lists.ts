/**
 * List workflows: one paging path shared by every resource kind. Each page is its own activity,
 * so a failure retries one page, and the `listProgress` query shows how far a long list got.
 */
import { ActivityFailure, ApplicationFailure, defineQuery, log, proxyActivities, setHandler } from '@temporalio/workflow';
import type { RancherActivities } from '../activities/index.js';
import { listableResources, type ListableResourceName, type SummaryOf } from '../src/rancher/resources.js';
import { ListInputSchema, parseInput, ProjectListInputSchema, RoleTemplateListInputSchema, type ListInput, type ParsedListInput, type ProjectListInput, type RoleTemplateListInput } from './inputs.js';

const { loadRancherCredentials, listRancherPage } = proxyActivities<RancherActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 5 },
});

/** How often a list starts over after Rancher expired its `continue` token (410 Expired). */
export const MAX_LIST_RESTARTS = 3;

export interface ListProgress {
  pages: number;
  items: number;
  restarts: number;
}

export const listProgressQuery = defineQuery<ListProgress>('listProgress');

export interface ListResult<Item> {
  connection: string;
  kind: string;
  items: Item[];
  count: number;
  /** True when `maxItems` cut the list short. */
  truncated: boolean;
}

function isExpiredContinue(error: unknown): boolean {
  const cause = error instanceof ActivityFailure ? error.cause : undefined;
  if (!(cause instanceof ApplicationFailure)) return false;
  const details = cause.details?.[0] as { status?: number } | undefined;
  return details?.status === 410;
}

/** The narrowing of one list beyond the list input: a namespace, a filter or both. */
interface ListScope<Item> {
  /** Reads one namespace only (a cluster id, for projects). */
  namespace?: string;
  /** Keeps only the items it returns true for; Rancher offers no server-side selector for them. */
  keep?: (item: Item) => boolean;
}

/**
 * Lists every item of `resource`, page by page, following `continue`. With `scope.keep`,
 * `maxItems` counts kept items, and `truncated` is true only when a further kept item exists.
 * Throws the activity's failure when a page cannot be read, or an `ListRestartsExhausted`
 * failure when Rancher expires the `continue` token more than {@link MAX_LIST_RESTARTS} times.
 */
async function listAll<Name extends ListableResourceName>(
  resource: Name,
  input: ParsedListInput,
  scope: ListScope<SummaryOf<Name>> = {},
): Promise<ListResult<SummaryOf<Name>>> {
  const progress: ListProgress = { pages: 0, items: 0, restarts: 0 };
  setHandler(listProgressQuery, () => progress);

  await loadRancherCredentials({ connection: input.connection });

  for (;;) {
    const items: SummaryOf<Name>[] = [];
    const seen = new Set<string>();
    let continueToken: string | undefined;
    let truncated = false;
    progress.pages = 0;
    progress.items = 0;

    try {
      do {
        // Once maxItems is reached, a filtered list reads on only to learn whether another kept item exists.
        const full = items.length >= input.maxItems;
        const page = await listRancherPage({
          connection: input.connection,
          resource,
          limit: full ? input.pageSize : Math.min(input.pageSize, input.maxItems - items.length),
          ...(continueToken ? { continue: continueToken } : {}),
          ...(input.labelSelector ? { labelSelector: input.labelSelector } : {}),
          ...(scope.namespace ? { namespace: scope.namespace } : {}),
        });
        const kept = scope.keep ? (page.items as SummaryOf<Name>[]).filter(scope.keep) : (page.items as SummaryOf<Name>[]);
        continueToken = page.continue;
        progress.pages += 1;
        if (full) {
          if (kept.length > 0) truncated = true;
          if (truncated) break;
          continue;
        }
        for (const item of kept) {
          // Kubernetes paging never repeats an item within one list; the check keeps a faulty server from doing so.
          if (seen.has(item.id)) continue;
          seen.add(item.id);
          items.push(item);
        }
        progress.items = items.length;
        if (continueToken && items.length >= input.maxItems && !scope.keep) {
          // Without a filter, a continue token means that more items exist.
          truncated = true;
          break;
        }
      } while (continueToken);
    } catch (error) {
      if (isExpiredContinue(error) && progress.restarts < MAX_LIST_RESTARTS) {
        progress.restarts += 1;
        log.warn('Rancher expired the continue token; listing again from the start', { resource, restarts: progress.restarts });
        continue;
      }
      if (isExpiredContinue(error)) {
        throw ApplicationFailure.create({
          type: 'ListRestartsExhausted',
          message: `Listing ${resource} restarted ${MAX_LIST_RESTARTS} times because Rancher expired the continue token each time; no partial list is returned. Use a larger pageSize, or retry when Rancher is less busy.`,
          nonRetryable: true,
          cause: error as Error,
        });
      }
      throw error;
    }

    return { connection: input.connection, kind: listableResources[resource].kind, items, count: items.length, truncated };
  }
}

/** Lists Rancher users (`management.cattle.io/v3` User) as compact summaries. */
export async function listRancherUsers(input?: ListInput): Promise<ListResult<SummaryOf<'users'>>> {
  return listAll('users', parseInput(ListInputSchema, input, 'listRancherUsers'));
}

/** Lists Rancher global roles as compact summaries. */
export async function listGlobalRoles(input?: ListInput): Promise<ListResult<SummaryOf<'globalroles'>>> {
  return listAll('globalroles', parseInput(ListInputSchema, input, 'listGlobalRoles'));
}

/** Lists global role bindings (who has which global role) as compact summaries. */
export async function listGlobalRoleBindings(input?: ListInput): Promise<ListResult<SummaryOf<'globalrolebindings'>>> {
  return listAll('globalrolebindings', parseInput(ListInputSchema, input, 'listGlobalRoleBindings'));
}

/** Lists the projects of every cluster, or of the cluster named by `cluster`, as compact summaries. */
export async function listProjects(input?: ProjectListInput): Promise<ListResult<SummaryOf<'projects'>>> {
  const { cluster, ...listInput } = parseInput(ProjectListInputSchema, input, 'listProjects');
  return listAll('projects', listInput, cluster ? { namespace: cluster } : {});
}

/** Lists role templates as compact summaries, only those of one `context` when it is given. */
export async function listRoleTemplates(input?: RoleTemplateListInput): Promise<ListResult<SummaryOf<'roletemplates'>>> {
  const { context, ...listInput } = parseInput(RoleTemplateListInputSchema, input, 'listRoleTemplates');
  return listAll('roletemplates', listInput, context ? { keep: (template) => template.context === context } : {});
}
