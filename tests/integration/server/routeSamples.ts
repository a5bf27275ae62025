import { pushBody, type DeliveryFixture, type Team } from './serverHarness';

/** A valid review of set A at revision 1, with one pinned comment `c1`. */
export const review = (
  extra: Record<string, unknown> = {},
  comment: Record<string, unknown> = {},
) => ({
  verdict: 'request_changes',
  baseRevision: 1,
  reason: 'the wrist drifts',
  comments: [{ id: 'c1', text: 'look at frame 3', frame: 3, ...comment }],
  ...extra,
});

export type RouteSample = { path: string; token: string; body?: unknown };

/**
 * A request each route accepts (or refuses for reasons other than its shape), so that adding one
 * unknown field is the only thing wrong with it. A new route without an entry fails the test.
 * The clip delivery routes are there when the server serves them (`delivery`).
 */
export function samples(team: Team, delivery?: DeliveryFixture): Record<string, RouteSample> {
  return {
    ...(delivery === undefined ? {} : deliverySamples(team, delivery)),
    'GET /v1/health': { path: '/v1/health', token: team.tokens.ann1 },
    'GET /v1/me': { path: '/v1/me', token: team.tokens.ann1 },
    'GET /v1/assignments': { path: '/v1/assignments', token: team.tokens.ann1 },
    'GET /v1/sets/:setId': { path: `/v1/sets/${team.setA}`, token: team.tokens.ann1 },
    'PUT /v1/clips/:clipRef/set': {
      path: `/v1/clips/${team.clipA}/set`,
      token: team.tokens.ann1,
      body: pushBody(0),
    },
    'GET /v1/review-queue': { path: '/v1/review-queue', token: team.tokens.rev1 },
    'POST /v1/sets/:setId/review': {
      path: `/v1/sets/${team.setA}/review`,
      token: team.tokens.rev1,
      body: review(),
    },
    'POST /v1/sets/:setId/comments/:commentId/resolve': {
      path: `/v1/sets/${team.setA}/comments/c1/resolve`,
      token: team.tokens.ann1,
      body: {},
    },
    'GET /v1/events': { path: '/v1/events', token: team.tokens.ann1 },
    'GET /v1/double-annotation/sets': {
      path: '/v1/double-annotation/sets',
      token: team.tokens.lead1,
    },
    'GET /v1/audit': { path: `/v1/audit?projectId=${team.projectId}`, token: team.tokens.lead1 },
    'GET /v1/team-sets': { path: '/v1/team-sets?status=accepted', token: team.tokens.lead1 },
    'GET /v1/projects': { path: '/v1/projects', token: team.tokens.lead1 },
    'GET /v1/projects/:projectId/progress': {
      path: `/v1/projects/${team.projectId}/progress`,
      token: team.tokens.lead1,
    },
    'POST /v1/admin/commands': {
      path: '/v1/admin/commands',
      token: team.tokens.lead1,
      body: { argv: ['user', 'add', 'sample', '--role', 'annotator'] },
    },
  };
}

function deliverySamples(team: Team, delivery: DeliveryFixture): Record<string, RouteSample> {
  return {
    'POST /v1/projects/:projectId/ingest-batches': {
      path: `/v1/projects/${team.projectId}/ingest-batches`,
      token: team.tokens.lead1,
      body: {
        manifest: {
          version: 1,
          batchId: 'sample',
          contributor: { pseudonym: 'contrib_x' },
          consent: { id: 'consent-sample', scope: ['training'], grantedAt: '2026-11-01' },
        },
      },
    },
    'POST /v1/ingest-batches/:batchId/uploads': {
      path: `/v1/ingest-batches/${delivery.batchId}/uploads`,
      token: team.tokens.lead1,
      body: {
        path: delivery.upload.path,
        sizeBytes: delivery.upload.sizeBytes,
        sha256: delivery.upload.sha256,
      },
    },
    'GET /v1/uploads/:uploadId': {
      path: `/v1/uploads/${delivery.uploadId}`,
      token: team.tokens.lead1,
    },
    // A chunk's bytes are not JSON: its sample is the route, and tests send the bytes.
    'PATCH /v1/uploads/:uploadId': {
      path: `/v1/uploads/${delivery.uploadId}`,
      token: team.tokens.lead1,
    },
    'GET /v1/deliveries': { path: '/v1/deliveries', token: team.tokens.ann1 },
    'GET /v1/clips/:clipRef/file': {
      path: `/v1/clips/${delivery.clipRef}/file`,
      token: team.tokens.ann1,
    },
  };
}
