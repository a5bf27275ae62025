import { stat } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { ApiHandlers } from '../../shared/api/contract';
import { createHandlers } from './api/createHandlers';
import { clipUseReader } from './delivery/clipUse';
import { DeliveryService } from './delivery/deliveryService';
import { EventBus } from './eventBus';
import { AgreementService } from './agreement/agreementService';
import { ExportService } from './export/exportService';
import { GovernanceService } from './governance/governanceService';
import { ChecksumWorker } from './import/checksumWorker';
import { DEFAULT_PROJECT_ID, defaultProjectSchema } from './labels/defaultProject';
import type { ImportDeps } from './import/importBatch';
import { probeVideo } from '../../node/media/probeVideo';
import { SampleTableCache } from './media/sampleTable';
import type { OpenPoseWindow } from './preannotation/gpuPoseRunner';
import { PreannotationService } from './preannotation/preannotationService';
import { FaceScanService } from './faces/faceScanService';
import { ProxyService } from './proxy/proxyService';
import { quickFingerprint, sha256File } from '../../node/media/sha256File';
import { openStore } from './store/openStore';
import { SyncService, type CachedProgress } from './sync/syncService';
import type { ServerAnnotatorCounts } from '../../shared/domain/metrics';
import type { Store } from './store/Store';

export type CoreServices = {
  store: Store;
  /**
   * Who records are made by, read at each use: the signed-in account, else the local profile,
   * else the OS user (`SyncService.currentActor`). The annotator of the sets opened, the actor
   * of the audit log, comments, resolutions and verdicts.
   */
  readonly actor: string;
  events: EventBus;
  checksums: ChecksumWorker;
  importDeps: ImportDeps;
  /** Recently read sample tables (originals and proxies), shared by the handlers and proxies. */
  sampleTables: SampleTableCache;
  proxies: ProxyService;
  /** Exports for team leads, each on its own read-only connection to the database. */
  exports: ExportService;
  /** Pose proposals, computed on a worker thread started on the first job. */
  preannotation: PreannotationService;
  /** Face scans of clips (issue #19), on a worker thread started on the first scan. */
  faces: FaceScanService;
  /** Inter-annotator agreement for the lead's agreement page. */
  agreement: AgreementService;
  /** Delivery of submitted sets to the central server and the pull of review outcomes. */
  sync: SyncService;
  /**
   * Consent withdrawal and purge, the audit chain, privacy reports. Sync calls
   * `governance.withdrawConsent({ clipRef, source: 'server', reason })` for every
   * `consent_withdrawn` event it pulls.
   */
  governance: GovernanceService;
  /**
   * The clips the team server delivers to the signed-in account (#18), kept in the user-data
   * `clips/` folder under the disk quota.
   */
  delivery: DeliveryService;
  /** Where delivered clips are kept: a clip whose file is there and gone was evicted. */
  clipsDir: string;
};

export type Services = CoreServices & {
  handlers: ApiHandlers;
  /**
   * The running app's background work: hashes and proxies a previous run left pending, and
   * sync's delivery rounds. The Electron shell and `framewise serve` call it; a one-shot CLI
   * command does not, and starts only what it uses (`checksums.kick()` before an export).
   */
  start: () => void;
  close: () => void;
};

function currentActor(): string {
  try {
    return userInfo().username;
  } catch (error) {
    // Some sandboxes have no passwd entry; the audit log still needs a name.
    console.warn('No OS user name available; recording edits as "local".', error);
    return 'local';
  }
}

/**
 * Everything the workstation does, independent of Electron: the IPC bridge, loopback host and CLI
 * share it. Wiring only: opens the database and builds the services, starting nothing (`start()`).
 */
export function createServices(options: {
  databasePath: string;
  actor?: string;
  sqliteNativeBinding?: string;
  /** The Electron shell's hidden WebGL window for pre-annotation on a real GPU. */
  openPoseWindow?: OpenPoseWindow;
}): Services {
  const store = openStore(options.databasePath, {
    ...(options.sqliteNativeBinding ? { nativeBinding: options.sqliteNativeBinding } : {}),
  });
  const events = new EventBus();
  const osActor = options.actor ?? currentActor();
  const sync = new SyncService({ store, actor: osActor });
  // Checksums are the machine's own work, recorded under the name it started with.
  const checksums = new ChecksumWorker(store, events, sha256File, osActor);
  const importDeps: ImportDeps = {
    store,
    events,
    get actor() {
      return sync.currentActor();
    },
    probe: probeVideo,
    fingerprint: quickFingerprint,
    onClipsAdded: () => checksums.kick(),
  };
  const sampleTables = new SampleTableCache(8);
  const proxies = new ProxyService({
    store,
    events,
    get actor() {
      return sync.currentActor();
    },
    // Beside the database, so a portable data folder (FRAMEWISE_DATA_DIR) carries its proxies.
    proxyDir: join(dirname(options.databasePath), 'proxies'),
    sampleTables,
  });
  store.labels.ensureProject(
    { id: DEFAULT_PROJECT_ID, schema: defaultProjectSchema() },
    sync.currentActor(),
  );
  const exports = new ExportService({
    databasePath: options.databasePath,
    events,
    ...(options.sqliteNativeBinding ? { sqliteNativeBinding: options.sqliteNativeBinding } : {}),
  });
  // Clips the team server delivers (#18), beside the database like the proxies.
  const clipsDir = join(dirname(options.databasePath), 'clips');
  const clipUse = clipUseReader(store.db);
  const delivery = new DeliveryService({
    dir: clipsDir,
    server: () => sync.connection(),
    onProgress: (progress) => events.emit('deliveryProgress', progress),
    clipUse,
    onEvicted: (removed) => {
      for (const file of removed) {
        store.audit.record({
          actor: sync.currentActor(),
          action: 'delivery.file_evicted',
          entityType: 'clip_ref',
          entityId: file.clipRef,
          details: { cause: 'disk_quota', sha256: file.sha256, sizeBytes: file.sizeBytes },
        });
      }
    },
    importClip: async (path, offered) => {
      const batch = store.media.upsertBatch(
        { folder: clipsDir, name: 'Delivered by the team server', manifest: null },
        sync.currentActor(),
      );
      const info = await stat(path);
      const fingerprint = await quickFingerprint(path);
      // Downloaded again after an eviction: the clip, its labels and its path are still here.
      if (store.media.findClipByFingerprint(fingerprint) !== undefined) return;
      store.media.addDeliveredClip(
        {
          batchId: batch.id,
          relativePath: basename(path),
          filePath: path,
          sizeBytes: info.size,
          mtimeMs: info.mtimeMs,
          fingerprint,
          expectedSha256: null,
          probe: await probeVideo(path),
          clipRef: offered.clipRef,
        },
        sync.currentActor(),
      );
    },
  });
  const core: CoreServices = {
    store,
    get actor() {
      return sync.currentActor();
    },
    events,
    checksums,
    importDeps,
    sampleTables,
    proxies,
    exports,
    preannotation: new PreannotationService({
      store: {
        getClip: (clipId) => store.media.getClip(clipId),
        getClipFilePath: (clipId) => store.media.getClipFilePath(clipId),
        getFrameTable: (clipId) => store.media.getFrameTable(clipId),
        getProject: (projectId) => store.labels.getProject(projectId),
      },
      events,
      ...(options.openPoseWindow ? { openPoseWindow: options.openPoseWindow } : {}),
    }),
    faces: new FaceScanService({
      media: {
        getClip: (clipId) => store.media.getClip(clipId),
        getClipFilePath: (clipId) => store.media.getClipFilePath(clipId),
        getFrameTable: (clipId) => store.media.getFrameTable(clipId),
      },
      faces: store.faces,
      events,
    }),
    agreement: new AgreementService({
      databasePath: options.databasePath,
      store,
      serverCounts: () => serverCountsOf(core.sync.teamProgress()),
      ...(options.sqliteNativeBinding ? { sqliteNativeBinding: options.sqliteNativeBinding } : {}),
    }),
    sync,
    governance: new GovernanceService({
      databasePath: options.databasePath,
      store,
      events,
      // Read at each withdrawal or policy change: whoever is signed in then.
      get actor() {
        return sync.currentActor();
      },
      proxyDir: join(dirname(options.databasePath), 'proxies'),
      deliveredFiles: { purge: (clipRef) => delivery.purgeClip(clipRef) },
      ...(options.sqliteNativeBinding ? { sqliteNativeBinding: options.sqliteNativeBinding } : {}),
    }),
    delivery,
    clipsDir,
  };
  // Governance deletes the delivered copy too (a batch folder's file is the user's, and stays).
  core.sync.onConsentWithdrawn((clipRef, reason) =>
    core.governance.withdrawConsent({ clipRef, source: 'server', reason }),
  );
  return {
    ...core,
    handlers: createHandlers(core),
    start: () => {
      // Hashes left pending by a previous run (app closed mid-batch) resume, as do proxies.
      checksums.kick();
      proxies.resume();
      // Idle until someone signs in (the Electron shell restores a saved token first).
      core.sync.start();
      delivery.start();
    },
    close: () => {
      checksums.stop();
      core.sync.stop();
      delivery.stop();
      proxies.close();
      // Running exports stop and remove their temporary folders; their connections close.
      void exports.close();
      // Stops the pose worker thread; a frame in flight is dropped, its job reported failed.
      void core.preannotation.close();
      void core.faces.close();
      core.governance.close();
      store.close();
    },
  };
}

/** Each annotator's counts over every project the lead's sync pulled progress for. */
function serverCountsOf(projects: readonly CachedProgress[]): ServerAnnotatorCounts[] {
  const byName = new Map<
    string,
    ServerAnnotatorCounts & { perDay: { day: string; submitted: number }[] }
  >();
  for (const { progress } of projects) {
    for (const a of progress.annotators) {
      const sum = byName.get(a.annotator) ?? {
        annotator: a.annotator,
        submitted: 0,
        accepted: 0,
        changesRequested: 0,
        perDay: [],
      };
      byName.set(a.annotator, {
        ...sum,
        submitted: sum.submitted + a.submitted,
        accepted: sum.accepted + a.accepted,
        changesRequested: sum.changesRequested + a.changesRequested,
        perDay: [...sum.perDay, ...a.perDay.map((d) => ({ day: d.day, submitted: d.submitted }))],
      });
    }
  }
  return [...byName.values()];
}
