import type { AgreementReport } from '../../../shared/domain/metrics/agreementReport';
import type { SliceCreator } from './appStore';

export type AgreementSlice = {
  agreementReport: AgreementReport | null;
  /** The batch the report is narrowed to; null for every batch. */
  agreementBatchId: string | null;
  agreementLoading: boolean;
  loadAgreement: (batchId: string | null) => Promise<void>;
};

export const createAgreementSlice: SliceCreator<AgreementSlice> = (api) => (set, get) => ({
  agreementReport: null,
  agreementBatchId: null,
  agreementLoading: false,
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
