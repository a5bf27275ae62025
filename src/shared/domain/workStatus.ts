/**
 * A clip's status for the person signed in, on the batch screen and in My work: what they have to
 * do about it, from their local set, the server's view of their assignment and consent.
 */
export const WORK_STATUSES = [
  'changes_requested',
  'in_progress',
  'assigned',
  'submitted',
  'accepted',
  'withdrawn',
  'not_assigned',
] as const;
export type WorkStatus = (typeof WORK_STATUSES)[number];

export type WorkFacts = {
  /** Consent withdrawn: nothing more can be done, whatever else is known. */
  withdrawn: boolean;
  /** This person's set on this workstation, if they opened one. */
  localStatus: string | null;
  /** Their assignment's set as the server last said (status, revision), if assigned. */
  server: { status: string; revision: number } | null;
};

function fromSetStatus(status: string): WorkStatus {
  switch (status) {
    case 'submitted':
    case 'in_review':
      return 'submitted';
    case 'changes_requested':
      return 'changes_requested';
    case 'accepted':
      return 'accepted';
    default:
      return 'in_progress';
  }
}

export function workStatusOf(facts: WorkFacts): WorkStatus {
  if (facts.withdrawn) return 'withdrawn';
  if (facts.localStatus !== null) return fromSetStatus(facts.localStatus);
  if (facts.server === null) return 'not_assigned';
  // Assigned, nothing handed in yet: the server's set is an empty placeholder.
  if (facts.server.status === 'in_progress' && facts.server.revision === 0) return 'assigned';
  return fromSetStatus(facts.server.status);
}

/**
 * Due work first: sent back for changes, then started, then assigned and not started; what waits
 * on others (submitted) and what is done (accepted, withdrawn) after.
 */
export function compareDue(a: WorkStatus, b: WorkStatus): number {
  return WORK_STATUSES.indexOf(a) - WORK_STATUSES.indexOf(b);
}

export const WORK_STATUS_LABELS: Record<WorkStatus, string> = {
  changes_requested: 'Changes requested',
  in_progress: 'In progress',
  assigned: 'Assigned',
  submitted: 'Submitted',
  accepted: 'Accepted',
  withdrawn: 'Withdrawn',
  not_assigned: 'Not assigned',
};
