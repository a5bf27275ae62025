import { findTemplate, projectTemplates, trackDisplayName } from '../../../shared/domain/labels';
import {
  type ProposalCursor,
  lowestScoredPoint,
  nextUnacceptedPoint,
  unacceptedPoints,
} from '../../../shared/domain/labels/poseProposals';
import type { PlayerEngine } from '../player/playerEngine';
import type { AppState } from '../store/appStore';

/**
 * Where the last Shift+P stopped. Pressed again from there it goes on to the next least sure
 * point; from anywhere else (the annotator moved on) it starts again at the least sure of all.
 */
let lowestWalk: ProposalCursor | null = null;

/**
 * P and Shift+P, and their buttons: go to the next unaccepted model point, or to the one the model
 * was least sure of, selecting its track and point so A, a drag or V acts on it at once.
 */
export function goToProposal(
  which: 'next' | 'lowest',
  state: AppState,
  player: PlayerEngine | null,
): void {
  const { labels, currentFrame, selection } = state;
  if (currentFrame === null || !player) return;
  const at = { frame: currentFrame, trackId: selection.trackId, point: selection.point };
  const onWalk =
    lowestWalk !== null &&
    lowestWalk.frame === at.frame &&
    lowestWalk.trackId === at.trackId &&
    lowestWalk.point === at.point;
  const target =
    which === 'next'
      ? nextUnacceptedPoint(labels, at)
      : lowestScoredPoint(labels, onWalk ? at : undefined);
  lowestWalk = which === 'lowest' && target ? target : null;
  if (!target) {
    state.showLabelNotice('No model proposal is left to check: every point is accepted.');
    return;
  }
  player.goTo(target.frame);
  state.select({ trackId: target.trackId, point: target.point, segmentId: null });
  const track = labels.tracks.find((t) => t.id === target.trackId);
  const template =
    track && state.labelProject
      ? findTemplate(projectTemplates(state.labelProject.schema), track.templateId)
      : undefined;
  const pointName = template?.keypoints[target.point] ?? `point ${target.point + 1}`;
  const left = unacceptedPoints(labels).length;
  state.showLabelNotice(
    `${track ? trackDisplayName(track, labels.tracks) : 'Track'}’s ${pointName} at frame ${target.frame}, score ${target.score.toFixed(2)} (${left} unaccepted point${left === 1 ? '' : 's'} left).`,
  );
}
