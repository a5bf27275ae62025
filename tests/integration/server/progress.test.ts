import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProjectProgress } from '../../../src/shared/api/syncProtocol';
import { backends, call, pushBody, seededServer, type SeededServer } from './serverHarness';

describe.each(backends)(
  "GET /v1/projects/:id/progress: a lead's view of the team (%s)",
  (backend) => {
    let server: SeededServer;
    beforeAll(async () => {
      server = await seededServer(backend);
    });
    afterAll(async () => {
      await server.close();
    });

    const progress = async (token: string, projectId = server.team.projectId) => {
      const answer = await call(server.url, 'GET', `/v1/projects/${projectId}/progress`, { token });
      return { status: answer.status, body: answer.body as ProjectProgress };
    };
    const push = (baseRevision: number, key: string) =>
      call(server.url, 'PUT', `/v1/clips/${server.team.clipA}/set`, {
        token: server.team.tokens.ann1,
        key,
        body: pushBody(baseRevision),
      });
    const review = (baseRevision: number, verdict: string, key: string) =>
      call(server.url, 'POST', `/v1/sets/${server.team.setA}/review`, {
        token: server.team.tokens.rev1,
        key,
        body: { verdict, baseRevision, comments: [], reason: 'the wrist drifts' },
      });

    it('counts clips by status, each annotator and the reviewer backlog through a review round', async () => {
      const { tokens } = server.team;
      const fresh = await progress(tokens.lead1);
      expect(fresh.status).toBe(200);
      expect(fresh.body.clipsByStatus).toMatchObject({ assigned: 1, submitted: 0, accepted: 0 });
      expect(fresh.body.annotators).toEqual([
        expect.objectContaining({
          annotator: 'ann1',
          assigned: 1,
          submitted: 0,
          rejectionRate: null,
        }),
      ]);

      expect((await push(0, 'progress-push-1')).status).toBe(200);
      const waiting = await progress(tokens.lead1);
      expect(waiting.body.clipsByStatus).toMatchObject({ assigned: 0, submitted: 1 });
      expect(waiting.body.reviewers).toEqual([{ reviewer: 'rev1', backlog: 1, reviewed: 0 }]);

      expect((await review(1, 'request_changes', 'progress-review-1')).status).toBe(200);
      expect((await push(2, 'progress-push-2')).status).toBe(200);
      expect((await review(3, 'accept', 'progress-review-2')).status).toBe(200);
      const done = await progress(tokens.lead1);
      expect(done.body.clipsByStatus).toMatchObject({ submitted: 0, accepted: 1 });
      const today = new Date().toISOString().slice(0, 10);
      expect(done.body.annotators).toEqual([
        {
          annotator: 'ann1',
          assigned: 1,
          submitted: 1,
          accepted: 1,
          changesRequested: 1,
          rejectionRate: 0.5,
          perDay: [{ day: today, submitted: 2, accepted: 1 }],
        },
      ]);
      expect(done.body.reviewers).toEqual([{ reviewer: 'rev1', backlog: 0, reviewed: 2 }]);
    });

    it("answers 403 to anyone but the project's lead, and lists a lead's projects", async () => {
      const { tokens, projectId, otherProjectId } = server.team;
      for (const token of [tokens.lead2, tokens.ann1, tokens.rev1]) {
        expect((await progress(token)).status).toBe(403);
      }
      expect((await progress(tokens.lead1, otherProjectId)).status).toBe(403);
      const listed = await call(server.url, 'GET', '/v1/projects', { token: tokens.lead1 });
      expect(listed.body).toEqual({ projects: [{ projectId, name: 'p1' }] });
      expect((await call(server.url, 'GET', '/v1/projects', { token: tokens.ann1 })).status).toBe(
        403,
      );
    });
  },
);
