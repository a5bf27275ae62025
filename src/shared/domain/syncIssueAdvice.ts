/**
 * What a person can do about a delivery that did not go through, by what it was and what the
 * server (or the transport) said. Kept apart from the services so Sync settings, the clip screen
 * and the tests read one wording.
 */
export type SyncIssueKind = 'labels' | 'verdict' | 'resolve';
export type SyncIssueAction = 'retry' | 'discard' | 'review_again' | 'reopen_comment';

export type SyncIssueAdvice = { advice: string; actions: SyncIssueAction[] };

/** Codes of a failed attempt that sync tries again by itself (backoff). */
const TRANSIENT = new Set(['NETWORK', 'SERVER_ERROR', 'RATE_LIMITED']);

export function syncIssueAdvice(
  kind: SyncIssueKind,
  state: 'refused' | 'waiting',
  code: string,
  serverRevision: number | null = null,
): SyncIssueAdvice {
  if (state === 'waiting') {
    if (code === 'UNAUTHORIZED') {
      return {
        advice:
          'The server no longer accepts your token (revoked or expired). Ask your team lead for a new one and sign in again; this waits here and is sent under your account then.',
        actions: [],
      };
    }
    return {
      advice: TRANSIENT.has(code)
        ? 'The server did not answer. Sync tries again by itself; Retry sends it now once the server is back.'
        : 'The last attempt failed; Retry sends it again now.',
      actions: ['retry'],
    };
  }
  if (code === 'CONSENT_WITHDRAWN') {
    return {
      advice:
        'The contributor withdrew consent for this clip: nothing about it can be sent any more. Discard takes it off this list.',
      actions: kind === 'labels' ? ['discard'] : kind === 'verdict' ? ['review_again'] : [],
    };
  }
  if (kind === 'labels') {
    if (code === 'STALE_REVISION' || code === 'CONFLICT') {
      const revision = serverRevision === null ? 'a newer revision' : `revision ${serverRevision}`;
      return {
        advice: `The server holds ${revision} of this set, made since you started from yours. Compare both with your reviewer or team lead: Discard keeps the server's; Retry sends yours on top of it (the server takes it once that revision is not waiting for review).`,
        actions: ['retry', 'discard'],
      };
    }
    if (code === 'SET_LOCKED') {
      return {
        advice:
          "The server's copy of this set is waiting for review (or accepted) and cannot be replaced now. Retry after the reviewer requests changes; Discard to keep the server's.",
        actions: ['retry', 'discard'],
      };
    }
    if (code === 'NOT_FOUND' || code === 'NOT_ASSIGNED') {
      return {
        advice:
          'This clip is not assigned to you on the server. Ask your team lead to assign it to your account, then Retry; Discard if it was not meant for you.',
        actions: ['retry', 'discard'],
      };
    }
    if (code === 'FORBIDDEN') {
      return {
        advice:
          'Your account may not send labels for this clip. Ask your team lead about your role, then Retry; or Discard.',
        actions: ['retry', 'discard'],
      };
    }
    return {
      advice: 'The server refused these labels. Retry once the cause is fixed, or Discard.',
      actions: ['retry', 'discard'],
    };
  }
  if (kind === 'verdict') {
    if (code === 'STALE_REVISION') {
      return {
        advice:
          'The annotator changed the set after the revision you reviewed. Sync, then Review again to judge the new revision (your comments that still apply are kept).',
        actions: ['review_again'],
      };
    }
    if (code === 'NOT_FOUND') {
      return {
        advice:
          'This set is not in your review queue on the server (not assigned to you, or queued under another account). Ask your team lead to assign it to you; Review again closes it when it has left your queue.',
        actions: ['review_again'],
      };
    }
    if (code === 'FORBIDDEN') {
      return {
        advice:
          'Your account may not review this set (you cannot review your own work). Ask your team lead to assign another reviewer; Review again closes it.',
        actions: ['review_again'],
      };
    }
    return {
      advice: 'The server refused your verdict. Sync, then Review again.',
      actions: ['review_again'],
    };
  }
  return {
    advice:
      code === 'NOT_FOUND'
        ? 'The server does not know this comment on a set of yours (reviewed again, or not your set). Reopen the comment and resolve it again after syncing.'
        : 'The server refused marking this comment resolved. Reopen it, then resolve it again once the cause is fixed.',
    actions: ['reopen_comment'],
  };
}
