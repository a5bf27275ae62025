import { useAppStore } from '../../store/AppStoreContext';
import { TaxonomyPicker } from '../timeline/TaxonomyPicker';

/**
 * The taxonomy picker for the segment being labeled; saving is one `updateSegment` command, and
 * the pair goes on key 1 for the next segment.
 */
export function SegmentLabelDialog() {
  const segmentId = useAppStore((state) => state.labelingSegmentId);
  const segment = useAppStore((state) => state.labels.segments.find((s) => s.id === segmentId));
  const project = useAppStore((state) => state.labelProject);
  const labelSegment = useAppStore((state) => state.labelSegment);
  const close = useAppStore((state) => state.setLabelingSegment);
  if (!segment || !project) return null;
  return (
    <TaxonomyPicker
      key={segment.id}
      verbs={project.schema.taxonomy.verbs}
      nouns={project.schema.taxonomy.nouns}
      initial={{ verbId: segment.verbId, nounId: segment.nounId }}
      onPick={({ verbId, nounId }) => {
        close(null);
        labelSegment(segment.id, { verbId, nounId });
      }}
      onCancel={() => close(null)}
    />
  );
}
