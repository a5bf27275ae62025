import { boxAt } from '../../../../shared/domain/faces/faceTracks';
import type { PlayerEngine } from '../../player/playerEngine';
import { useAppStore } from '../../store/AppStoreContext';
import { blurReviewStatus, faceBoxId, faceTrackIdOf } from '../../store/facesSlice';
import { useSettledFrame } from './useSettledFrame';

/**
 * Face blur review (issue #19): run the on-device scan, check each face region on the overlay,
 * remove a false one, draw a missed one, move a box on a frame (a keyframe; the frames between
 * keyframes are interpolated), and mark the clip's regions reviewed. The exported copy blurs
 * what this list holds; the camera wearer's own hands never are.
 */
export function FacesPanel({ player }: { player: PlayerEngine | null }) {
  const regions = useAppStore((state) => state.faceRegions);
  const progress = useAppStore((state) => state.faceScanProgress);
  const jobId = useAppStore((state) => state.faceScanJobId);
  const drawing = useAppStore((state) => state.faceDrawing);
  const notice = useAppStore((state) => state.faceNotice);
  const selectedBoxId = useAppStore((state) => state.selection.boxId);
  const startFaceScan = useAppStore((state) => state.startFaceScan);
  const cancelFaceScan = useAppStore((state) => state.cancelFaceScan);
  const setFaceDrawing = useAppStore((state) => state.setFaceDrawing);
  const removeFace = useAppStore((state) => state.removeFace);
  const endFaceHere = useAppStore((state) => state.endFaceHere);
  const setBlurReview = useAppStore((state) => state.setBlurReview);
  const select = useAppStore((state) => state.select);
  const setOverlayTool = useAppStore((state) => state.setOverlayTool);
  const frame = useSettledFrame();
  const clipId = useAppStore((state) => state.faceRegionsClipId);
  if (clipId === null) return null;

  const scan = regions?.scan ?? null;
  const tracks = (regions?.tracks ?? []).filter((t) => !t.removed);
  const removedCount = (regions?.tracks.length ?? 0) - tracks.length;
  const selectedId = faceTrackIdOf(selectedBoxId);
  const selected = tracks.find((t) => t.id === selectedId);
  const scanning = jobId !== null;
  const reviewed = scan?.reviewStatus === 'reviewed';
  const status = blurReviewStatus(regions);

  return (
    <section className="panel faces-panel" aria-labelledby="faces-heading">
      <h2 id="faces-heading">Faces to blur</h2>
      <p className="faces-status" aria-label="Blur review status">
        <span className={`status-pill ${reviewed ? 'ok' : 'warn'}`}>{status}</span>
      </p>
      {scanning || (progress && progress.phase !== 'done') ? (
        <div className="faces-progress" aria-label="Face scan progress">
          <progress max={progress?.total ?? 1} value={progress?.done ?? 0} />
          <span>
            {progress
              ? `${progress.phase === 'loading' ? 'Loading the model… ' : ''}${progress.done} / ${progress.total} frames${
                  progress.phase === 'cancelled' ? ' (stopped)' : ''
                }${progress.phase === 'failed' ? ' (failed)' : ''}`
              : 'Starting…'}
          </span>
        </div>
      ) : null}
      <div className="button-row" role="group" aria-label="Face scan">
        {scanning ? (
          <button type="button" onClick={() => void cancelFaceScan()}>
            Cancel scan
          </button>
        ) : (
          <button
            type="button"
            title="Finds faces on every frame, on this machine; a stopped scan resumes"
            onClick={() => void startFaceScan()}
          >
            {scan === null
              ? 'Scan for faces'
              : scan.status === 'scanned'
                ? 'Scan again'
                : 'Resume scan'}
          </button>
        )}
      </div>
      {scan?.status === 'scanned' || tracks.length > 0 ? (
        <>
          <ul className="faces-list" aria-label="Face tracks">
            {tracks.map((track) => {
              const first = track.boxes[0]?.frame ?? 0;
              const last = track.boxes[track.boxes.length - 1]?.frame ?? first;
              const here = frame !== null && boxAt(track, frame) !== null;
              return (
                <li key={track.id} aria-current={track.id === selectedId ? 'true' : undefined}>
                  <button
                    type="button"
                    className="faces-track"
                    title={here ? 'Select this face' : 'Go to the face and select it'}
                    onClick={() => {
                      select({ boxId: faceBoxId(track.id) });
                      setOverlayTool('box');
                      if (!here) player?.goTo(first);
                    }}
                  >
                    <span className="faces-swatch" aria-hidden="true" />
                    {track.source === 'person' ? 'Drawn face' : track.id} · frames {first}–{last}
                    {here ? '' : ' (not on this frame)'}
                  </button>
                  <button
                    type="button"
                    aria-label={`Remove ${track.id}`}
                    title="Not a face: take it out of the blur"
                    onClick={() => void removeFace(track.id)}
                  >
                    Remove
                  </button>
                </li>
              );
            })}
          </ul>
          <p className="muted">
            {tracks.length === 0 ? 'No faces found.' : `${tracks.length} face tracks`}
            {removedCount > 0 ? `, ${removedCount} removed as not a face` : ''}.
          </p>
        </>
      ) : null}
      <div className="button-row" role="group" aria-label="Face regions">
        <button
          type="button"
          aria-pressed={drawing}
          title="Drag a box around a face the scan missed; it is blurred from this frame on"
          onClick={() => setFaceDrawing(!drawing)}
        >
          {drawing ? 'Drawing a face… (drag on the video)' : 'Add a missed face'}
        </button>
        <button
          type="button"
          disabled={!selected || frame === null}
          title="The selected face leaves the picture after this frame"
          onClick={() => {
            if (selected) void endFaceHere(selected.id);
          }}
        >
          Face ends here
        </button>
      </div>
      {selected ? (
        <p className="muted">
          Drag the selected face&apos;s box or a corner on the video to set it on this frame (a
          keyframe; frames between keyframes are interpolated).
        </p>
      ) : null}
      <div className="button-row" role="group" aria-label="Blur review">
        {reviewed ? (
          <button type="button" onClick={() => void setBlurReview('unreviewed')}>
            Mark not reviewed
          </button>
        ) : (
          <button
            type="button"
            disabled={scan?.status !== 'scanned'}
            title="Every face on every frame is boxed, and nothing else: the blurred export may use it"
            onClick={() => void setBlurReview('reviewed')}
          >
            Mark reviewed
          </button>
        )}
      </div>
      <p className="muted">
        The camera wearer&apos;s own hands (hands linked to the camera wearer) are never blurred.
      </p>
      {notice ? (
        <p role="status" className="faces-notice">
          {notice}
        </p>
      ) : null}
    </section>
  );
}
