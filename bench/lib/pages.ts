/** The list and read pages of the public API, timed one request at a time. */
import { USERS } from './e2e';
import { type ListPage } from './figures';
import { epochMs, summarize, type Summary } from './stats';

/** Each page: what the report calls it and its URL for the i-th request (users in turn). */
export const PAGES: Record<ListPage, { readonly label: string; readonly path: (i: number) => string }> = {
  tasks: { label: 'GET /v1/tasks?limit=20', path: () => '/v1/tasks?limit=20' },
  completed: {
    label: 'GET /v1/tasks?limit=20&status=completed',
    path: () => '/v1/tasks?limit=20&status=completed',
  },
  user: {
    label: 'GET /v1/tasks?userId={user}&status=completed&limit=20',
    path: (i) => `/v1/tasks?userId=${USERS[i % USERS.length] as string}&status=completed&limit=20`,
  },
  recommendations: {
    label: 'GET /v1/users/{user}/recommendations',
    path: (i) => `/v1/users/${USERS[i % USERS.length] as string}/recommendations`,
  },
};

export interface PageTiming {
  readonly latency: Summary;
  /** Items on the last page read. */
  readonly items: number;
  /** Why it stopped before `reads` requests, if it did. */
  readonly stopped?: string;
}

async function get(url: string, timeoutMs: number): Promise<{ ms: number; items: number }> {
  const started = epochMs();
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  const text = await res.text();
  const ms = epochMs() - started;
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}: ${text.slice(0, 200)}`);
  const body = JSON.parse(text) as { items?: unknown[] };
  return { ms, items: Array.isArray(body.items) ? body.items.length : 0 };
}

/**
 * One warm-up request, then `reads` requests one after another, or fewer when `budgetMs` runs out
 * (at least one is timed). A request that fails or takes longer than `timeoutMs` ends the page.
 */
export async function timePage(
  baseUrl: string,
  page: ListPage,
  options: { reads: number; budgetMs: number; timeoutMs: number },
): Promise<PageTiming> {
  const samples: number[] = [];
  const deadline = epochMs() + options.budgetMs;
  let items = 0;
  try {
    items = (await get(`${baseUrl}${PAGES[page].path(0)}`, options.timeoutMs)).items;
    for (let i = 1; i <= options.reads; i += 1) {
      if (samples.length > 0 && epochMs() > deadline) {
        return { latency: summarize(samples), items, stopped: `${options.budgetMs / 1000} s budget spent` };
      }
      const got = await get(`${baseUrl}${PAGES[page].path(i)}`, options.timeoutMs);
      samples.push(got.ms);
      items = got.items;
    }
    return { latency: summarize(samples), items };
  } catch (error) {
    const reason =
      error instanceof Error && error.name === 'TimeoutError'
        ? `a request took longer than ${options.timeoutMs / 1000} s`
        : error instanceof Error
          ? error.message
          : String(error);
    return { latency: summarize(samples), items, stopped: reason };
  }
}

/**
 * Waits until the newest completed task the list shows is `taskId` (the last one seeded), so the
 * projection has stored what was seeded and the API serves it.
 */
export async function waitListed(baseUrl: string, taskId: string, timeoutMs: number): Promise<void> {
  const deadline = epochMs() + timeoutMs;
  let seen = '(nothing)';
  while (epochMs() < deadline) {
    const res = await fetch(`${baseUrl}/v1/tasks?limit=1&status=completed`, {
      signal: AbortSignal.timeout(Math.max(1, Math.ceil(deadline - epochMs()))),
    });
    const body = (await res.json()) as { items?: { taskId?: string }[] };
    seen = body.items?.[0]?.taskId ?? '(nothing)';
    if (seen === taskId) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`GET /v1/tasks did not list ${taskId} first within ${timeoutMs} ms (it listed ${seen})`);
}
