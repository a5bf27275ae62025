import { createStore, type StateCreator, type StoreApi } from 'zustand/vanilla';
import type { ApiClient } from '../../../shared/api/contract';
import { createAgreementSlice, type AgreementSlice } from './agreementSlice';
import { createBatchesSlice, type BatchesSlice } from './batchesSlice';
import { createClipsSlice, type ClipsSlice } from './clipsSlice';
import { createDeliverySlice, type DeliverySlice } from './deliverySlice';
import { createErrorsSlice, type ErrorsSlice } from './errorsSlice';
import { createExportSlice, type ExportSlice } from './exportSlice';
import { createFacesSlice, type FacesSlice } from './facesSlice';
import { createLabelsSlice, type LabelsSlice } from './labelsSlice';
import { createSegmentLabelsSlice, type SegmentLabelsSlice } from './segmentLabelsSlice';
import { createLayoutSlice, type LayoutSlice } from './layoutSlice';
import { createNavigationSlice, type NavigationSlice } from './navigationSlice';
import { createPlayerSlice, type PlayerSlice } from './playerSlice';
import { createPreannotationSlice, type PreannotationSlice } from './preannotationSlice';
import { createReviewSlice, type ReviewSlice } from './reviewSlice';
import { createSyncSlice, type SyncSlice } from './syncSlice';
import { createWorkSlice, type WorkSlice } from './workSlice';
import { createTeamSlice, type TeamSlice } from './teamSlice';
import { persistWorkspace } from './workspacePersistence';

export type AppState = BatchesSlice &
  ClipsSlice &
  NavigationSlice &
  PlayerSlice &
  LabelsSlice &
  PreannotationSlice &
  FacesSlice &
  ExportSlice &
  AgreementSlice &
  SyncSlice &
  ReviewSlice &
  WorkSlice &
  DeliverySlice &
  TeamSlice &
  LayoutSlice &
  SegmentLabelsSlice &
  ErrorsSlice;
export type AppStore = StoreApi<AppState>;

/** A feature slice, given the API client its actions call (zustand's slices pattern). */
export type SliceCreator<Slice> = (api: ApiClient) => StateCreator<AppState, [], [], Slice>;

/** The slices, combined once; pushed events are wired to their slices here. */
export function createAppStore(api: ApiClient): AppStore {
  const store = createStore<AppState>()((...args) => ({
    ...createBatchesSlice(api)(...args),
    ...createClipsSlice(api)(...args),
    ...createNavigationSlice(api)(...args),
    ...createPlayerSlice(api)(...args),
    ...createLabelsSlice(api)(...args),
    ...createPreannotationSlice(api)(...args),
    ...createFacesSlice(api)(...args),
    ...createAgreementSlice(api)(...args),
    ...createExportSlice(api)(...args),
    ...createSyncSlice(api)(...args),
    ...createReviewSlice(api)(...args),
    ...createWorkSlice(api)(...args),
    ...createDeliverySlice(api)(...args),
    ...createTeamSlice(api)(...args),
    ...createLayoutSlice(api)(...args),
    ...createSegmentLabelsSlice(api)(...args),
    ...createErrorsSlice(api)(...args),
  }));
  api.onImportProgress((progress) => store.getState().receiveImportProgress(progress));
  api.onChecksumUpdate((update) => store.getState().applyChecksumUpdate(update));
  api.onProxyUpdate((status) => store.getState().applyProxyUpdate(status));
  api.onExportProgress((progress) => store.getState().receiveExportProgress(progress));
  api.onPreannotationProgress((progress) =>
    store.getState().receivePreannotationProgress(progress),
  );
  api.onFaceScanProgress((progress) => store.getState().receiveFaceScanProgress(progress));
  api.onConsentWithdrawn((event) => store.getState().applyConsentWithdrawn(event));
  api.onDeliveryProgress((progress) => store.getState().receiveDeliveryProgress(progress));
  persistWorkspace(store, api);
  return store;
}
