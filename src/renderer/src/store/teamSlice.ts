import type { ProjectProgress } from '../../../shared/api/syncProtocol';
import type { SliceCreator } from './appStore';

export type CachedProjectProgress = { progress: ProjectProgress; pulledAt: string };

export type TeamSlice = {
  /** Each led project's progress as sync last pulled it (readable offline); null before loading. */
  teamProgress: CachedProjectProgress[] | null;
  /** What the last pull from the server said, as a sentence; null before one. */
  teamPullNote: string | null;
  teamPulling: boolean;
  /** Reads the cached progress (no network). */
  loadTeamProgress: () => Promise<void>;
  /** Pulls every led project's progress from the server now, then shows it. */
  pullTeamProgress: () => Promise<void>;
};

export const createTeamSlice: SliceCreator<TeamSlice> = (api) => (set, get) => ({
  teamProgress: null,
  teamPullNote: null,
  teamPulling: false,
  loadTeamProgress: async () => {
    try {
      const { projects } = await api.getTeamProgress({});
      set({ teamProgress: projects });
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
