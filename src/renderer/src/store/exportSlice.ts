import type {
  ExportFormat,
  ExportProgress,
  ExportReport,
  ExportStatusFilter,
} from '../../../shared/api/exportSchemas';
import type { SliceCreator } from './appStore';

export const ALL_EXPORT_FORMATS: readonly ExportFormat[] = [
  'coco',
  'cvat',
  'epic',
  'hands',
  'provenance',
];

/** What the lead has chosen on the Export screen. */
export type ExportChoices = {
  batchIds: string[];
  status: ExportStatusFilter;
  formats: ExportFormat[];
  destination: string;
  includeVideos: boolean;
  /** Blur faces in the video copies (issue #19): only with `includeVideos`. */
  blurFaces: boolean;
  /** Region codes as typed ("PT, US"); empty: every region. Parsed by `regionsOf`. */
  regions: string;
};

/** "pt, US-CA" → ["PT", "US-CA"]: the lead types codes, the request wants a clean list. */
export function regionsOf(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((code) => code.trim().toUpperCase())
    .filter((code) => code !== '');
}

export type ExportSlice = {
  exportChoices: ExportChoices;
  /** The export this window started, while it runs (and after, until another starts). */
  exportId: string | null;
  exportProgress: ExportProgress | null;
  exportReport: ExportReport | null;
  exportRunning: boolean;
  setExportChoices: (patch: Partial<ExportChoices>) => void;
  toggleExportBatch: (batchId: string) => void;
  toggleExportFormat: (format: ExportFormat) => void;
  startExport: () => Promise<void>;
  cancelExport: () => Promise<void>;
  receiveExportProgress: (progress: ExportProgress) => void;
};

export const createExportSlice: SliceCreator<ExportSlice> = (api) => (set, get) => ({
  exportChoices: {
    batchIds: [],
    status: 'accepted',
    formats: [...ALL_EXPORT_FORMATS],
    destination: '',
    includeVideos: false,
    blurFaces: false,
    regions: '',
  },
  exportId: null,
  exportProgress: null,
  exportReport: null,
  exportRunning: false,

  setExportChoices: (patch) => set({ exportChoices: { ...get().exportChoices, ...patch } }),
  toggleExportBatch: (batchId) => {
    const { batchIds } = get().exportChoices;
    get().setExportChoices({
      batchIds: batchIds.includes(batchId)
        ? batchIds.filter((id) => id !== batchId)
        : [...batchIds, batchId],
    });
  },
  toggleExportFormat: (format) => {
    const { formats } = get().exportChoices;
    get().setExportChoices({
      formats: formats.includes(format)
        ? formats.filter((f) => f !== format)
        : ALL_EXPORT_FORMATS.filter((f) => f === format || formats.includes(f)),
    });
  },

  startExport: async () => {
    if (get().exportRunning) return;
    const choices = get().exportChoices;
    set({ exportRunning: true, exportProgress: null, exportReport: null, exportId: null });
    get().dismissError();
    try {
      const { exportId } = await api.startExport({
        batchIds: choices.batchIds,
        status: choices.status,
        formats: choices.formats,
        destination: choices.destination.trim(),
        includeVideos: choices.includeVideos,
        ...(choices.includeVideos && choices.blurFaces ? { blur: 'faces' as const } : {}),
        // Only when the lead named regions: data residency applies to this export alone.
        ...(regionsOf(choices.regions).length > 0 ? { regions: regionsOf(choices.regions) } : {}),
      });
      // Events of this export may have arrived before its id did: keep only the latest.
      const early = get().exportProgress;
      set({ exportId, exportProgress: early?.exportId === exportId ? early : null });
      if (early?.exportId === exportId) get().receiveExportProgress(early);
    } catch (error) {
      set({ exportRunning: false });
      get().reportError('starting the export', error);
    }
  },

  cancelExport: async () => {
    const exportId = get().exportId;
    if (exportId === null) return;
    try {
      await api.cancelExport({ exportId });
    } catch (error) {
      get().reportError('cancelling the export', error);
    }
  },

  receiveExportProgress: (progress) => {
    const current = get().exportId;
    // Another window's export is not this screen's business.
    if (current !== null && progress.exportId !== current) return;
    if (current === null && !get().exportRunning) return;
    set({ exportProgress: progress });
    if (progress.phase === 'done') {
      set({ exportRunning: false, exportReport: progress.report });
    } else if (progress.phase === 'failed' || progress.phase === 'cancelled') {
      set({ exportRunning: false });
      if (progress.phase === 'failed' && progress.error) {
        get().reportError('exporting', progress.error);
      }
    }
  },
});
