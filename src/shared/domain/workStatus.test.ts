import { describe, expect, it } from 'vitest';
import { compareDue, workStatusOf, type WorkStatus } from './workStatus';

describe("a clip's status for the signed-in person", () => {
  it('is withdrawn whatever else is known', () => {
    expect(workStatusOf({ withdrawn: true, localStatus: 'accepted', server: null })).toBe(
      'withdrawn',
    );
  });

  it('follows their own set here, in review counting as submitted', () => {
    const of = (localStatus: string) =>
      workStatusOf({ withdrawn: false, localStatus, server: null });
    expect(of('in_progress')).toBe('in_progress');
    expect(of('in_review')).toBe('submitted');
    expect(of('changes_requested')).toBe('changes_requested');
    expect(of('accepted')).toBe('accepted');
  });

  it('is assigned when the server has an untouched set for them and nothing was opened here', () => {
    const server = (status: string, revision: number) =>
      workStatusOf({ withdrawn: false, localStatus: null, server: { status, revision } });
    expect(server('in_progress', 0)).toBe('assigned');
    expect(server('accepted', 3)).toBe('accepted');
    expect(workStatusOf({ withdrawn: false, localStatus: null, server: null })).toBe(
      'not_assigned',
    );
  });

  it('puts due work first: sent back, started, assigned, then waiting and done', () => {
    const statuses: WorkStatus[] = [
      'accepted',
      'assigned',
      'submitted',
      'changes_requested',
      'in_progress',
    ];
    expect([...statuses].sort(compareDue)).toEqual([
      'changes_requested',
      'in_progress',
      'assigned',
      'submitted',
      'accepted',
    ]);
  });
});
