import { existsSync } from 'node:fs';
import { sep } from 'node:path';
import type { ApiHandlers } from '../../../shared/api/contract';
import { ApiError } from '../../../shared/api/apiError';
import type { Identity } from '../../../shared/api/syncSchemas';
import type { CoreServices } from '../createServices';
import { importBatch } from '../import/importBatch';
import { activeProjectId } from '../labels/projectLibrary';
import { listWork } from '../work/listWork';

function notFound(what: string, id: string): ApiError {
  return new ApiError(
    'NOT_FOUND',
    `No ${what} with id ${id}: it may have been removed; reload the list.`,
  );
}

function identityOf(services: CoreServices): Identity {
  const localProfile = services.sync.localProfile();
  return {
    actor: services.actor,
    source: services.sync.account() !== null ? 'account' : localProfile !== null ? 'profile' : 'os',
    localProfile,
  };
}

/** The main side of the contract: thin, because the services hold the work. */
export function createHandlers(services: CoreServices): ApiHandlers {
  const { store } = services;
  // Read at each call: signing in or out changes who records are made by.
  const actor = (): string => services.actor;
  /**
   * A clip whose contributor withdrew consent is not opened or played again: its labels are gone
   * and the window said it can no longer be opened.
   */
  const refuseWithdrawn = (clipId: string): void => {
    if (store.media.getClip(clipId)?.consent.state === 'withdrawn') {
      throw new ApiError(
        'CONSENT_WITHDRAWN',
        'The contributor withdrew consent for this clip: it can no longer be opened or labeled.',
      );
    }
  };
  /** A set of another account's cached queue is not this account's to review. */
  const ownQueue = (setId: string): void => {
    if (services.sync.reviewQueueOwner() !== actor()) {
      throw new ApiError(
        'REVIEW_NOT_FOUND',
        `Set ${setId} is not in your review queue: it was pulled for another account. Sync to load yours.`,
      );
    }
  };
  /** A delivered copy evicted by the quota is not here; any other clip's file is the user's. */
  const fileHere = (clipId: string): boolean => {
    const path = store.media.getClipFilePath(clipId);
    if (path === undefined || !path.startsWith(services.clipsDir + sep)) return true;
    return existsSync(path);
  };
  const fetchDeliveries = (): void => {
    services.delivery.refresh().catch((error: unknown) => {
      console.warn('framewise: fetching delivered clips failed:', error);
    });
  };
  return {
    importBatch: ({ folder }) => importBatch(folder, services.importDeps),
    listBatches: () => store.media.listBatches(),
    listClips: ({ batchId }) => {
      if (!store.media.getBatch(batchId)) throw notFound('batch', batchId);
      return store.media.listClips(batchId);
    },
    listFileErrors: ({ batchId }) => {
      if (!store.media.getBatch(batchId)) throw notFound('batch', batchId);
      return store.media.listFileErrors(batchId);
    },
    getClip: ({ clipId }) => {
      const clip = store.media.getClip(clipId);
      if (!clip) throw notFound('clip', clipId);
      return clip;
    },
    getFrameTable: ({ clipId }) => {
      refuseWithdrawn(clipId);
      const table = store.media.getFrameTable(clipId);
      if (!table) throw notFound('clip', clipId);
      return table;
    },
    getSampleTable: async ({ clipId, variant }) => {
      refuseWithdrawn(clipId);
      const filePath = store.media.getClipFilePath(clipId);
      if (filePath === undefined) throw notFound('clip', clipId);
      if (variant === 'original') {
        return { clipId, variant, ...(await services.sampleTables.get(filePath)) };
      }
      const proxyPath = services.proxies.readyFile(clipId);
      if (proxyPath === undefined) {
        throw new ApiError(
          'PROXY_NOT_READY',
          `Clip ${clipId} has no proxy yet: ask for one with ensureProxy and wait for it to be ready.`,
        );
      }
      return { clipId, variant, ...(await services.sampleTables.get(proxyPath)) };
    },
    ensureProxy: ({ clipId }) => {
      if (!store.media.getClip(clipId)) throw notFound('clip', clipId);
      return services.proxies.ensure(clipId);
    },
    getProxyStatus: ({ clipId }) => {
      if (!store.media.getClip(clipId)) throw notFound('clip', clipId);
      return services.proxies.status(clipId);
    },
    getProject: ({ projectId }) => {
      const id = projectId ?? activeProjectId(store);
      const project = store.labels.getProject(id);
      if (!project) throw notFound('project', id);
      return project;
    },
    openAnnotationSet: ({ clipId }) => {
      const clip = store.media.getClip(clipId);
      if (!clip) throw notFound('clip', clipId);
      // A delivered copy opened is recently used: the quota evicts the least recently used.
      if (clip.sha256 !== null) {
        services.delivery.markUsed(clip.sha256).catch((error: unknown) => {
          console.warn('framewise: could not mark the clip as used:', error);
        });
      }
      return store.labels.openAnnotationSet(clipId, actor(), activeProjectId(store));
    },
    loadLabels: ({ setId }) => ({ setId, ...store.labels.loadLabels(setId) }),
    applyLabelEdit: ({ setId, command, expectedSeq, editId }) => {
      const saved = store.labels.applyLabelEdit(setId, command, expectedSeq, actor(), editId);
      services.events.emit('labelsSaved', { setId, seq: saved.seq });
      return saved;
    },
    submitAnnotationSet: ({ setId }) => {
      const set = store.labels.getAnnotationSet(setId);
      if (!set || set.annotator !== actor()) throw notFound('annotation set', setId);
      const outcome = store.labels.submitAnnotationSet(setId, actor());
      // Queued in the submit's transaction; the background sender delivers it when it can.
      if (outcome.submitted) services.sync.kick();
      return outcome.submitted
        ? outcome
        : {
            submitted: false,
            problems: outcome.problems.map((p) => ({ ...p, frames: [...p.frames] })),
          };
    },
    getAgreementReport: ({ batchId }) => services.agreement.report(batchId),
    pullDoubleAnnotation: () => services.sync.pullDoubleAnnotation(),
    getTeamProgress: () => ({
      projects: services.sync.teamProgress(),
      pullStatus: services.sync.teamSetsStatus(),
    }),
    setTeamPullStatus: ({ status }) => {
      services.sync.setTeamSetsStatus(status);
      services.sync.kick();
      return { status };
    },
    pullTeamProgress: () => services.sync.pullTeamProgress(),
    getSyncStatus: () => services.sync.status(),
    getIdentity: () => identityOf(services),
    listWork: ({ batchId }) => {
      if (batchId !== undefined && !store.media.getBatch(batchId)) throw notFound('batch', batchId);
      return listWork(
        { store, actor: actor(), assignments: services.sync.assignments(), fileHere },
        batchId,
      );
    },
    setLocalProfile: ({ name }) => {
      services.sync.setLocalProfile(name);
      return identityOf(services);
    },
    syncSignIn: async ({ serverUrl, token }) => {
      const status = await services.sync.signInAndVerify(serverUrl, token);
      // The clips assigned to this account start coming at once, not at the next round.
      fetchDeliveries();
      return status;
    },
    syncSignOut: () => {
      services.sync.signOut();
      return services.sync.status();
    },
    // A button press waits at most 15 s; what is still backing off goes on in the background.
    syncNow: async () => {
      const report = await services.sync.syncNow(15_000);
      // New assignments may have come with the pull.
      fetchDeliveries();
      return report;
    },
    getDeliveryStatus: async () => ({
      progress: services.delivery.progress(),
      storage: await services.delivery.storage(),
    }),
    retryDelivery: ({ clipRef }) => ({ retried: services.delivery.retry(clipRef) }),
    setClipQuota: async ({ quotaBytes }) => {
      const evicted = await services.delivery.setQuota(quotaBytes);
      return { storage: await services.delivery.storage(), evicted: evicted.length };
    },
    // The contract's shape, not the queue's row: the outbox id is sync's own business.
    listSyncConflicts: () =>
      services.sync.conflicts().map((c) => ({
        id: c.id,
        setId: c.setId,
        clipId: c.clipId,
        code: c.code,
        message: c.message,
        local: c.local,
        server: c.server,
        serverRevision: c.serverRevision,
        recordedAt: c.recordedAt,
      })),
    listSyncIssues: ({ clipId }) => {
      const issues = services.sync.issues();
      if (clipId === undefined) return issues;
      const clip = store.media.getClip(clipId);
      if (!clip) throw notFound('clip', clipId);
      return issues.filter(
        (issue) =>
          issue.clipId === clipId || (clip.sha256 !== null && issue.clipRef === clip.sha256),
      );
    },
    retrySyncIssue: ({ issueId }) => ({ retried: services.sync.retryIssue(issueId) }),
    discardSyncIssue: ({ issueId }) => ({ discarded: services.sync.discardIssue(issueId) }),
    dismissSyncConflict: ({ conflictId }) => ({
      dismissed: store.sync.dismissConflict(conflictId, actor()),
    }),
    // The cached queue is the account's that pulled it: after switching accounts it is not shown
    // (its verdicts wait in the outbox for that account).
    listReviewQueue: () =>
      services.sync.reviewQueueOwner() === actor() ? store.reviews.listQueue(actor()) : [],
    openReview: ({ setId }) => {
      ownQueue(setId);
      return store.reviews.open(setId, actor());
    },
    addReviewComment: (input) => {
      ownQueue(input.setId);
      return store.reviews.addComment(input, actor());
    },
    submitReview: (input) => {
      ownQueue(input.setId);
      const { comments } = store.reviews.submitVerdict(input, actor());
      services.sync.kick();
      return { queued: true as const, comments };
    },
    reviewAgain: ({ setId }) => store.reviews.reviewAgain(setId, actor()),
    listComments: ({ setId }) => store.reviews.commentsForLocalSet(setId),
    resolveComment: ({ commentId }) => {
      const comment = store.reviews.resolveComment(commentId, actor());
      services.sync.kick();
      return comment;
    },
    reopenComment: ({ commentId }) => store.reviews.reopenComment(commentId, actor()),
    getWorkspace: () => store.labels.getWorkspace(actor()),
    saveWorkspace: (workspace) => {
      store.labels.saveWorkspace(actor(), workspace);
      return {};
    },
    startExport: (request) => services.exports.start(request),
    cancelExport: ({ exportId }) => ({ cancelled: services.exports.cancel(exportId) }),
    getPrivacyReport: ({ batchId }) => services.governance.privacyReport(batchId),
    verifyAuditChain: () => services.governance.verifyAudit(),
    getAuditTrail: ({ batchId }) => services.governance.auditTrail(batchId),
    setConsentPolicy: ({ projectId, policy }) => {
      const id = projectId ?? activeProjectId(store);
      return { projectId: id, policy: services.governance.setConsentPolicy(id, policy) };
    },
    startPreannotation: (request) => services.preannotation.start(request),
    cancelPreannotation: ({ jobId }) => ({ cancelled: services.preannotation.cancel(jobId) }),
    startFaceScan: ({ clipId }) => services.faces.start(clipId),
    cancelFaceScan: ({ jobId }) => ({ cancelled: services.faces.cancel(jobId) }),
    getFaceRegions: ({ clipId }) => ({
      scan: store.faces.scanOf(clipId),
      tracks: store.faces.tracksOf(clipId, { includeRemoved: true }),
    }),
    setBlurReview: ({ clipId, status }) => {
      if (!store.faces.setReviewStatus(clipId, status, actor(), new Date().toISOString())) {
        throw new ApiError(
          'NOT_SCANNED',
          'This clip has no finished face scan to review; scan its faces first.',
        );
      }
      const scan = store.faces.scanOf(clipId);
      if (scan === null) throw new ApiError('NOT_SCANNED', 'The face scan of this clip is gone.');
      return { scan };
    },
    putFaceTrack: ({ clipId, track }) => {
      store.faces.putTrack(clipId, track, actor(), new Date().toISOString());
      return {};
    },
    removeFaceTrack: ({ clipId, trackId }) => ({
      removed: store.faces.removeTrack(clipId, trackId, actor(), new Date().toISOString()),
    }),
  };
}
