import { rowDisplayName, type Segment } from '../../../../shared/domain/labels';
import { useAppStore } from '../../store/AppStoreContext';
import type { ProjectInfo } from '../../../../shared/api/schemas';

/** "cut onion", or what is missing; used by the timeline's bars and this panel. */
export function segmentLabel(segment: Segment, project: ProjectInfo | null): string {
  const verb = project?.schema.taxonomy.verbs.find((v) => v.id === segment.verbId);
  const noun = project?.schema.taxonomy.nouns.find((n) => n.id === segment.nounId);
  if (!verb && !noun) return '';
  return `${verb?.key ?? '(verb?)'} ${noun?.key ?? '(noun?)'}`;
}

/** The selected segment and the pending `[` mark. */
export function SegmentPanel() {
  const labels = useAppStore((state) => state.labels);
  const project = useAppStore((state) => state.labelProject);
  const selectedId = useAppStore((state) => state.selection.segmentId);
  const mark = useAppStore((state) => state.segmentMark);
  const setLabelingSegment = useAppStore((state) => state.setLabelingSegment);
  const segment = labels.segments.find((s) => s.id === selectedId);
  const unlabeled = labels.segments.filter((s) => s.verbId === null || s.nounId === null).length;

  return (
    <section className="panel segment-panel" aria-labelledby="segments-heading">
      <h2 id="segments-heading">Action segments</h2>
      <p>
        {labels.segments.length} segment{labels.segments.length === 1 ? '' : 's'}
        {unlabeled > 0 && `, ${unlabeled} without a label`}.
        {mark !== null && ` Start marked at frame ${mark}: press ] at the end.`}
      </p>
      {segment ? (
        <div className="selected-segment" aria-label="Selected segment">
          <p>
            Frames {segment.startFrame}–{segment.endFrame} in row{' '}
            <strong>{rowDisplayName(segment.actor, labels.tracks)}</strong>:{' '}
            <strong>{segmentLabel(segment, project) || 'not labeled yet'}</strong>
          </p>
          <button type="button" onClick={() => setLabelingSegment(segment.id)}>
            Label segment… <kbd>E</kbd>
          </button>
        </div>
      ) : (
        <p className="muted">
          Press [ and ] to mark a segment; click one on the timeline to select it.
        </p>
      )}
    </section>
  );
}
