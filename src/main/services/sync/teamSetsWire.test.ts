import { describe, expect, it } from 'vitest';
import { defaultProjectSchema } from '../labels/defaultProject';
import { readTeamSetsPage } from './teamSetsWire';

const labels = {
  tracks: [],
  segments: [{ id: 's', startFrame: 0, endFrame: 3, verbId: 1, nounId: 2, actor: 'p', note: 'ä✓' }],
  contacts: [],
};
const head = (setId: string, changeSeq: number) => ({
  setId,
  clipRef: 'a'.repeat(64),
  projectId: 'p',
  annotator: 'ann1',
  reviewer: 'rev1',
  status: 'accepted',
  revision: 2,
  changeSeq,
  updatedAt: '2026-01-01T00:00:00.000Z',
  reviewers: ['rev1'],
});

/** A page laid out as the server writes it: each set's labels and schema after their lengths. */
function framed(sets: { head: object; labels: string; project: string }[], cursor: number): Buffer {
  const texts = sets.map((set) => {
    const lengths = {
      ...set.head,
      labelsBytes: Buffer.byteLength(set.labels),
      projectBytes: Buffer.byteLength(set.project),
    };
    return `${JSON.stringify(lengths).slice(0, -1)},"labels":${set.labels},"project":${set.project}}`;
  });
  return Buffer.from(`{"sets":[${texts.join(',')}],"cursor":${cursor},"more":false}`);
}

describe("reading a page of the lead's pull", () => {
  const project = JSON.stringify(defaultProjectSchema());
  const sets = [
    { head: head('s1', 3), labels: JSON.stringify(labels), project },
    { head: head('s2', 4), labels: 'null', project: 'null' },
  ];
  const expected = {
    sets: [
      { ...head('s1', 3), labelsJson: JSON.stringify(labels), projectJson: project },
      { ...head('s2', 4), labelsJson: null, projectJson: null },
    ],
    cursor: 4,
    more: false,
  };

  it('takes labels out by their stated lengths, and reads a page without lengths the same', () => {
    expect(readTeamSetsPage(framed(sets, 4))).toEqual(expected);
    const whole = {
      sets: [
        { ...head('s1', 3), labels, project: defaultProjectSchema() },
        { ...head('s2', 4), labels: null, project: null },
      ],
      cursor: 4,
      more: false,
    };
    expect(readTeamSetsPage(Buffer.from(JSON.stringify(whole)))).toEqual(expected);
    expect(readTeamSetsPage(Buffer.from('{"sets":[],"cursor":9,"more":false}'))).toEqual({
      sets: [],
      cursor: 9,
      more: false,
    });
  });

  it('falls back to reading the page whole when a stated length is wrong', () => {
    const page = framed(sets, 4)
      .toString('utf8')
      .replace(/"labelsBytes":\d+/, '"labelsBytes":12');
    expect(readTeamSetsPage(Buffer.from(page))).toEqual(expected);
  });

  it('refuses labels the shared schema refuses, whichever way the page is read', () => {
    const bad = JSON.stringify({ ...labels, tracks: [{ id: 'x' }] });
    const refused = expect.objectContaining({ code: 'BAD_ANSWER' }) as Error;
    expect(() =>
      readTeamSetsPage(framed([{ head: head('s1', 3), labels: bad, project }], 3)),
    ).toThrow(refused);
    const notJson = framed([{ head: head('s1', 3), labels: '{"tracks":', project: 'null' }], 3);
    expect(() => readTeamSetsPage(notJson)).toThrow(refused);
    expect(() =>
      readTeamSetsPage(Buffer.from('{"sets":[{"setId":1}],"cursor":1,"more":false}')),
    ).toThrow(refused);
  });
});
