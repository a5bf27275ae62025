import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { displayedSize, type ViewState } from '../../../shared/domain/labels';
import { LabelOverlay } from '../labeling/LabelOverlay';
import { LabelTimeline } from '../labeling/LabelTimeline';
import { CommentsPanel } from '../labeling/panels/CommentsPanel';
import { FacesPanel } from '../labeling/panels/FacesPanel';
import { HandObjectPanel } from '../labeling/panels/HandObjectPanel';
import { LabelNotice, SaveStatus } from '../labeling/panels/SaveStatus';
import { SegmentLabelDialog } from '../labeling/panels/SegmentLabelDialog';
import { SegmentPanel } from '../labeling/panels/SegmentPanel';
import { ShortcutSheet } from '../labeling/panels/ShortcutSheet';
import { PreannotationPanel } from '../labeling/panels/PreannotationPanel';
import { SubmitPanel } from '../labeling/panels/SubmitPanel';
import { TrackPanel } from '../labeling/panels/TrackPanel';
import { useLabelingShortcuts } from '../labeling/useLabelingShortcuts';
import type { Clip, FrameTable, MediaVariant } from '../../../shared/api/schemas';
import { ClipVideo } from '../player/ClipVideo';
import { clipMediaType } from '../player/clipMediaType';
import { openDecodedFrameLayer } from '../player/decodedFrameLayer';
import type { FrameMismatch } from '../player/frameNavigator';
import { PlayerControls } from '../player/PlayerControls';
import type { PlayerEngine } from '../player/playerEngine';
import type { PlayerFailure } from '../player/videoJsPlayer';
import { useAppStore, useAppStoreApi } from '../store/AppStoreContext';
import type { AppState } from '../store/appStore';
import { formatTimecode } from './formatTimecode';
import { SyncIssueList } from './SyncIssueList';
import { ReviewPanels } from './ReviewScreen';
import { SyncIndicator } from './SyncSettingsScreen';
import { ViewControls } from '../workspace/ViewControls';
import { WorkspaceGrid } from '../workspace/WorkspaceGrid';
import { pictureFilter } from '../workspace/workspaceLayout';

/** The reviewer's panels on the player: the frame and selection are the player's and overlay's. */
function ReviewSidebar({ player }: { player: PlayerEngine | null }) {
  const review = useAppStore((state) => state.openedReview);
  const frame = useAppStore((state) => state.currentFrame);
  const selection = useAppStore((state) => state.selection);
  if (review === null) return <p>Loading the review…</p>;
  return (
    <ReviewPanels
      review={review}
      frame={frame ?? 0}
      onFrame={(f) => player?.goTo(f)}
      selection={selection}
    />
  );
}

export function ClipScreen({ batchId, clipId }: { batchId: string; clipId: string }) {
  const clip = useAppStore((state) => state.playerClip);
  const frameTable = useAppStore((state) => state.frameTable);
  const loading = useAppStore((state) => state.playerLoading);
  const showBatch = useAppStore((state) => state.showBatch);
  const showReview = useAppStore((state) => state.showReview);
  const sidePanelOpen = useAppStore((state) => state.layout.sidePanelOpen);
  const toggleSidePanel = useAppStore((state) => state.toggleSidePanel);
  const reviewing = useAppStore((state) =>
    state.screen.name === 'clip' ? state.screen.reviewSetId !== undefined : false,
  );
  const ready = clip?.id === clipId && frameTable?.clipId === clipId;

  return (
    <section className="screen clip-screen" aria-labelledby="clip-title">
      <div className="workspace-bar">
        <nav className="screen-nav">
          {reviewing ? (
            <button type="button" onClick={showReview}>
              Back to the review queue
            </button>
          ) : (
            <button type="button" onClick={() => showBatch(batchId)}>
              Back to batch
            </button>
          )}
        </nav>
        <h1 id="clip-title">{ready ? clip.fileName : 'Clip'}</h1>
        <button
          type="button"
          className="side-panel-toggle"
          aria-controls="side-panel"
          aria-expanded={sidePanelOpen}
          aria-keyshortcuts="Control+B"
          title={`${sidePanelOpen ? 'Hide' : 'Show'} the side panel (Ctrl+B)`}
          onClick={toggleSidePanel}
        >
          {sidePanelOpen ? 'Hide side panel' : 'Show side panel'}
        </button>
        <SyncIndicator />
      </div>
      {ready && <ClipSyncIssues clip={clip} />}
      {ready ? (
        <ClipPlayerPanel clip={clip} frameTable={frameTable} />
      ) : (
        loading && <p>Loading clip…</p>
      )}
    </section>
  );
}

/** Why the reviewer sent this clip back, beside the comments, while it is to be fixed. */
function ChangesRequested({ clip }: { clip: Clip }) {
  const batchWork = useAppStore((state) => state.batchWork);
  const loadBatchWork = useAppStore((state) => state.loadBatchWork);
  const status = useAppStore((state) => state.labelSet?.status);
  useEffect(() => {
    void loadBatchWork(clip.batchId);
  }, [loadBatchWork, clip.batchId, status]);
  const item =
    batchWork?.batchId === clip.batchId
      ? batchWork.items.find((work) => work.clipId === clip.id)
      : undefined;
  if (item?.status !== 'changes_requested') return null;
  return (
    <section className="changes-requested" role="note" aria-label="Changes requested">
      <h2>Changes requested</h2>
      <p data-testid="changes-reason">{item.reason ?? 'The reviewer gave no reason.'}</p>
    </section>
  );
}

/** What the server refused (or has not received) about this clip, with what to do. */
function ClipSyncIssues({ clip }: { clip: Clip }) {
  const loadSyncStatus = useAppStore((state) => state.loadSyncStatus);
  const all = useAppStore((state) => state.syncIssues);
  useEffect(() => {
    void loadSyncStatus();
  }, [loadSyncStatus, clip.id]);
  const issues = all.filter(
    (issue) => issue.clipId === clip.id || (clip.sha256 !== null && issue.clipRef === clip.sha256),
  );
  if (issues.length === 0) return null;
  return (
    <section className="clip-sync-issues" role="status" aria-label="Not sent to the server">
      <SyncIssueList issues={issues} showClip={false} />
    </section>
  );
}

function ClipPlayerPanel({ clip, frameTable }: { clip: Clip; frameTable: FrameTable }) {
  const variant = useAppStore((state) => state.mediaVariant);
  const [engine, setEngine] = useState<PlayerEngine | null>(null);
  const reviewing = useAppStore((state) =>
    state.screen.name === 'clip' ? state.screen.reviewSetId !== undefined : false,
  );
  useLabelingShortcuts(engine);
  useWorkspaceRestore(clip.id, engine);

  return (
    <WorkspaceGrid
      stage={
        <div className="player" role="region" aria-label="Player" tabIndex={-1}>
          {variant === null ? (
            <ProxyProgress clip={clip} />
          ) : (
            <PlayerStage
              clip={clip}
              frameTable={frameTable}
              variant={variant}
              engine={engine}
              onEngine={setEngine}
            />
          )}
          <FrameWarningNotice />
          <PlayerControls
            engine={engine}
            frameTimes={frameTable.frameTimes}
            leading={<FrameReadout frameTimes={frameTable.frameTimes} />}
            trailing={<ViewControls />}
          />
        </div>
      }
      timeline={<LabelTimeline player={engine} frameTimes={frameTable.frameTimes} />}
      side={
        <>
          {reviewing ? (
            <ReviewSidebar player={engine} />
          ) : (
            <>
              <TrackPanel />
              <PreannotationPanel player={engine} />
              <SegmentPanel />
              <HandObjectPanel />
              <SubmitPanel player={engine} />
              <ChangesRequested clip={clip} />
              <CommentsPanel player={engine} />
            </>
          )}
          <FacesPanel player={engine} />
          <section className="panel" aria-labelledby="clip-facts-heading">
            <h2 id="clip-facts-heading">Clip</h2>
            <dl className="clip-facts">
              <dt>Duration</dt>
              <dd>{formatTimecode(clip.durationSeconds)}</dd>
              <dt>Resolution</dt>
              <dd>
                {clip.width}×{clip.height}, rotated {clip.rotation}°
              </dd>
              <dt>Codec</dt>
              <dd>
                {clip.codec} in {clip.container}
                {variant === 'proxy' && ' (playing its H.264 proxy: same frames, same timestamps)'}
              </dd>
            </dl>
            <FrameCacheSetting engine={engine} />
          </section>
        </>
      }
      status={
        <>
          {!reviewing && <SaveStatus />}
          <LabelNotice />
          <span className="muted status-hint">
            Press <kbd>?</kbd> for all keyboard shortcuts.
          </span>
        </>
      }
    >
      <ShortcutSheet />
      <SegmentLabelDialog />
    </WorkspaceGrid>
  );
}

/** Once the clip the app last left off on is showing, go back to its frame, zoom and track. */
function useWorkspaceRestore(clipId: string, engine: PlayerEngine | null) {
  const labelsReady = useAppStore((state) => state.labelSet?.clipId === clipId);
  const takePendingRestore = useAppStore((state) => state.takePendingRestore);
  const setView = useAppStore((state) => state.setView);
  const select = useAppStore((state) => state.select);
  useEffect(() => {
    if (!engine || !labelsReady) return;
    let current = true;
    // Taken only once the video shows a frame: the restore stays pending for a replacement
    // engine (a proxy) if this one never loads, and no opening frame can land after it.
    void engine.whenLoaded().then(() => {
      if (!current) return;
      const restore = takePendingRestore(clipId);
      if (!restore) return;
      engine.goTo(restore.frame);
      setView(restore.view);
      if (restore.selectedTrackId !== null) select({ trackId: restore.selectedTrackId, point: 0 });
    });
    return () => {
      current = false;
    };
  }, [engine, labelsReady, clipId, takePendingRestore, setView, select]);
}

/**
 * The zoom and pan of the view applied to the video as a CSS transform about the centre, which is
 * the same mapping `viewTransform` gives the overlay; written from a store subscription so
 * wheel-zooming does not re-render React.
 */
function useMediaTransform(ref: React.RefObject<HTMLDivElement | null>) {
  const store = useAppStoreApi();
  useEffect(() => {
    const paint = (view: ViewState) => {
      const element = ref.current;
      if (!element) return;
      element.style.transform = `translate(${view.panX}px, ${view.panY}px) scale(${view.zoom})`;
    };
    // Brightness and contrast are the view's too: on screen only, never in labels or exports.
    const filter = (layout: AppState['layout']) => {
      if (ref.current) ref.current.style.filter = pictureFilter(layout);
    };
    paint(store.getState().view);
    filter(store.getState().layout);
    return store.subscribe((state, previous) => {
      if (state.view !== previous.view) paint(state.view);
      if (state.layout !== previous.layout) filter(state.layout);
    });
  }, [store, ref]);
}

function PlayerStage({
  clip,
  frameTable,
  variant,
  engine,
  onEngine,
}: {
  clip: Clip;
  frameTable: FrameTable;
  variant: MediaVariant;
  engine: PlayerEngine | null;
  onEngine: (engine: PlayerEngine | null) => void;
}) {
  const mediaUrlFor = useAppStore((state) => state.mediaUrlFor);
  const sampleTableFor = useAppStore((state) => state.sampleTableFor);
  const useFrameCache = useAppStore((state) => state.useFrameCache);
  const setCurrentFrame = useAppStore((state) => state.setCurrentFrame);
  const setFrameNavigation = useAppStore((state) => state.setFrameNavigation);
  const setPlaying = useAppStore((state) => state.setPlaying);
  const setFrameCacheState = useAppStore((state) => state.setFrameCacheState);
  const reportError = useAppStore((state) => state.reportError);
  const requestProxy = useAppStore((state) => state.requestProxy);
  const store = useAppStoreApi();
  const stageRef = useRef<HTMLDivElement>(null);
  const mediaRef = useRef<HTMLDivElement>(null);
  const src = mediaUrlFor(clip.id, variant);
  useMediaTransform(mediaRef);
  // Labels live in the upright picture's pixels: the player shows the clip with its rotation.
  const videoSize = useMemo(
    () => displayedSize({ width: clip.width, height: clip.height }, clip.rotation),
    [clip.width, clip.height, clip.rotation],
  );

  const onError = useCallback(
    (failure: PlayerFailure) => {
      // Support was judged from the codec string; if the decoder still refuses, use a proxy.
      if (
        variant === 'original' &&
        (failure.mediaErrorCode === 3 || failure.mediaErrorCode === 4)
      ) {
        void requestProxy(clip.id);
        return;
      }
      reportError(`playing ${clip.fileName}`, {
        code: failure.code,
        message: `${failure.message} (${clip.codec} in ${clip.container})`,
      });
    },
    [reportError, requestProxy, variant, clip.id, clip.fileName, clip.codec, clip.container],
  );
  // The sample table exists for MP4/MOV (mp4box-probed) clips and for proxies, which are MP4.
  const hasSampleTable = variant === 'proxy' || clip.frameTableSource === 'mp4box';
  const openFrameCache = useCallback(async () => {
    if (!hasSampleTable) return null;
    const table = await sampleTableFor(clip.id, variant);
    return openDecodedFrameLayer({ table, mediaUrl: src, rotation: table.rotation });
  }, [hasSampleTable, sampleTableFor, clip.id, variant, src]);
  const onNavigation = useCallback(
    (navigating: boolean, mismatch: FrameMismatch | null) =>
      setFrameNavigation(navigating, mismatch),
    [setFrameNavigation],
  );

  // Busy flips twice per step: written into the DOM from the store, not through a React render.
  useEffect(() => {
    const paint = (busy: boolean) => stageRef.current?.setAttribute('aria-busy', String(busy));
    paint(store.getState().frameBusy);
    return store.subscribe((state, previous) => {
      if (state.frameBusy !== previous.frameBusy) paint(state.frameBusy);
    });
  }, [store]);

  return (
    <div className="player-stage" ref={stageRef}>
      <div className="media-layer" ref={mediaRef}>
        <ClipVideo
          src={src}
          type={clipMediaType(clip)}
          label={`Video: ${clip.fileName}`}
          frameTable={frameTable}
          useFrameCache={useFrameCache}
          openFrameCache={openFrameCache}
          onEngine={onEngine}
          onFrameChange={setCurrentFrame}
          onNavigation={onNavigation}
          onPlayingChange={setPlaying}
          onCacheState={setFrameCacheState}
          onError={onError}
        />
      </div>
      <LabelOverlay videoSize={videoSize} player={engine} />
    </div>
  );
}

/** Shown instead of the video while an H.264 proxy of an undecodable clip is being made. */
function ProxyProgress({ clip }: { clip: Clip }) {
  const proxy = useAppStore((state) => state.proxy);
  const percent = Math.round((proxy?.progress ?? 0) * 100);
  return (
    <div className="proxy-progress">
      <p>
        This browser cannot decode {clip.codec}. Making a frame-exact H.264 copy to play instead;
        labels stay on the original&apos;s frames.
      </p>
      <progress aria-label="Making a playable copy" max={100} value={percent} />{' '}
      <span>{proxy?.state === 'queued' ? 'Waiting to start' : `${percent}%`}</span>
    </div>
  );
}

/**
 * Frame number and timecode of the frame on screen. Written straight into the DOM from a store
 * subscription: it changes at the video's frame rate and must not re-render React each time.
 */
function FrameReadout({ frameTimes }: { frameTimes: readonly number[] }) {
  const store = useAppStoreApi();
  const frameRef = useRef<HTMLOutputElement>(null);
  const timeRef = useRef<HTMLOutputElement>(null);

  useEffect(() => {
    const paint = (frame: number | null) => {
      const time = frame === null ? undefined : frameTimes[frame];
      if (frameRef.current) frameRef.current.textContent = frame === null ? '–' : String(frame);
      if (timeRef.current) {
        timeRef.current.textContent = time === undefined ? '--:--.---' : formatTimecode(time);
      }
    };
    paint(store.getState().currentFrame);
    return store.subscribe((state, previous) => {
      if (state.currentFrame !== previous.currentFrame) paint(state.currentFrame);
    });
  }, [store, frameTimes]);

  return (
    <p className="frame-readout">
      <label htmlFor="current-frame">Current frame</label>{' '}
      <output id="current-frame" ref={frameRef} aria-live="off">
        –
      </output>{' '}
      <span>of {frameTimes.length} frames</span> <span aria-hidden="true">at</span>{' '}
      <output ref={timeRef} aria-label="Frame time" aria-live="off">
        --:--.---
      </output>
    </p>
  );
}

/** Says so when the confirmed frame is not the one asked for: a label must not land there. */
function FrameWarningNotice() {
  // Cleared whenever a new request starts, so it never outlives the request it is about.
  const warning = useAppStore((state) => state.frameWarning);
  if (!warning) return null;
  return (
    <p className="frame-warning" role="alert">
      {warning.shown === null
        ? `Frame ${warning.requested} was requested, but the player could not confirm which frame is on screen.`
        : `Frame ${warning.requested} was requested, but frame ${warning.shown} is on screen.`}{' '}
      Do not label until the frame shown is the one you meant: step again or go to the frame.
    </p>
  );
}

function FrameCacheSetting({ engine }: { engine: PlayerEngine | null }) {
  const useFrameCache = useAppStore((state) => state.useFrameCache);
  const setUseFrameCache = useAppStore((state) => state.setUseFrameCache);
  const cacheState = useAppStore((state) => state.frameCacheState);
  useEffect(() => engine?.setUseFrameCache(useFrameCache), [engine, useFrameCache]);
  const status = {
    off: 'Paused frames come from the video.',
    opening: 'Preparing the decoder…',
    ready: 'Ready: steps are served from decoded frames.',
    unavailable: 'Not available for this clip: paused frames come from the video.',
  }[cacheState];
  return (
    <p className="frame-cache-setting">
      <label>
        <input
          type="checkbox"
          checked={useFrameCache}
          onChange={(event) => setUseFrameCache(event.target.checked)}
        />{' '}
        Use frame cache
      </label>{' '}
      <span className="muted" role="status" aria-label="Frame cache status">
        {status}
      </span>
    </p>
  );
}
