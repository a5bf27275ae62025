import { CodedError } from '../../shared/domain/codedError';

function errorBody(error: unknown): { code: string; message: string } {
  if (error instanceof CodedError)
    return { code: (error as CodedError).code, message: error.message };
  return { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) };
}

type Out = { log: (line: string) => void; error: (line: string) => void };

export const FACES_HELP = `  framewise faces scan|review|show --clip ID [--db FILE]
      Faces in a clip, for exports with --blur faces. scan: finds faces on every frame on this
      machine (nothing leaves it), resuming a stopped scan; progress on stderr. review: marks
      the clip's face regions reviewed by you (the project's blurPolicy may require it). show:
      the scan, its review status and the face tracks, as JSON.`;

/** `framewise faces scan|review|show --clip ID`. */
export async function runFacesCommand(
  action: string | undefined,
  clipId: string | undefined,
  db: string,
  out: Out,
): Promise<number> {
  if (clipId === undefined || !['scan', 'review', 'show'].includes(action ?? '')) {
    out.error(`framewise faces: give scan, review or show, and --clip ID.\n\n${FACES_HELP}`);
    return 2;
  }
  const { createServices } = await import('../services/createServices');
  const services = createServices({ databasePath: db });
  try {
    if (action === 'scan') {
      const { jobId, resumedFrames } = services.faces.start(clipId);
      let last = '';
      const stop = services.events.subscribe((name, payload) => {
        if (name !== 'faceScanProgress') return;
        const p = payload as { jobId: string; done: number; total: number; phase: string };
        const line = `${p.phase} ${p.done}/${p.total}`;
        if (p.jobId === jobId && line !== last) out.error(`framewise faces: ${(last = line)}`);
      });
      process.once('SIGINT', () => services.faces.cancel(jobId));
      await services.faces.whenFinished(jobId);
      stop();
      const scan = services.store.faces.scanOf(clipId);
      out.log(
        JSON.stringify({
          scan,
          resumedFrames,
          tracks: services.store.faces.tracksOf(clipId).length,
        }),
      );
      return scan?.status === 'scanned' ? 0 : 1;
    }
    if (action === 'review') {
      const ok = services.store.faces.setReviewStatus(
        clipId,
        'reviewed',
        services.actor,
        new Date().toISOString(),
      );
      if (!ok) {
        out.error(
          'framewise faces: the clip has no finished face scan; run `framewise faces scan` first.',
        );
        return 1;
      }
      out.log(JSON.stringify({ scan: services.store.faces.scanOf(clipId) }));
      return 0;
    }
    out.log(
      JSON.stringify({
        scan: services.store.faces.scanOf(clipId),
        tracks: services.store.faces.tracksOf(clipId, { includeRemoved: true }),
      }),
    );
    return 0;
  } catch (error) {
    const body = errorBody(error);
    out.log(JSON.stringify({ error: body }));
    out.error(`framewise faces: ${body.code}: ${body.message}`);
    return 1;
  } finally {
    services.close();
  }
}
