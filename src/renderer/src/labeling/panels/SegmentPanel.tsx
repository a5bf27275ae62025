import { useMemo } from 'react';
import { labelText, rowDisplayName, type Segment } from '../../../../shared/domain/labels';
import { useAppStore } from '../../store/AppStoreContext';
import { quickLabelsOf } from '../../store/segmentLabelsSlice';
import type { ProjectInfo } from '../../../../shared/api/schemas';

/** "cut onion", or what is missing; used by the timeline's bars and this panel. */
export function segmentLabel(segment: Segment, project: ProjectInfo | null): string {
  const verb = project?.schema.taxonomy.verbs.find((v) => v.id === segment.verbId);
  const noun = project?.schema.taxonomy.nouns.find((n) => n.id === segment.nounId);
  if (!verb && !noun) return '';
  return `${verb?.key ?? '(verb?)'} ${noun?.key ?? '(noun?)'}`;
}

/** The selected segment, the pending `[` mark, and the recent labels on keys 1–9. */
export function SegmentPanel() {
  const labels = useAppStore((state) => state.labels);
  const project = useAppStore((state) => state.labelProject);
  const recent = useAppStore((state) => state.recentSegmentLabels);
  const selectedId = useAppStore((state) => state.selection.segmentId);
  const mark = useAppStore((state) => state.segmentMark);
  const setLabelingSegment = useAppStore((state) => state.setLabelingSegment);
  const quickLabelSegment = useAppStore((state) => state.quickLabelSegment);
  const segment = labels.segments.find((s) => s.id === selectedId);
  const unlabeled = labels.segments.filter((s) => s.verbId === null || s.nounId === null).length;
  const quick = useMemo(
    () => quickLabelsOf({ labelProject: project, recentSegmentLabels: recent, labels }),
    [project, recent, labels],
  );

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
          Drag along a timeline row to make a segment (or press [ and ]); click one to select it.
        </p>
      )}
      {project && quick.length > 0 ? (
        <div className="quick-labels">
          <h3 id="quick-labels-heading">Recent labels: press the number</h3>
          <ol className="quick-label-list" aria-labelledby="quick-labels-heading">
            {quick.map((label, i) => (
              <li key={`${label.verbId}/${label.nounId}`}>
                <button
                  type="button"
                  disabled={!segment}
                  title={segment ? undefined : 'Select a segment first'}
                  onClick={() => quickLabelSegment(i + 1)}
                >
                  <kbd>{i + 1}</kbd> {labelText(label, project.schema.taxonomy)}
                </button>
              </li>
            ))}
          </ol>
        </div>
      ) : (
        <p className="muted">The labels you give segments go on keys 1–9 for the next ones.</p>
      )}
    </section>
  );
}
