import type { AgreementReport } from '../../../shared/domain/metrics/agreementReport';
import type { SliceCreator } from './appStore';

export type AgreementSlice = {
  agreementReport: AgreementReport | null;
  /** The batch the report is narrowed to; null for every batch. */
  agreementBatchId: string | null;
  agreementLoading: boolean;
  loadAgreement: (batchId: string | null) => Promise<void>;
  /** What the last pull from the server brought, as a sentence; null before one. */
  agreementPullNote: string | null;
  /** Pulls the double-annotated sets from the server now, then recomputes the figures. */
  pullAgreementFromServer: () => Promise<void>;
};

export const createAgreementSlice: SliceCreator<AgreementSlice> = (api) => (set, get) => ({
  agreementReport: null,
  agreementBatchId: null,
  agreementLoading: false,
  agreementPullNote: null,
  pullAgreementFromServer: async () => {
    try {
      const pulled = await api.pullDoubleAnnotation({});
      set({
        agreementPullNote: pulled.allowed
          ? `The server gave ${pulled.received} handed-in set${pulled.received === 1 ? '' : 's'} of double-annotated clips; ${pulled.stored} new or updated here.`
          : 'This account may not see other annotators’ sets: sign in as the project’s lead.',
      });
    } catch (error) {
      get().reportError('pulling double annotation from the server', error);
      return;
    }
    await get().loadAgreement(get().agreementBatchId);
  },
  loadAgreement: async (batchId) => {
    set({ agreementBatchId: batchId, agreementLoading: true });
    try {
      const report = await api.getAgreementReport(batchId === null ? {} : { batchId });
      // A later choice of batch wins over a slower earlier answer.
      if (get().agreementBatchId === batchId) set({ agreementReport: report });
    } catch (error) {
      get().reportError('computing agreement', error);
    } finally {
      if (get().agreementBatchId === batchId) set({ agreementLoading: false });
    }
  },
});
