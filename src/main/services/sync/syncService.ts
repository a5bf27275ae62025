import { createHash } from 'node:crypto';
import type { Store } from '../store/Store';
import type { ReviewOutboxItem } from '../review/reviews';
import type { OutboxItem, SyncConflict } from '../sync/syncQueue';
import type { SyncIssue, SyncReport, SyncStatus } from '../../../shared/api/syncSchemas';
import { syncIssueAdvice } from '../../../shared/domain/syncIssueAdvice';
import type { ProjectProgress } from '../../../shared/api/syncProtocol';
import { backoffDelay, DEFAULT_BACKOFF, type Backoff } from './backoff';
import {
  createServerApi,
  normalizeServerUrl,
  SyncError,
  type ServerAccount,
  type ServerApi,
} from './serverApi';

export type { SyncReport, SyncStatus } from '../../../shared/api/syncSchemas';

/** Where a signed-in token is kept between launches (Electron: safeStorage). */
export type TokenVault = {
  /** Throws `SyncError` NO_SECURE_STORAGE where it cannot store a secret safely. */
  save(serverUrl: string, token: string): void;
  load(): { serverUrl: string; token: string } | null;
  clear(): void;
  /** Null when tokens can be saved; otherwise why not (shown in the settings). */
  unavailableReason(): string | null;
};

export type SyncServiceOptions = {
  store: Store;
  actor: string;
  backoff?: Backoff;
  /** Requests in flight at once (different sets; one set's rows always go in order). */
  concurrency?: number;
  fetch?: typeof fetch;
  timeoutMs?: number;
  /** How long the background loop waits between rounds when nothing kicks it. */
  pollMs?: number;
  random?: () => number;
  /**
   * How often a background round re-pulls the double-annotated sets (each carries its labels, so
   * not every poll); `pullDoubleAnnotation()` always pulls. Default 5 minutes.
   */
  doublePullIntervalMs?: number;
  /**
   * Up to this many new or updated double-annotated sets are fetched one request each; more, and
   * the labelled pages are read instead (fewer requests under the server's rate limit).
   */
  doubleFetchEachUpTo?: number;
  /** Bytes of JSON a page of the lead's pull may carry (default TEAM_PAGE's). */
  teamPageBytes?: number;
};

/** An assignment as cached for My work: the clip, and the server's status of its set. */
export type CachedAssignment = {
  clipRef: string;
  projectId: string;
  annotator: string;
  status: string;
  revision: number;
};

/** What one pull of the double-annotated sets did on this workstation. */
export type DoubleAnnotationPull = {
  /** False when the account may not see them (an annotator's); nothing was stored. */
  allowed: boolean;
  /** Sets the server gave. */
  received: number;
  /** Rows written: new sets, or later revisions replacing earlier ones. */
  stored: number;
  /** Rows dropped because the server no longer gives them (e.g. consent withdrawn). */
  removed: number;
};

/** What one pull of the lead's team sets did on this workstation. */
export type TeamSetsPull = {
  /** False when the account is not a lead (or the server predates the route): nothing stored. */
  allowed: boolean;
  /** Which sets were pulled with their labels: accepted only, or everything handed in. */
  status: 'accepted' | 'submitted';
  /** Sets the server said changed since the last pull. */
  received: number;
  /** Rows written (new sets, later changes). */
  stored: number;
  /** Copies dropped because their set left the statuses pulled. */
  removed: number;
  /** Pulled sets held now. */
  held: number;
};

/** A project's progress as last pulled from the server, and when. */
export type CachedProgress = { progress: ProjectProgress; pulledAt: string };

const SERVER_URL_KEY = 'server_url';
/** The signed-in account (name and role), kept until sign-out: offline work stays its own. */
const CURRENT_ACCOUNT_KEY = 'current_account';
/** Names of every account that signed in here: their pending work waits for them. */
const ACCOUNTS_SEEN_KEY = 'accounts_seen';
/** The account whose review queue the cache holds: another account sees none of it. */
const REVIEW_QUEUE_OWNER_KEY = 'review_queue_owner';
/** Per account: its assignments as last pulled, for My work offline. */
const ASSIGNMENTS_KEY = 'assignments';
/** The name asked at first run, the actor before any sign-in. */
const LOCAL_PROFILE_KEY = 'local_profile';
/** sync_state keys of the cached progress: prefix, account, project id. */
const PROGRESS_PREFIX = 'team_progress|';
/** Which sets the lead's pull brings: 'accepted' (default) or 'submitted' (handed in). */
const TEAM_STATUS_KEY = 'team_sets_status';
/**
 * A page of the lead's pull: at most this many bytes of JSON (the server cuts it, one set always
 * fits), so a page comes within the request timeout on a link of about 2 Mbit/s; the count
 * only bounds a page of small sets.
 */
const TEAM_PAGE = { limit: 200, maxBytes: 6_000_000 };

/** How many pending rows one round reads; the rest wait for the next round. */
const ROUND_LIMIT = 20_000;

/** "CODE: sentence", as refusals and failed attempts are stored. */
function splitCoded(text: string): { code: string; message: string } {
  const match = /^([A-Z][A-Z_]*): ([\s\S]*)$/.exec(text);
  return match
    ? { code: match[1] as string, message: match[2] as string }
    : { code: 'FAILED', message: text };
}

/** One account on one server, named without storing its token. */
function accountKeyOf(server: string, token: string): string {
  return `${server}|${createHash('sha256').update(token).digest('hex').slice(0, 16)}`;
}

function splitIssueId(issueId: string): [string, string | undefined] {
  const colon = issueId.indexOf(':');
  return colon < 0 ? [issueId, undefined] : [issueId.slice(0, colon), issueId.slice(colon + 1)];
}

/**
 * One sync round, bound to the account it started under: its token carries only that account's
 * work, and what it brings back is filed under that account, also when the person switches
 * accounts while it is in flight. `current` turns false once they have.
 */
type Round = { actor: string; current: () => boolean };

/**
 * The workstation's sync: delivers the outbox in order with idempotency keys and backoff, then
 * pulls the events feed and applies review outcomes. All of its state is in SQLite (outbox rows
 * with attempts and next-attempt times, the events cursor), so a restart resumes where it was.
 * The token is held in memory only; persisting it is the caller's (Electron's safeStorage).
 */
export class SyncService {
  readonly #store: Store;
  /** Who records are made by when no account or local profile is known (the OS user). */
  readonly #fallbackActor: string;
  readonly #backoff: Backoff;
  readonly #concurrency: number;
  readonly #options: SyncServiceOptions;
  #account: { server: string; token: string } | null = null;
  #online: boolean | null = null;
  #lastError: string | null = null;
  #lastSyncAt: string | null = null;
  /** Rounds waiting out a backoff: a sign-in or sign-out ends the wait (see `#sleep`). */
  readonly #sleepers = new Set<() => void>();
  /** The round in flight, and the sign-in it runs under. */
  #running: { account: object | null; promise: Promise<SyncReport> } | null = null;
  #timer: NodeJS.Timeout | null = null;
  #stopped = true;
  #vault: TokenVault | null = null;
  #consentWithdrawn: ((clipRef: string, reason: string) => Promise<unknown>) | null = null;
  /** When the double-annotated sets were last pulled in full (epoch ms); null: not this session. */
  #doublePulledAt: number | null = null;
  /** False once the server said this account is no lead (until the next sign-in). */
  #teamPullAllowed = true;

  constructor(options: SyncServiceOptions) {
    this.#store = options.store;
    this.#fallbackActor = options.actor;
    this.#backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.#concurrency = options.concurrency ?? 4;
    this.#options = options;
  }

  /** Remembers the server (in SQLite) and the token (in memory) for the runs that follow. */
  signIn(serverUrl: string, token: string): void {
    const server = normalizeServerUrl(serverUrl);
    if (!/^[A-Za-z0-9_-]{8,200}$/.test(token)) {
      throw new SyncError('UNAUTHORIZED', 'That does not look like a Framewise API token.');
    }
    this.#store.sync.setState(SERVER_URL_KEY, server);
    this.#account = { server, token };
    this.#wakeSleepers();
    // A token seen before names its account at once (offline too); a new one on its first round.
    const known = this.#store.sync.getState(`account|${accountKeyOf(server, token)}`);
    this.#setCurrentAccount(known === undefined ? null : (JSON.parse(known) as ServerAccount));
    this.#online = null;
    this.#lastError = null;
    this.#doublePulledAt = null;
    this.#teamPullAllowed = true;
    // Work waiting out a server that did not answer is due now, on the account just given.
    this.#store.sync.makePendingDue();
    this.#store.reviews.makePendingDue();
  }

  /** The signed-in server and token (this launch), for the delivery's downloads; else null. */
  connection(): { baseUrl: string; token: string } | null {
    return this.#account === null
      ? null
      : { baseUrl: this.#account.server, token: this.#account.token };
  }

  signOut(): void {
    this.#account = null;
    this.#wakeSleepers();
    this.#setCurrentAccount(null);
    this.#vault?.clear();
  }

  /**
   * Who makes the records made now: the signed-in account (the last one, until sign-out, so work
   * done offline stays its own), else the local profile asked at first run, else the OS user.
   */
  currentActor(): string {
    const account = this.account();
    if (account !== null) return account.name;
    const profile = this.#store.sync.getState(LOCAL_PROFILE_KEY);
    return profile !== undefined && profile !== '' ? profile : this.#fallbackActor;
  }

  /** The account records are made by, when one signed in (and has not signed out). */
  account(): ServerAccount | null {
    const saved = this.#store.sync.getState(CURRENT_ACCOUNT_KEY);
    return saved === undefined || saved === '' ? null : (JSON.parse(saved) as ServerAccount);
  }

  /** The account whose review queue was pulled last (the cache is that account's). */
  reviewQueueOwner(): string | null {
    return this.#store.sync.getState(REVIEW_QUEUE_OWNER_KEY) ?? null;
  }

  localProfile(): string | null {
    const profile = this.#store.sync.getState(LOCAL_PROFILE_KEY);
    return profile === undefined || profile === '' ? null : profile;
  }

  /** The name records are made by before any sign-in (asked at first run). */
  setLocalProfile(name: string): void {
    this.#store.sync.setState(LOCAL_PROFILE_KEY, name.trim());
  }

  #setCurrentAccount(account: ServerAccount | null): void {
    this.#store.sync.setState(CURRENT_ACCOUNT_KEY, account === null ? '' : JSON.stringify(account));
    if (account === null) return;
    const seen = new Set(this.#accountsSeen());
    if (seen.has(account.name)) return;
    const first = seen.size === 0;
    seen.add(account.name);
    this.#store.sync.setState(ACCOUNTS_SEEN_KEY, JSON.stringify([...seen]));
    if (!first) return;
    // The first account here is the person who worked on this workstation until now: under the
    // local profile, and before a profile was chosen, under the OS user.
    for (const before of new Set([this.localProfile(), this.#fallbackActor])) {
      if (before !== null && before !== account.name) {
        this.#store.labels.adoptSets(before, account.name);
      }
    }
  }

  #accountsSeen(): string[] {
    const seen = this.#store.sync.getState(ACCOUNTS_SEEN_KEY);
    return seen === undefined ? [] : (JSON.parse(seen) as string[]);
  }

  /**
   * Asks the server whose token this is, once per token: the answer names the actor of every
   * record made from now on and decides whose pending work may go under this token.
   */
  async #learnAccount(api: ServerApi): Promise<void> {
    const account = this.#account;
    if (account === null) return;
    const key = `account|${accountKeyOf(account.server, account.token)}`;
    if (this.#store.sync.getState(key) !== undefined && this.account() !== null) return;
    const me = await api.me();
    // Signed out or in as someone else meanwhile: this answer names a token no longer in use.
    if (me === null || this.#account !== account) return;
    this.#store.sync.setState(key, JSON.stringify(me));
    this.#setCurrentAccount(me);
  }

  /**
   * Whether this token may carry work made by `owner`: work of another account that signed in
   * here waits for that account; work made before any account (a local profile) goes with the
   * account signed in now.
   */
  #mayCarry(
    owner: string | null | undefined,
    others: ReadonlySet<string>,
    actor = this.currentActor(),
  ): boolean {
    if (owner === null || owner === undefined) return true;
    return owner === actor || !others.has(owner);
  }

  /** The accounts seen here other than `me` (by default the one signed in now). */
  #otherAccounts(me: string | undefined = this.account()?.name): Set<string> {
    return new Set(this.#accountsSeen().filter((name) => name !== me));
  }

  /**
   * What to do when the server says a contributor withdrew consent for a clip (governance purges
   * it here). Called before the event is recorded as applied, so a crash in between repeats it;
   * the handler must be idempotent.
   */
  onConsentWithdrawn(handler: (clipRef: string, reason: string) => Promise<unknown>): void {
    this.#consentWithdrawn = handler;
  }

  /**
   * Keeps the token across launches in `vault` and signs in with a token it already holds.
   * Without a vault (the loopback host, the CLI) the token lives in memory for this run only.
   */
  useVault(vault: TokenVault): void {
    this.#vault = vault;
    const saved = vault.load();
    if (saved !== null) this.signIn(saved.serverUrl, saved.token);
  }

  /**
   * Sign-in from the settings screen: the token is checked against the server (a 401 is an
   * error here, not later), then saved in the vault where one can hold it safely.
   */
  async signInAndVerify(serverUrl: string, token: string): Promise<SyncStatus> {
    const previous = this.#account;
    this.signIn(serverUrl, token);
    try {
      await this.verify();
    } catch (error) {
      this.#account = previous;
      throw error;
    }
    if (
      this.#vault !== null &&
      this.#vault.unavailableReason() === null &&
      this.#account !== null
    ) {
      this.#vault.save(this.#account.server, this.#account.token);
    }
    this.kick();
    return this.status();
  }

  savedServerUrl(): string | null {
    return this.#store.sync.getState(SERVER_URL_KEY) ?? null;
  }

  status(): SyncStatus {
    const refused = this.issues().filter((issue) => issue.state === 'refused');
    const latest = refused.reduce<SyncIssue | undefined>(
      (last, issue) => (last === undefined || issue.at >= last.at ? issue : last),
      undefined,
    );
    return {
      server: this.#account?.server ?? this.savedServerUrl(),
      signedIn: this.#account !== null,
      online: this.#online,
      ...this.#pendingByOwner(),
      // A refusal stays the last word until it is dealt with, also after a restart or a round
      // that went through: "none" beside a list of refusals would be a contradiction.
      lastError:
        this.#lastError ?? (latest === undefined ? null : `${latest.code}: ${latest.message}`),
      lastSyncAt: this.#lastSyncAt,
      conflicts: this.#store.sync.listConflicts().length,
      refused: refused.length,
      account: this.account(),
      ...this.#tokenStorage(),
    };
  }

  /**
   * What waits to be sent, split by whose it is: this account's (or, signed out, the local
   * profile's), and each other account's, which waits for that account to sign in here.
   */
  #pendingByOwner(): Pick<SyncStatus, 'pending' | 'waitingForOthers'> {
    const total = this.#store.sync.pendingCount() + this.#store.reviews.pendingCount();
    const others = this.#otherAccounts();
    // One account on this workstation (the usual case): everything pending is its own.
    if (others.size === 0 || total === 0) return { pending: total, waitingForOthers: [] };
    const waiting = new Map<string, number>();
    const count = (owner: string | null | undefined) => {
      if (owner === null || owner === undefined || this.#mayCarry(owner, others)) return;
      waiting.set(owner, (waiting.get(owner) ?? 0) + 1);
    };
    for (const item of this.#store.sync.pending(ROUND_LIMIT)) {
      count(this.#store.labels.getAnnotationSet(item.setId)?.annotator);
    }
    for (const item of this.#store.reviews.pendingOutbox(ROUND_LIMIT)) {
      count(this.#store.reviews.ownerOf(item));
    }
    const waitingForOthers = [...waiting]
      .map(([account, n]) => ({ account, count: n }))
      .sort((a, b) => a.account.localeCompare(b.account));
    const theirs = waitingForOthers.reduce((sum, w) => sum + w.count, 0);
    return { pending: total - theirs, waitingForOthers };
  }

  /**
   * Everything sent that has not gone through, refused for good or waiting after a failed
   * attempt: labels, verdicts and comment resolutions, each with the server's reason and what to
   * do. Oldest first.
   */
  issues(): SyncIssue[] {
    const issues: Omit<SyncIssue, 'fileName'>[] = [];
    // Another account's work is not this one's to retry or discard: it is counted as waiting
    // for that account (`waitingForOthers`), and listed again when it signs in.
    const others = this.#otherAccounts();
    const mine = (setId: string) =>
      this.#mayCarry(this.#store.labels.getAnnotationSet(setId)?.annotator, others);
    for (const conflict of this.#store.sync.listConflicts()) {
      if (!mine(conflict.setId)) continue;
      issues.push({
        id: `labels:${conflict.id}`,
        kind: 'labels',
        state: 'refused',
        clipId: conflict.clipId,
        clipRef: null,
        setId: conflict.setId,
        commentId: null,
        code: conflict.code,
        message: conflict.message,
        ...syncIssueAdvice('labels', 'refused', conflict.code, conflict.serverRevision),
        at: conflict.recordedAt,
      });
    }
    for (const item of this.#store.sync.failedAttempts()) {
      if (!mine(item.setId)) continue;
      const { code, message } = splitCoded(item.lastError ?? '');
      issues.push({
        id: `labels-waiting:${item.id}`,
        kind: 'labels',
        state: 'waiting',
        clipId: item.clipId,
        clipRef: item.clipRef,
        setId: item.setId,
        commentId: null,
        code,
        message,
        ...syncIssueAdvice('labels', 'waiting', code),
        at: item.createdAt,
      });
    }
    for (const item of this.#store.reviews.deliveryIssues()) {
      if (!this.#mayCarry(item.owner, others)) continue;
      const localSet =
        item.kind === 'resolve' ? this.#store.sync.localSetOf(item.serverSetId) : undefined;
      issues.push({
        id: `review:${item.outboxId}`,
        kind: item.kind,
        state: item.state,
        clipId:
          localSet === undefined
            ? null
            : (this.#store.labels.getAnnotationSet(localSet)?.clipId ?? null),
        clipRef: item.clipRef,
        setId: item.serverSetId,
        commentId: item.commentId,
        code: item.code,
        message: item.message,
        ...syncIssueAdvice(item.kind, item.state, item.code),
        at: item.at,
      });
    }
    return issues
      .map((issue) => ({
        ...issue,
        fileName:
          issue.clipId === null
            ? null
            : (this.#store.media.getClip(issue.clipId)?.fileName ?? null),
      }))
      .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  }

  /**
   * "Retry" on an issue: refused labels are queued again (see `SyncQueue.retryRefused`); work
   * waiting after a failed attempt is made due now. Then a round starts. False when the issue is
   * gone (dealt with meanwhile). Verdicts and resolutions have their own steps (review again,
   * reopen the comment).
   */
  retryIssue(issueId: string): boolean {
    const [kind, id = ''] = splitIssueId(issueId);
    let done = false;
    if (kind === 'labels') done = this.#store.sync.retryRefused(Number(id), this.currentActor());
    else if (kind === 'labels-waiting' || kind === 'review') {
      done = this.issues().some((issue) => issue.id === issueId && issue.state === 'waiting');
      if (done) {
        this.#store.sync.makePendingDue();
        this.#store.reviews.makePendingDue();
      }
    }
    if (done) this.kick();
    return done;
  }

  /** "Discard" on refused labels: nothing is sent, the refusal leaves the list. */
  discardIssue(issueId: string): boolean {
    const [kind, id = ''] = splitIssueId(issueId);
    return kind === 'labels' && this.#store.sync.discardRefused(Number(id), this.currentActor());
  }

  #tokenStorage(): Pick<SyncStatus, 'tokenStorage' | 'tokenStorageNote'> {
    if (this.#vault === null) {
      return {
        tokenStorage: 'session',
        tokenStorageNote:
          'This window keeps the token in memory only; sign in again after a restart.',
      };
    }
    const reason = this.#vault.unavailableReason();
    return reason === null
      ? { tokenStorage: 'encrypted', tokenStorageNote: null }
      : { tokenStorage: 'session', tokenStorageNote: reason };
  }

  conflicts(): SyncConflict[] {
    return this.#store.sync.listConflicts();
  }

  /** Checks the token against the server (lists this user's assignments). */
  async verify(): Promise<number> {
    const api = this.#api(() => undefined);
    try {
      await this.#learnAccount(api);
      const assignments = await api.assignments();
      this.#online = true;
      return assignments.length;
    } catch (error) {
      this.#noteError(error);
      throw error;
    }
  }

  /**
   * One full push and pull: keeps sending until the outbox has nothing due before `budgetMs`
   * runs out (waiting out backoff in between), then reads the events feed to its end.
   * Concurrent callers for the same sign-in share the run in progress.
   */
  syncNow(budgetMs = 60_000): Promise<SyncReport> {
    const account = this.#account;
    if (this.#running !== null && this.#running.account === account) return this.#running.promise;
    // A round of the account signed in before is still finishing: this account's starts after
    // it (the server sees one round at a time from a workstation).
    const previous = this.#running?.promise.catch(() => undefined);
    const promise = (async () => {
      if (previous !== undefined) {
        await previous;
        // Signed out (or in as someone else) while waiting: the round asked for has no account.
        if (this.#account !== account) return this.#emptyReport();
      }
      return this.#run(budgetMs);
    })().finally(() => {
      if (this.#running?.promise === promise) this.#running = null;
    });
    this.#running = { account, promise };
    return promise;
  }

  /** Background delivery: a round now, then every `pollMs`, or sooner after `kick()`. */
  start(): void {
    this.#stopped = false;
    this.kick();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }

  /** Something was queued (a submit): deliver soon rather than at the next poll. */
  kick(): void {
    if (this.#stopped || this.#account === null) return;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.syncNow(30_000)
        .catch((error: unknown) => this.#noteError(error))
        .finally(() => {
          if (this.#stopped || this.#timer !== null) return;
          this.#timer = setTimeout(() => this.kick(), this.#options.pollMs ?? 60_000);
        });
    }, 50);
  }

  #api(onRequest: () => void): ServerApi {
    if (this.#account === null) {
      throw new SyncError(
        'NOT_CONFIGURED',
        'Sign in to a Framewise server first (server address and token).',
      );
    }
    return createServerApi({
      serverUrl: this.#account.server,
      token: this.#account.token,
      onRequest,
      ...(this.#options.fetch ? { fetch: this.#options.fetch } : {}),
      ...(this.#options.timeoutMs === undefined ? {} : { timeoutMs: this.#options.timeoutMs }),
    });
  }

  #noteError(error: unknown): void {
    this.#lastError = error instanceof Error ? error.message : String(error);
    if (error instanceof SyncError && error.code === 'NETWORK') this.#online = false;
  }

  #emptyReport(): SyncReport {
    return {
      server: this.#account?.server ?? '',
      delivered: [],
      conflicts: [],
      retries: 0,
      waitingForChecksum: 0,
      pending: this.#pendingByOwner().pending,
      events: 0,
      reviewsApplied: [],
      consentWithdrawals: [],
      requests: 0,
      lastError: null,
    };
  }

  async #run(budgetMs: number): Promise<SyncReport> {
    const account = this.#account;
    const report: SyncReport = {
      server: account?.server ?? '',
      delivered: [],
      conflicts: [],
      retries: 0,
      waitingForChecksum: 0,
      pending: 0,
      events: 0,
      reviewsApplied: [],
      consentWithdrawals: [],
      requests: 0,
      lastError: null,
    };
    const api = this.#api(() => (report.requests += 1));
    const deadline = Date.now() + budgetMs;
    try {
      await this.#learnAccount(api).catch((error: unknown) => {
        // No answer, or a refused token: the account stays unknown for this round; the push
        // below meets the same failure and records it on the work that waits.
        if (!(error instanceof SyncError) || !(error.transient || error.code === 'UNAUTHORIZED'))
          throw error;
      });
      // Who this round works for, fixed now: a switch of accounts while it runs ends it between
      // steps, and what is in flight is filed under this account, never the next one.
      const round: Round = { actor: this.currentActor(), current: () => this.#account === account };
      const steps: (() => Promise<unknown>)[] = [
        () => this.#push(api, report, deadline, round),
        () => this.#pushReviews(api, report, round),
        () => this.#pull(api, report, deadline, round),
        () => this.#pullReviewQueue(api, round),
        () => this.#pullAssignments(api, round),
        async () => {
          // A lead's account: the team's sets and each project's progress.
          if (this.#teamPullAllowed && (await this.#pullTeamSets(api)).allowed) {
            await this.#pullTeamProgress(api);
          }
        },
        async () => {
          const interval = this.#options.doublePullIntervalMs ?? 5 * 60_000;
          if (this.#doublePulledAt === null || Date.now() - this.#doublePulledAt >= interval) {
            await this.#pullDoubleSets(api);
          }
        },
      ];
      for (const step of steps) {
        if (!round.current()) return report;
        await step();
      }
      this.#lastSyncAt = new Date().toISOString();
      if (report.lastError === null) this.#lastError = null;
    } catch (error) {
      this.#noteError(error);
      throw error;
    } finally {
      report.pending = this.#pendingByOwner().pending;
    }
    return report;
  }

  /**
   * Delivers queued verdicts and comment resolutions in order, each under its own key, so a
   * retry after a lost answer is replayed by the server rather than applied twice. A transient
   * failure leaves the row (and those after it) for the next round.
   */
  async #pushReviews(api: ServerApi, report: SyncReport, round: Round): Promise<void> {
    const now = Date.now();
    const others = this.#otherAccounts(round.actor);
    for (const item of this.#store.reviews.pendingOutbox(ROUND_LIMIT)) {
      if (!round.current()) return;
      // Another account's verdict or resolution waits for it, never goes under this token.
      if (!this.#mayCarry(this.#store.reviews.ownerOf(item), others, round.actor)) continue;
      if (item.nextAttemptAt > now) return;
      let answer;
      try {
        answer =
          item.kind === 'verdict'
            ? await api.postReview(item.serverSetId, item.id, item.payload)
            : await api.resolveComment(item.serverSetId, item.payload.commentId, item.id);
      } catch (error) {
        if (error instanceof SyncError && error.code === 'UNAUTHORIZED') {
          this.#store.reviews.recordRetry(
            item.id,
            item.attempts,
            0,
            `${error.code}: ${error.message}`,
          );
          throw error;
        }
        if (!(error instanceof SyncError) || !error.transient) throw error;
        this.#reviewRetry(item, error, report);
        return;
      }
      this.#online = true;
      if (answer.kind === 'ok') {
        this.#store.reviews.markDelivered(item, round.actor, {});
      } else {
        this.#store.reviews.recordRefusal(item, answer.code, answer.message, round.actor);
        report.lastError = `${answer.code}: ${answer.message}`;
      }
    }
  }

  #reviewRetry(item: ReviewOutboxItem, error: SyncError, report: SyncReport): void {
    if (error.code === 'NETWORK') this.#online = false;
    const failures = item.attempts + 1;
    const wait = backoffDelay(failures, this.#backoff, this.#options.random);
    this.#store.reviews.recordRetry(
      item.id,
      failures,
      Date.now() + wait,
      `${error.code}: ${error.message}`,
    );
    report.retries += 1;
    report.lastError = error.message;
    this.#lastError = error.message;
  }

  /**
   * Brings both annotators' handed-in sets of every double-annotated clip this account may compare
   * (a lead's projects) into the local table the agreement page reads, now.
   */
  async pullDoubleAnnotation(): Promise<DoubleAnnotationPull> {
    const api = this.#api(() => undefined);
    try {
      return await this.#pullDoubleSets(api);
    } catch (error) {
      this.#noteError(error);
      throw error;
    }
  }

  /**
   * First the summaries (no labels) of every set the server gives, to learn which are new or at a
   * later revision than the copy here; then the labels of those alone: one set at a time when few
   * changed, else the labelled pages, each stored as it comes (an equal revision changes nothing).
   * Only a pull that went through drops the sets the server no longer gives. A transient failure
   * keeps the copy as it is and shows the error.
   */
  async #pullDoubleSets(api: ServerApi): Promise<DoubleAnnotationPull> {
    const outcome: DoubleAnnotationPull = { allowed: true, received: 0, stored: 0, removed: 0 };
    const account = this.#account;
    if (account === null) return outcome;
    const copies = this.#store.doubleSets;
    try {
      const summaries = [];
      for (let cursor = ''; ;) {
        const page = await api.doubleAnnotationSummaries(cursor);
        if (page === null) {
          // An annotator's account (or an older server): nothing to compare, no need to ask again.
          this.#doublePulledAt = Number.POSITIVE_INFINITY;
          return { ...outcome, allowed: false };
        }
        summaries.push(...page.sets);
        if (page.nextCursor === null) break;
        cursor = page.nextCursor;
      }
      outcome.received = summaries.length;
      const known = copies.knownRevisions(account.server);
      const changed = summaries.filter(
        (s) => (known.get(s.setId) ?? 0) < s.revision && !copies.withdrawnHere(s.clipRef),
      );
      const seen = new Set(summaries.map((s) => s.setId));
      if (changed.length > (this.#options.doubleFetchEachUpTo ?? 20)) {
        for (let cursor = ''; ;) {
          const page = await api.doubleAnnotationSets(cursor);
          if (page === null) break;
          outcome.stored += copies.saveFromServer(account.server, page.sets);
          for (const set of page.sets) seen.add(set.setId);
          if (page.nextCursor === null) break;
          cursor = page.nextCursor;
        }
      } else {
        for (const summary of changed) {
          const set = await api.set(summary.setId);
          // Gone, or its labels deleted (consent withdrawn) since the summary: the next pull drops it.
          if (set === null || set.labels === null || set.status === 'in_progress') continue;
          outcome.stored += copies.saveFromServer(account.server, [
            { ...summary, status: set.status, revision: set.revision, labels: set.labels },
          ]);
        }
      }
      outcome.removed = copies.retainOnly(account.server, seen);
    } catch (error) {
      if (!(error instanceof SyncError) || !error.transient) throw error;
      this.#lastError = error.message;
      return outcome;
    }
    this.#doublePulledAt = Date.now();
    return outcome;
  }

  /**
   * Caches this account's assignments (with the server's status of each set) for My work and
   * the batch screen, readable offline. A transient failure keeps the last copy.
   */
  async #pullAssignments(api: ServerApi, round: Round): Promise<void> {
    let assignments;
    try {
      assignments = await api.assignments();
    } catch (error) {
      if (!(error instanceof SyncError) || !error.transient) throw error;
      this.#lastError = error.message;
      return;
    }
    this.#store.sync.setState(
      `${ASSIGNMENTS_KEY}|${round.actor}`,
      JSON.stringify(
        assignments.map((a) => ({
          clipRef: a.clipRef,
          projectId: a.projectId,
          annotator: a.annotator,
          status: a.set.status,
          revision: a.set.revision,
        })),
      ),
    );
  }

  /** The current account's assignments as the last sync pulled them (none before one). */
  assignments(): CachedAssignment[] {
    const saved = this.#store.sync.getState(`${ASSIGNMENTS_KEY}|${this.currentActor()}`);
    return saved === undefined ? [] : (JSON.parse(saved) as CachedAssignment[]);
  }

  /** Which sets the lead's pull brings with their labels (and Export can export). */
  teamSetsStatus(): 'accepted' | 'submitted' {
    return this.#store.sync.getState(TEAM_STATUS_KEY) === 'submitted' ? 'submitted' : 'accepted';
  }

  /** Asks for submitted sets too (or accepted only again); the next pull starts over for it. */
  setTeamSetsStatus(status: 'accepted' | 'submitted'): void {
    this.#store.sync.setState(TEAM_STATUS_KEY, status);
    this.#teamPullAllowed = true;
  }

  /** Brings the lead's projects' sets that changed since the last pull, now. */
  async pullTeamSets(): Promise<TeamSetsPull> {
    const api = this.#api(() => undefined);
    try {
      return await this.#pullTeamSets(api);
    } catch (error) {
      this.#noteError(error);
      throw error;
    }
  }

  /**
   * Pages through the sets changed after this account's cursor (per server, account and status
   * pulled), storing each page and moving the cursor in one transaction: an unchanged re-pull is
   * one request that brings nothing. A transient failure keeps what was stored and the cursor
   * where it got to, and shows the error.
   */
  async #pullTeamSets(api: ServerApi): Promise<TeamSetsPull> {
    const status = this.teamSetsStatus();
    const outcome: TeamSetsPull = {
      allowed: true,
      status,
      received: 0,
      stored: 0,
      removed: 0,
      held: 0,
    };
    const account = this.#account;
    if (account === null) return outcome;
    const cursorKey = `team_sets_cursor|${this.#accountKey(account)}|${status}`;
    try {
      for (;;) {
        const cursor = Number(this.#store.sync.getState(cursorKey) ?? '0');
        const page = await api.teamSets(status, cursor, {
          limit: TEAM_PAGE.limit,
          maxBytes: this.#options.teamPageBytes ?? TEAM_PAGE.maxBytes,
        });
        if (page === null) {
          // Not a lead's account: nothing to pull, no need to ask again this session.
          this.#teamPullAllowed = false;
          return { ...outcome, allowed: false };
        }
        outcome.received += page.sets.length;
        const saved = this.#store.sync.saveTeamSets(account.server, page, cursorKey);
        outcome.stored += saved.stored;
        outcome.removed += saved.removed;
        if (!page.more) break;
      }
    } catch (error) {
      if (!(error instanceof SyncError) || !error.transient) throw error;
      this.#lastError = error.message;
    }
    outcome.held = this.#store.sync.teamSetCount();
    return outcome;
  }

  /** The cursor of one account on one server; the token's hash names it without storing it. */
  #accountKey(account: { server: string; token: string }): string {
    return `${account.server}|${createHash('sha256').update(account.token).digest('hex').slice(0, 16)}`;
  }

  /**
   * The progress of each project this lead leads, as last pulled (readable offline): kept in
   * sync's state per account, with when it was pulled. Empty when not signed in.
   */
  teamProgress(): CachedProgress[] {
    const account = this.#account;
    if (account === null) return [];
    return this.#store.sync
      .statesWithPrefix(`${PROGRESS_PREFIX}${this.#accountKey(account)}|`)
      .map((entry) => JSON.parse(entry.value) as CachedProgress)
      .sort((a, b) => a.progress.name.localeCompare(b.progress.name));
  }

  /** Pulls every led project's progress now and caches it; `allowed` false for a non-lead. */
  async pullTeamProgress(): Promise<{ allowed: boolean; projects: CachedProgress[] }> {
    const api = this.#api(() => undefined);
    try {
      const allowed = await this.#pullTeamProgress(api);
      return { allowed, projects: this.teamProgress() };
    } catch (error) {
      this.#noteError(error);
      throw error;
    }
  }

  async #pullTeamProgress(api: ServerApi): Promise<boolean> {
    const account = this.#account;
    if (account === null) return false;
    try {
      const projects = await api.projects();
      if (projects === null) return false;
      const prefix = `${PROGRESS_PREFIX}${this.#accountKey(account)}|`;
      const pulledAt = new Date().toISOString();
      for (const project of projects) {
        const progress = await api.projectProgress(project.projectId);
        if (progress === null) continue;
        const cached: CachedProgress = { progress, pulledAt };
        this.#store.sync.setState(`${prefix}${project.projectId}`, JSON.stringify(cached));
      }
      return true;
    } catch (error) {
      // A cache: a transient failure keeps the last copy and shows the error.
      if (!(error instanceof SyncError) || !error.transient) throw error;
      this.#lastError = error.message;
      return true;
    }
  }

  /** Caches this reviewer's queue (with the labels) so reviews can be done offline. */
  async #pullReviewQueue(api: ServerApi, round: Round): Promise<void> {
    let entries;
    try {
      entries = await api.reviewQueue();
    } catch (error) {
      // The queue is a cache: a transient failure keeps the last copy and shows the error.
      if (!(error instanceof SyncError) || !error.transient) throw error;
      this.#lastError = error.message;
      return;
    }
    // The cache holds one account's queue: a late answer for the account signed out meanwhile
    // would take the place of the next one's.
    if (entries === null || !round.current()) return;
    this.#store.reviews.cacheQueue(entries, round.actor);
    this.#store.sync.setState(REVIEW_QUEUE_OWNER_KEY, round.actor);
  }

  async #push(api: ServerApi, report: SyncReport, deadline: number, round: Round): Promise<void> {
    for (;;) {
      if (!round.current()) return;
      const pending = this.#store.sync.pending(ROUND_LIMIT);
      const now = Date.now();
      const due: OutboxItem[] = [];
      // One row per set per round, the oldest: a resubmission never overtakes its predecessor.
      const seen = new Set<string>();
      let waitingForChecksum = 0;
      let nextDue = Number.POSITIVE_INFINITY;
      const others = this.#otherAccounts(round.actor);
      for (const item of pending) {
        if (seen.has(item.setId)) continue;
        seen.add(item.setId);
        // Another account's labels wait for it: nothing is sent under someone else's token.
        const owner = this.#store.labels.getAnnotationSet(item.setId)?.annotator;
        if (!this.#mayCarry(owner, others, round.actor)) continue;
        if (item.clipRef === null) {
          waitingForChecksum += 1;
          continue;
        }
        if (item.nextAttemptAt <= now) due.push(item);
        else nextDue = Math.min(nextDue, item.nextAttemptAt);
      }
      report.waitingForChecksum = waitingForChecksum;
      if (due.length === 0) {
        if (nextDue === Number.POSITIVE_INFINITY || nextDue > deadline) return;
        await this.#sleep(Math.max(0, nextDue - Date.now()));
        continue;
      }
      if (Date.now() > deadline) return;
      await this.#pool(due, (item) =>
        round.current() ? this.#deliver(api, item, report, round.actor) : Promise.resolve(),
      );
    }
  }

  /**
   * Waits `ms`, or less when the sign-in changes: a round of the account just signed out would
   * otherwise sit out its backoff before the next account's round may start.
   */
  #sleep(ms: number): Promise<void> {
    return new Promise<void>((done) => {
      const wake = () => {
        clearTimeout(timer);
        this.#sleepers.delete(wake);
        done();
      };
      const timer = setTimeout(wake, ms);
      this.#sleepers.add(wake);
    });
  }

  #wakeSleepers(): void {
    for (const wake of [...this.#sleepers]) wake();
  }

  async #pool<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < items.length) {
        const item = items[next];
        next += 1;
        if (item !== undefined) await work(item);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.#concurrency, items.length) }, worker));
  }

  async #deliver(
    api: ServerApi,
    item: OutboxItem,
    report: SyncReport,
    actor: string,
  ): Promise<void> {
    if (item.clipRef === null) return;
    const baseRevision = this.#store.sync.freezeBaseRevision(item.id, item.setId);
    // What the server's export writers need besides the labels (#15): the clip's frame table,
    // size, rotation and consent, and the project schema the labels were made with.
    const clip = this.#store.media.clipForPush(item.clipId);
    const projectId = this.#store.labels.getAnnotationSet(item.setId)?.projectId;
    const project = projectId === undefined ? undefined : this.#store.labels.getProject(projectId);
    let answer;
    try {
      answer = await api.pushSet(item.clipRef, item.id, {
        baseRevision,
        labels: item.payload.labels,
        localSetId: item.setId,
        localRevision: item.payload.localRevision,
        ...(clip === undefined ? {} : { clip }),
        ...(project === undefined ? {} : { project: project.schema }),
      });
    } catch (error) {
      if (error instanceof SyncError && error.code === 'UNAUTHORIZED') {
        // The token, not this delivery, was refused: it waits, due at once after a new sign-in,
        // and says why on the list.
        this.#store.sync.recordRetry(item.id, item.attempts, 0, `${error.code}: ${error.message}`);
        throw error;
      }
      if (!(error instanceof SyncError) || !error.transient) throw error;
      if (error.code === 'NETWORK') this.#online = false;
      const failures = item.attempts + 1;
      const wait = backoffDelay(failures, this.#backoff, this.#options.random);
      this.#store.sync.recordRetry(
        item.id,
        failures,
        Date.now() + wait,
        `${error.code}: ${error.message}`,
      );
      report.retries += 1;
      report.lastError = error.message;
      this.#lastError = error.message;
      return;
    }
    this.#online = true;
    if (answer.kind === 'ok') {
      this.#store.sync.markDelivered(
        item,
        { serverSetId: answer.set.setId, revision: answer.set.revision, status: answer.set.status },
        actor,
      );
      report.delivered.push({
        setId: item.setId,
        clipId: item.clipId,
        serverSetId: answer.set.setId,
        revision: answer.set.revision,
      });
      return;
    }
    // 409: a revision conflict, shown with both versions. Anything else the server refused
    // (not assigned, invalid) cannot succeed by retrying; parked likewise, never dropped.
    this.#store.sync.recordConflict(
      item,
      {
        state: answer.status === 409 ? 'conflict' : 'failed',
        code: answer.code,
        message: answer.message,
        server: answer.current,
        serverRevision: answer.currentRevision,
      },
      actor,
    );
    report.conflicts.push({
      setId: item.setId,
      clipId: item.clipId,
      code: answer.code,
      message: answer.message,
      serverRevision: answer.currentRevision,
    });
    report.lastError = `${answer.code}: ${answer.message}`;
  }

  async #pull(api: ServerApi, report: SyncReport, deadline: number, round: Round): Promise<void> {
    const account = this.#account;
    if (account === null) return;
    // The cursor belongs to one account on one server; the token's hash names the account
    // without storing the token.
    const accountKey = this.#accountKey(account);
    const cursorKey = `events_cursor|${accountKey}`;
    let failures = 0;
    for (;;) {
      if (!round.current()) return;
      const cursor = Number(this.#store.sync.getState(cursorKey) ?? '0');
      let page;
      try {
        page = await api.events(cursor);
      } catch (error) {
        if (!(error instanceof SyncError) || !error.transient) throw error;
        failures += 1;
        report.lastError = error.message;
        const wait = backoffDelay(failures, this.#backoff, this.#options.random);
        if (Date.now() + wait > deadline) return;
        await this.#sleep(wait);
        continue;
      }
      failures = 0;
      this.#online = true;
      if (page.events.length === 0) return;
      // A page's withdrawals are handed over at once, so governance purges them in one run with
      // one rewrite of the database rather than one per event. The cursor still moves event by
      // event below, past a withdrawal only once its purge is done.
      const withdrawals = new Map<number, Promise<unknown>>();
      for (const event of page.events) {
        if (event.kind !== 'consent_withdrawn' || this.#consentWithdrawn === null) continue;
        const purge = this.#consentWithdrawn(event.clipRef, event.reason);
        // Awaited in order below; a failure after an earlier one must not go unhandled.
        purge.catch(() => undefined);
        withdrawals.set(event.id, purge);
      }
      for (const event of page.events) {
        report.events += 1;
        const purge = withdrawals.get(event.id);
        if (event.kind === 'consent_withdrawn' && purge !== undefined) {
          await purge;
          report.consentWithdrawals.push(event.clipRef);
        }
        // Idempotent by comment id, so a crash before applyEvent commits repeats it harmlessly.
        if (event.kind === 'review') this.#store.reviews.saveReviewEvent(event, round.actor);
        const changed = this.#store.sync.applyEvent(account.server, event, cursorKey, round.actor);
        if (event.kind === 'review' && changed) {
          report.reviewsApplied.push({
            setId: event.setId,
            clipRef: event.clipRef,
            status: event.status,
          });
        }
      }
    }
  }
}
