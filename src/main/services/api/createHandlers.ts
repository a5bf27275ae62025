import type { ApiHandlers } from '../../../shared/api/contract';
import { ApiError } from '../../../shared/api/apiError';
import type { CoreServices } from '../createServices';
import { importBatch } from '../import/importBatch';
import { activeProjectId } from '../labels/projectLibrary';

function notFound(what: string, id: string): ApiError {
  return new ApiError(
    'NOT_FOUND',
    `No ${what} with id ${id}: it may have been removed; reload the list.`,
  );
}

/** The main side of the contract: thin, because the services hold the work. */
export function createHandlers(services: CoreServices): ApiHandlers {
  const { store, actor } = services;
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
      const table = store.media.getFrameTable(clipId);
      if (!table) throw notFound('clip', clipId);
      return table;
    },
    getSampleTable: async ({ clipId, variant }) => {
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
      if (!store.media.getClip(clipId)) throw notFound('clip', clipId);
      return store.labels.openAnnotationSet(clipId, actor, activeProjectId(store));
    },
    loadLabels: ({ setId }) => ({ setId, ...store.labels.loadLabels(setId) }),
    applyLabelEdit: ({ setId, command, expectedSeq, editId }) => {
      const saved = store.labels.applyLabelEdit(setId, command, expectedSeq, actor, editId);
      services.events.emit('labelsSaved', { setId, seq: saved.seq });
      return saved;
    },
    submitAnnotationSet: ({ setId }) => {
      const set = store.labels.getAnnotationSet(setId);
      if (!set || set.annotator !== actor) throw notFound('annotation set', setId);
      const outcome = store.labels.submitAnnotationSet(setId, actor);
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
    syncSignIn: ({ serverUrl, token }) => services.sync.signInAndVerify(serverUrl, token),
    syncSignOut: () => {
      services.sync.signOut();
      return services.sync.status();
    },
    // A button press waits at most 15 s; what is still backing off goes on in the background.
    syncNow: () => services.sync.syncNow(15_000),
    listSyncConflicts: () => services.sync.conflicts(),
    dismissSyncConflict: ({ conflictId }) => ({
      dismissed: store.sync.dismissConflict(conflictId, actor),
    }),
    listReviewQueue: () => store.reviews.listQueue(actor),
    openReview: ({ setId }) => store.reviews.open(setId, actor),
    addReviewComment: (input) => store.reviews.addComment(input, actor),
    submitReview: (input) => {
      const { comments } = store.reviews.submitVerdict(input, actor);
      services.sync.kick();
      return { queued: true as const, comments };
    },
    reviewAgain: ({ setId }) => store.reviews.reviewAgain(setId, actor),
    listComments: ({ setId }) => store.reviews.commentsForLocalSet(setId),
    resolveComment: ({ commentId }) => {
      const comment = store.reviews.resolveComment(commentId, actor);
      services.sync.kick();
      return comment;
    },
    reopenComment: ({ commentId }) => store.reviews.reopenComment(commentId, actor),
    getWorkspace: () => store.labels.getWorkspace(actor),
    saveWorkspace: (workspace) => {
      store.labels.saveWorkspace(actor, workspace);
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
  };
}
