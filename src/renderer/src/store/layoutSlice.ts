import { parseLayout, type WorkspaceLayout } from '../workspace/workspaceLayout';
import type { SliceCreator } from './appStore';

const LAYOUT_KEY = 'framewise.workspace.layout';

export type LayoutSlice = {
  layout: WorkspaceLayout;
  /** Changes the layout and keeps it for the next launch. */
  setLayout: (patch: Partial<WorkspaceLayout>) => void;
  toggleSidePanel: () => void;
};

function readLayout(): WorkspaceLayout {
  try {
    return parseLayout(localStorage.getItem(LAYOUT_KEY));
  } catch (error) {
    console.warn('The workspace layout could not be read; using the default.', error);
    return parseLayout(null);
  }
}

function writeLayout(layout: WorkspaceLayout): void {
  try {
    localStorage.setItem(LAYOUT_KEY, JSON.stringify(layout));
  } catch (error) {
    console.warn('The workspace layout could not be saved.', error);
  }
}

export const createLayoutSlice: SliceCreator<LayoutSlice> = () => (set, get) => ({
  layout: readLayout(),
  setLayout: (patch) => {
    const layout = { ...get().layout, ...patch };
    set({ layout });
    writeLayout(layout);
  },
  toggleSidePanel: () => get().setLayout({ sidePanelOpen: !get().layout.sidePanelOpen }),
});
