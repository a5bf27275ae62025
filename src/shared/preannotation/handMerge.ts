import type { Point2 } from './handRoi';
import type { HandSide, ModelHand, ModelPose } from '../domain/modelPose';

/**
 * Putting together the hands found two ways: from a person's pose (BlazePose's wrist and knuckles,
 * poseModel.ts) and from the palm detector (handDetector.ts), which needs no body. Pure, no tfjs.
 */

/**
 * The side of a hand found with no body, from the hand landmark model's handedness output.
 * MediaPipe trained it on mirrored (selfie) pictures: its "left" score is the chance the hand is a
 * left hand *if the picture is mirrored*. On a picture that is not mirrored — a head-mounted
 * camera's, or any ordinary camera's — a hand it calls left is a right hand, so the side here is
 * the opposite of MediaPipe's label. That is the convention poses use in the worker (a hand
 * named as a non-mirrored picture shows it); the service then swaps both kinds of hand back for a
 * project marked `preannotation.mirroredVideo` (resolveHandSide), where MediaPipe's own label is
 * the right one. Checked on messi5.jpg, where the pose tells which hand is which
 * (tests/integration/preannotation/handDetector.test.ts).
 */
export function sideFromHandedness(mirroredLeft: number): HandSide {
  return mirroredLeft >= 0.5 ? 'right' : 'left';
}

type Box = { x0: number; y0: number; x1: number; y1: number };

function handBox(points: readonly Point2[]): Box | null {
  if (points.length === 0) return null;
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  return { x0: Math.min(...xs), y0: Math.min(...ys), x1: Math.max(...xs), y1: Math.max(...ys) };
}

/**
 * Below this (centre distance over the larger hand's box diagonal), two hands are one hand found
 * twice. 0.4: the same hand found from two regions lands within a few pixels once each has had
 * its second, landmark-placed pass; two hands side by side (holding one cup) have centres about a
 * hand's width apart, ≥ 0.6 of the diagonal.
 */
export const SAME_HAND_DISTANCE = 0.4;

export function sameHand(a: readonly Point2[], b: readonly Point2[]): boolean {
  const p = handBox(a);
  const q = handBox(b);
  if (!p || !q) return false;
  const size = Math.max(Math.hypot(p.x1 - p.x0, p.y1 - p.y0), Math.hypot(q.x1 - q.x0, q.y1 - q.y0));
  const distance = Math.hypot((p.x0 + p.x1 - q.x0 - q.x1) / 2, (p.y0 + p.y1 - q.y0 - q.y1) / 2);
  return size > 0 && distance < SAME_HAND_DISTANCE * size;
}

/** Drops hands that are another, better-scored hand of the list found again. */
export function dedupeHands(hands: readonly ModelHand[]): ModelHand[] {
  const kept: ModelHand[] = [];
  for (const hand of [...hands].sort((a, b) => b.score - a.score)) {
    if (!kept.some((other) => sameHand(other.keypoints, hand.keypoints))) kept.push(hand);
  }
  return kept;
}

/**
 * A detected hand is a person's `side` hand when its wrist lies within this share of the hand's
 * box diagonal from the pose's wrist of that side. MediaPipe's wrist and BlazePose's are the same
 * joint placed by two models (a few pixels apart on messi5.jpg); half a hand's size also covers a
 * blurred hand the pose-placed region missed (basketball1.png), and stays under the ~1.5 hand
 * sizes between a person's two wrists held apart.
 */
export const WRIST_MATCH_DISTANCE = 0.5;
/** A pose wrist scored below this is not trusted to claim a hand (the default point threshold). */
const TRUSTED_WRIST = 0.5;
/**
 * A person's own hand at or above this presence (MediaPipe's tracking cut-off) is kept over the
 * detector's of the same hand, even one scored higher. Presence tells whether a hand is there,
 * not how well its points sit: on messi5.jpg the raised hand (~35 px) scored 0.98 from the palm
 * detector's region and 0.89 from the pose's, but the detector's region (a 12 px palm box × 2.6)
 * left the outstretched fingertips 13 px short of where they are, the pose's 1 px. On such small,
 * far hands — the ones a whole body is seen with — the pose places the region better; the
 * detector's hand wins where the pose's is unsure (a blurred hand on basketball1.png: 0.02 from
 * the pose, 0.65 from the detector).
 */
const CONFIDENT_HAND = 0.5;

function diagonal(points: readonly Point2[]): number {
  const box = handBox(points);
  return box ? Math.hypot(box.x1 - box.x0, box.y1 - box.y0) : 0;
}

/** The side of `pose` whose wrist `hand` is at, or null. */
function wristSide(pose: ModelPose, hand: ModelHand): HandSide | null {
  const wrist = hand.keypoints[0];
  if (!wrist) return null;
  const limit = WRIST_MATCH_DISTANCE * diagonal(hand.keypoints);
  let best: { side: HandSide; distance: number } | null = null;
  for (const side of ['left', 'right'] as const) {
    const own = pose.keypoints.find((k) => k.name === `${side}_wrist`);
    if (!own || own.score < TRUSTED_WRIST) continue;
    const distance = Math.hypot(own.x - wrist.x, own.y - wrist.y);
    if (distance < limit && (!best || distance < best.distance)) best = { side, distance };
  }
  return best?.side ?? null;
}

/**
 * A hand no person claims but that lies on a person's body must score at least this. The palm
 * detector takes a bare knee for a fist: on messi5.jpg the player's knee came out as a hand at
 * presence 0.60, and at 0.81–0.82 on 2 of the bench clip's 20 keyframes (the same photo panned),
 * inside his body and far from both his wrists. A hand held plainly in front of someone (the
 * wearer handing them a cup) scores like the hands in plain view in our test pictures,
 * 0.92–0.99 — though none of those lies on another person's body, so this is the least tested
 * rule here: a real hand over someone at 0.8–0.9 is lost.
 */
export const ON_BODY_PRESENCE = 0.9;

/** True when `hand`'s centre is inside the box of `pose`'s confident body points. */
function onBodyOf(pose: ModelPose, hand: ModelHand): boolean {
  const body = handBox(pose.keypoints.filter((k) => k.score >= TRUSTED_WRIST));
  const centre = handBox(hand.keypoints);
  if (!body || !centre) return false;
  const x = (centre.x0 + centre.x1) / 2;
  const y = (centre.y0 + centre.y1) / 2;
  return x >= body.x0 && x <= body.x1 && y >= body.y0 && y <= body.y1;
}

/**
 * The frame's poses with the detector's hands added. A detected hand belongs to a person when it
 * is one of that person's pose-derived hands found again (sameHand) or sits at one of the
 * person's wrists (wristSide: also MoveNet's, which places no hands of its own). It then takes
 * that side — the body tells the side better than the hand's own look — and replaces the
 * person's hand of that side when that one is missing or unsure (CONFIDENT_HAND) and it scores
 * higher. A hand that is nobody's (and not a
 * doubtful one on somebody's body: ON_BODY_PRESENCE) goes, with the other such hands, on one extra pose with no body points (`keypoints: []`), which the body's proposals
 * skip (poseProposals.ts drops a pose with no visible point) and the hands' proposals read
 * (handProposals.ts takes every pose's hands).
 */
export function mergeDetectedHands(
  poses: readonly ModelPose[],
  detected: readonly ModelHand[],
): ModelPose[] {
  const merged = poses.map((pose) => ({ ...pose, hands: [...(pose.hands ?? [])] }));
  const bodiless: ModelHand[] = [];
  for (const hand of dedupeHands(detected)) {
    let owner: { pose: (typeof merged)[number]; side: HandSide } | null = null;
    for (const pose of merged) {
      const again = pose.hands.find((h) => sameHand(h.keypoints, hand.keypoints));
      const side = again?.side ?? wristSide(pose, hand);
      if (side) {
        owner = { pose, side };
        break;
      }
    }
    if (!owner) {
      if (!merged.some((pose) => onBodyOf(pose, hand)) || hand.score >= ON_BODY_PRESENCE)
        bodiless.push(hand);
      continue;
    }
    const { pose, side } = owner;
    const index = pose.hands.findIndex((h) => h.side === side);
    const existing = pose.hands[index];
    if (!existing) pose.hands.push({ ...hand, side });
    else if (existing.score < CONFIDENT_HAND && hand.score > existing.score)
      pose.hands[index] = { ...hand, side };
  }
  if (bodiless.length > 0) merged.push({ score: null, keypoints: [], hands: bodiless });
  return merged;
}
