import { useCallback, useMemo } from 'react';
import {
  boxTrackDisplayName,
  boxTracksOf,
  CONTACT_STATES,
  rowDisplayName,
  trackDisplayName,
  type LabelsDocument,
  type Segment,
} from '../../../shared/domain/labels';
import type { ProjectInfo } from '../../../shared/api/schemas';
import type { PlayerEngine } from '../player/playerEngine';
import { useAppStore, useAppStoreApi } from '../store/AppStoreContext';
import { segmentLabel } from './panels/SegmentPanel';
import { commentTickFrames } from './overlay/commentPins';
import { Timeline } from './timeline/Timeline';
import type { SpanRow, TimelineData, TimelineRow } from './timeline/timelineEngine';
import { CAMERA_WEARER } from './useLabelingShortcuts';

const CAMERA_WEARER_ROW: TimelineRow = {
  id: CAMERA_WEARER,
  label: 'Camera wearer',
  color: '#4d5b69',
};

/** 100DOH states 0–4, light enough for the text on them to read. */
const CONTACT_COLORS = ['#d5dbe1', '#9ecae1', '#fdae6b', '#74c476', '#bcbddc'] as const;

/** Each hand's contact states as spans with their explicit ends, named "Left hand · contact". */
function contactRows(labels: LabelsDocument, project: ProjectInfo | null): SpanRow[] {
  const classes = new Map(project?.schema.objectClasses.map((c) => [c.id, c.name]) ?? []);
  return labels.tracks
    .filter((t) => t.kind !== 'person')
    .map((hand) => ({
      id: `contact:${hand.id}`,
      label: `${trackDisplayName(hand, labels.tracks)} · contact`,
      spans: labels.contacts
        .filter((c) => c.trackId === hand.id)
        .map((c) => {
          const className = c.object ? classes.get(c.object.classId) : undefined;
          const stateName = CONTACT_STATES[c.state].name;
          return {
            startFrame: c.startFrame,
            endFrame: c.endFrame,
            color: CONTACT_COLORS[c.state],
            label: `${c.state} ${className ?? stateName}`,
          };
        }),
    }));
}

/** The timeline fed from the labels slice; the playhead comes from the player by subscription. */
export function LabelTimeline({
  player,
  frameTimes,
}: {
  player: PlayerEngine | null;
  frameTimes: readonly number[];
}) {
  const store = useAppStoreApi();
  const labels = useAppStore((state) => state.labels);
  const project = useAppStore((state) => state.labelProject);
  const selectedSegmentId = useAppStore((state) => state.selection.segmentId);
  const comments = useAppStore((state) => state.clipComments);
  const allowOverlap = project?.schema.allowSegmentOverlap ?? false;

  const data = useMemo((): TimelineData => {
    const people = labels.tracks.filter((t) => t.kind === 'person');
    const rows: TimelineRow[] = [
      CAMERA_WEARER_ROW,
      ...people.map((t) => ({
        id: t.id,
        label: trackDisplayName(t, labels.tracks),
        color: t.color,
      })),
    ];
    // A segment whose row's track was removed still shows, in a row of its own.
    for (const segment of labels.segments) {
      if (!rows.some((r) => r.id === segment.actor)) {
        rows.push({
          id: segment.actor,
          label: rowDisplayName(segment.actor, labels.tracks),
          color: '#888888',
        });
      }
    }
    const duration = (frameTimes[frameTimes.length - 1] ?? 0) - (frameTimes[0] ?? 0);
    return {
      frameCount: frameTimes.length,
      fps: duration > 0 ? (frameTimes.length - 1) / duration : undefined,
      allowOverlap,
      rows,
      segments: labels.segments,
      keyframeTicks: [
        ...labels.tracks.map((t) => ({
          trackId: t.id,
          label: trackDisplayName(t, labels.tracks),
          color: t.color,
          frames: t.keyframes.map((k) => k.frame),
        })),
        ...boxTracksOf(labels).map((b) => ({
          trackId: b.id,
          label: boxTrackDisplayName(b),
          color: b.color,
          frames: b.keyframes.map((k) => k.frame),
        })),
      ],
      spanRows: contactRows(labels, project),
      commentTicks: commentTickFrames(comments, labels),
      selectedSegmentId,
      labelOf: (segment: Segment) => segmentLabel(segment, project),
    };
  }, [labels, project, selectedSegmentId, allowOverlap, frameTimes, comments]);

  const subscribePlayhead = useCallback(
    (listener: (frame: number) => void) =>
      store.subscribe((state, previous) => {
        if (state.currentFrame !== previous.currentFrame && state.currentFrame !== null) {
          listener(state.currentFrame);
        }
      }),
    [store],
  );
  const getPlayhead = useCallback(() => store.getState().currentFrame ?? 0, [store]);

  return (
    <Timeline
      data={data}
      height="fill"
      subscribePlayhead={subscribePlayhead}
      getPlayhead={getPlayhead}
      onSeek={(frame) => player?.goTo(frame)}
      onSelect={(segmentId) => store.getState().select({ segmentId })}
      onCommand={(command) => store.getState().editLabels(command)}
      onRequestLabel={(segmentId) => {
        store.getState().select({ segmentId });
        store.getState().setLabelingSegment(segmentId);
      }}
    />
  );
}
