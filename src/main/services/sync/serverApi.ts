import {
  Assignment,
  DoubleAnnotationPage,
  DoubleAnnotationSummaryPage,
  EventsPage,
  ReviewQueueEntry,
  ServerErrorBody,
  ServerSet,
  ServerSetWithLabels,
  ProjectProgress,
  ProjectSummary,
  type PushSetBody,
  type ReviewBody,
} from '../../../shared/api/syncProtocol';
import { z } from 'zod';
import { SyncError } from './syncError';
import { readTeamSetsPage, type PulledTeamSetsPage } from './teamSetsWire';

/**
 * Every call the workstation makes to the central server, in one module (CVAT's server-proxy):
 * the sender sees typed answers, never HTTP.
 */

export { SyncError, type SyncErrorCode } from './syncError';

export type PushAnswer =
  | { kind: 'ok'; set: ServerSet }
  | {
      kind: 'refused';
      status: number;
      code: string;
      message: string;
      current: ServerSetWithLabels | null;
      currentRevision: number | null;
    };

export type ServerApiOptions = {
  serverUrl: string;
  token: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
  /** Called once per HTTP request sent (the benchmark counts them). */
  onRequest?: () => void;
};

/** A review write's answer: done, or refused for good with the server's code. */
export type ReviewWriteAnswer =
  | { kind: 'ok'; body: unknown }
  | { kind: 'refused'; status: number; code: string; message: string };

// The role as the server names it: a string, so a server with more roles (an admin) still works.
export const ServerAccount = z
  .object({ name: z.string().min(1), role: z.string().min(1) })
  .strict();
export type ServerAccount = z.infer<typeof ServerAccount>;

export type ServerApi = {
  pushSet(clipRef: string, idempotencyKey: string, body: PushSetBody): Promise<PushAnswer>;
  events(cursor: number): Promise<EventsPage>;
  assignments(): Promise<Assignment[]>;
  /** The account the token belongs to; null from a server that predates the route (404). */
  me(): Promise<ServerAccount | null>;
  /** This reviewer's queue; null when the account is not a reviewer or lead (the server's 403). */
  reviewQueue(): Promise<ReviewQueueEntry[] | null>;
  postReview(setId: string, idempotencyKey: string, body: ReviewBody): Promise<ReviewWriteAnswer>;
  resolveComment(
    setId: string,
    commentId: string,
    idempotencyKey: string,
  ): Promise<ReviewWriteAnswer>;
  /**
   * One page of the handed-in sets of double-annotated clips this account may compare (from
   * `cursor`, '' for the first); null when the account is an annotator (the server's 403) or the
   * server predates the route.
   */
  doubleAnnotationSets(cursor: string): Promise<DoubleAnnotationPage | null>;
  /** The same without labels (`fields=summary`): which sets there are, at which revision. */
  doubleAnnotationSummaries(cursor: string): Promise<DoubleAnnotationSummaryPage | null>;
  /** One set with its labels, if this account may see it; null for the server's 404. */
  set(setId: string): Promise<ServerSetWithLabels | null>;
  /**
   * The sets of the projects this lead leads that changed after `cursor`, labels for those in
   * `status`; null when the account is not a lead (403) or the server predates the route (404).
   */
  teamSets(
    status: 'accepted' | 'submitted',
    cursor: number,
    page: { limit: number; maxBytes: number },
  ): Promise<PulledTeamSetsPage | null>;
  /** The projects this lead leads; null when the account is not a lead (or an older server). */
  projects(): Promise<ProjectSummary[] | null>;
  /** One project's progress; null when this account may not see it. */
  projectProgress(projectId: string): Promise<ProjectProgress | null>;
};

export function normalizeServerUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch (error) {
    throw new SyncError('BAD_SERVER_URL', `"${raw}" is not a server address (http://host:port).`, {
      cause: error,
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new SyncError(
      'BAD_SERVER_URL',
      `The server address must start with http:// or https://.`,
    );
  }
  return url.origin;
}

export function createServerApi(options: ServerApiOptions): ServerApi {
  const base = normalizeServerUrl(options.serverUrl);
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 30_000;

  /** One request; its answer's bytes, after the failures every call shares (network, 5xx, 401). */
  async function sendRaw(
    method: string,
    path: string,
    extra: { body?: unknown; key?: string } = {},
  ): Promise<{ status: number; bytes: Buffer }> {
    const headers: Record<string, string> = { authorization: `Bearer ${options.token}` };
    if (extra.key !== undefined) headers['idempotency-key'] = extra.key;
    if (extra.body !== undefined) headers['content-type'] = 'application/json';
    options.onRequest?.();
    let response: Response;
    let bytes: Buffer;
    try {
      response = await doFetch(base + path, {
        method,
        headers,
        ...(extra.body === undefined ? {} : { body: JSON.stringify(extra.body) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      bytes = Buffer.from(await response.arrayBuffer());
    } catch (error) {
      // A reset, a refused connection or a timeout: the request may or may not have landed,
      // which is what the idempotency key is for.
      throw new SyncError('NETWORK', `The server did not answer: ${(error as Error).message}`, {
        cause: error,
      });
    }
    if (response.status === 429)
      throw new SyncError('RATE_LIMITED', 'The server asked to slow down.');
    if (response.status >= 500) {
      throw new SyncError(
        'SERVER_ERROR',
        `The server failed (${response.status}); retrying later.`,
      );
    }
    if (response.status === 401) {
      throw new SyncError(
        'UNAUTHORIZED',
        'The server refused the token; sign in again with a new one.',
      );
    }
    return { status: response.status, bytes };
  }

  async function send(
    method: string,
    path: string,
    extra: { body?: unknown; key?: string } = {},
  ): Promise<{ status: number; json: unknown }> {
    const { status, bytes } = await sendRaw(method, path, extra);
    let json: unknown;
    try {
      json = JSON.parse(bytes.toString('utf8'));
    } catch (error) {
      throw new SyncError('BAD_ANSWER', `The server's answer is not JSON (${status}).`, {
        cause: error,
      });
    }
    return { status, json };
  }

  function parse<T>(schema: z.ZodType<T>, json: unknown, what: string): T {
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw new SyncError('BAD_ANSWER', `The server's ${what} is not what this version expects.`);
    }
    return parsed.data;
  }

  function writeAnswer(status: number, json: unknown): ReviewWriteAnswer {
    if (status === 200) return { kind: 'ok', body: json };
    const error = parse(ServerErrorBody, json, 'refusal').error;
    return { kind: 'refused', status, code: error.code, message: error.message };
  }

  return {
    async reviewQueue() {
      const { status, json } = await send('GET', '/v1/review-queue');
      // An annotator's account has no queue: not an error for a sync round, just nothing to cache.
      if (status === 403) return null;
      if (status !== 200) throw new SyncError('BAD_ANSWER', `The review queue answered ${status}.`);
      return parse(z.object({ sets: z.array(ReviewQueueEntry) }), json, 'review queue').sets;
    },
    async postReview(setId, idempotencyKey, body) {
      const { status, json } = await send('POST', `/v1/sets/${encodeURIComponent(setId)}/review`, {
        body,
        key: idempotencyKey,
      });
      return writeAnswer(status, json);
    },
    async resolveComment(setId, commentId, idempotencyKey) {
      const { status, json } = await send(
        'POST',
        `/v1/sets/${encodeURIComponent(setId)}/comments/${encodeURIComponent(commentId)}/resolve`,
        { key: idempotencyKey },
      );
      return writeAnswer(status, json);
    },
    async pushSet(clipRef, idempotencyKey, body) {
      const { status, json } = await send('PUT', `/v1/clips/${clipRef}/set`, {
        body,
        key: idempotencyKey,
      });
      if (status === 200) return { kind: 'ok', set: parse(ServerSet, json, 'push answer') };
      const error = parse(ServerErrorBody, json, 'refusal').error;
      const currentRevision = (error as { currentRevision?: unknown }).currentRevision;
      return {
        kind: 'refused',
        status,
        code: error.code,
        message: error.message,
        current: error.current ?? null,
        currentRevision: typeof currentRevision === 'number' ? currentRevision : null,
      };
    },
    async doubleAnnotationSets(cursor) {
      const query = cursor === '' ? '' : `?cursor=${encodeURIComponent(cursor)}`;
      const { status, json } = await send('GET', `/v1/double-annotation/sets${query}`);
      // 403: an annotator's account. 404: a server from before the route; neither fails a round.
      if (status === 403 || status === 404) return null;
      if (status !== 200) {
        throw new SyncError('BAD_ANSWER', `The double-annotated sets answered ${status}.`);
      }
      return parse(DoubleAnnotationPage, json, 'double-annotated sets');
    },
    async doubleAnnotationSummaries(cursor) {
      const after = cursor === '' ? '' : `&cursor=${encodeURIComponent(cursor)}`;
      const { status, json } = await send(
        'GET',
        `/v1/double-annotation/sets?fields=summary${after}`,
      );
      if (status === 403 || status === 404) return null;
      if (status !== 200) {
        throw new SyncError('BAD_ANSWER', `The double-annotated sets answered ${status}.`);
      }
      return parse(DoubleAnnotationSummaryPage, json, 'double-annotated sets');
    },
    async set(setId) {
      const { status, json } = await send('GET', `/v1/sets/${encodeURIComponent(setId)}`);
      if (status === 404) return null;
      if (status !== 200) throw new SyncError('BAD_ANSWER', `The set answered ${status}.`);
      return parse(ServerSetWithLabels, json, 'set');
    },
    async teamSets(status, cursor, page) {
      const { status: code, bytes } = await sendRaw(
        'GET',
        `/v1/team-sets?status=${status}&cursor=${cursor}&limit=${page.limit}` +
          `&maxBytes=${page.maxBytes}`,
      );
      if (code === 403 || code === 404) return null;
      if (code !== 200) throw new SyncError('BAD_ANSWER', `The team's sets answered ${code}.`);
      // Megabytes of labels: read by their stated lengths, checked once, kept as text.
      return readTeamSetsPage(bytes);
    },
    async projects() {
      const { status, json } = await send('GET', '/v1/projects');
      if (status === 403 || status === 404) return null;
      if (status !== 200)
        throw new SyncError('BAD_ANSWER', `The projects list answered ${status}.`);
      return parse(z.object({ projects: z.array(ProjectSummary) }), json, 'projects').projects;
    },
    async projectProgress(projectId) {
      const { status, json } = await send(
        'GET',
        `/v1/projects/${encodeURIComponent(projectId)}/progress`,
      );
      if (status === 403 || status === 404) return null;
      if (status !== 200) throw new SyncError('BAD_ANSWER', `The progress answered ${status}.`);
      return parse(ProjectProgress, json, 'progress');
    },
    async events(cursor) {
      const { status, json } = await send('GET', `/v1/events?cursor=${cursor}`);
      if (status !== 200) throw new SyncError('BAD_ANSWER', `The events feed answered ${status}.`);
      return parse(EventsPage, json, 'events feed');
    },
    async me() {
      const { status, json } = await send('GET', '/v1/me');
      if (status === 404) return null;
      if (status !== 200)
        throw new SyncError('BAD_ANSWER', `The account route answered ${status}.`);
      return parse(ServerAccount, json, 'account');
    },
    async assignments() {
      const { status, json } = await send('GET', '/v1/assignments');
      if (status !== 200)
        throw new SyncError('BAD_ANSWER', `The assignments list answered ${status}.`);
      return parse(z.object({ assignments: z.array(Assignment) }), json, 'assignments').assignments;
    },
  };
}
