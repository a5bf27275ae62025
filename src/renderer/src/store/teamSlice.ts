import type { ProjectProgress } from '../../../shared/api/syncProtocol';
import type { SliceCreator } from './appStore';

export type CachedProjectProgress = { progress: ProjectProgress; pulledAt: string };

export type TeamSlice = {
  /** Each led project's progress as sync last pulled it (readable offline); null before loading. */
  teamProgress: CachedProjectProgress[] | null;
  /** What the last pull from the server said, as a sentence; null before one. */
  teamPullNote: string | null;
  teamPulling: boolean;
  /** Which sets sync pulls for Export: accepted only, or everything handed in. */
  teamPullStatus: 'accepted' | 'submitted';
  setTeamPullStatus: (status: 'accepted' | 'submitted') => Promise<void>;
  /** Reads the cached progress (no network). */
  loadTeamProgress: () => Promise<void>;
  /** Pulls every led project's progress from the server now, then shows it. */
  pullTeamProgress: () => Promise<void>;
};

export const createTeamSlice: SliceCreator<TeamSlice> = (api) => (set, get) => ({
  teamProgress: null,
  teamPullNote: null,
  teamPulling: false,
  teamPullStatus: 'accepted',
  setTeamPullStatus: async (status) => {
    const before = get().teamPullStatus;
    // Shown at once (a checkbox must not lag its click); put back if the choice was not saved.
    set({ teamPullStatus: status });
    try {
      const saved = await api.setTeamPullStatus({ status });
      set({ teamPullStatus: saved.status });
    } catch (error) {
      set({ teamPullStatus: before });
      get().reportError('choosing which sets to pull', error);
    }
  },
  loadTeamProgress: async () => {
    try {
      const { projects, pullStatus } = await api.getTeamProgress({});
      set({ teamProgress: projects, teamPullStatus: pullStatus });
    } catch (error) {
      get().reportError('reading the team’s progress', error);
    }
  },
  pullTeamProgress: async () => {
    set({ teamPulling: true });
    try {
      const pulled = await api.pullTeamProgress({});
      set({
        teamProgress: pulled.projects,
        teamPullNote: pulled.allowed
          ? null
          : 'This account leads no project: sign in as a project’s lead to see its team.',
      });
    } catch (error) {
      get().reportError('pulling the team’s progress from the server', error);
    } finally {
      set({ teamPulling: false });
    }
  },
});
