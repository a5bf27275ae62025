import { describe, expect, it } from 'vitest';
import { contactAt, validateContact, type ContactContext, type ContactLabel } from './contact';

const context: ContactContext = {
  frameCount: 300,
  handTrackIds: new Set(['lh', 'rh']),
  objectClassIds: new Set([0, 1]),
  segmentIds: new Set(['s1']),
};

const holdingCup: ContactLabel = {
  id: 'c1',
  trackId: 'rh',
  startFrame: 10,
  endFrame: 40,
  state: 3,
  object: { box: { x: 100, y: 120, w: 40, h: 60 }, classId: 0 },
  segmentId: 's1',
};

describe('validateContact', () => {
  it('accepts a portable-object contact with box, class and segment link', () => {
    expect(validateContact(holdingCup, [], context)).toEqual([]);
  });

  it('requires the object box and class for portable and stationary objects (100DOH 3 and 4)', () => {
    expect(validateContact({ ...holdingCup, object: null }, [], context)).toEqual([
      "Contact frames 10–40 is with a portable object, so it needs the object's box and class.",
    ]);
    expect(validateContact({ ...holdingCup, state: 4, object: null }, [], context)[0]).toMatch(
      /stationary object/,
    );
  });

  it('refuses an object box on no contact, self contact or other-person contact', () => {
    for (const state of [0, 1, 2] as const) {
      expect(validateContact({ ...holdingCup, state }, [], context)[0]).toMatch(
        /is not contact with an object/,
      );
      expect(validateContact({ ...holdingCup, state, object: null }, [], context)).toEqual([]);
    }
  });

  it('refuses unknown classes, dangling segment links, body tracks and ranges outside the clip', () => {
    expect(
      validateContact(
        { ...holdingCup, object: { box: { x: 0, y: 0, w: 1, h: 1 }, classId: 9 } },
        [],
        context,
      )[0],
    ).toMatch(/object class 9/);
    expect(validateContact({ ...holdingCup, segmentId: 'nope' }, [], context)[0]).toMatch(
      /segment "nope"/,
    );
    expect(validateContact({ ...holdingCup, trackId: 'body' }, [], context)[0]).toMatch(
      /not a hand track/,
    );
    expect(validateContact({ ...holdingCup, endFrame: 300 }, [], context)[0]).toMatch(
      /within frames 0–299/,
    );
  });

  it('refuses a box with no area, naming the field', () => {
    const flat = { ...holdingCup, object: { box: { x: 0, y: 0, w: 0, h: 5 }, classId: 0 } };
    expect(validateContact(flat, [], context)[0]).toMatch(/object\.box\.w: must be more than 0/);
  });

  it('gives a hand one contact state at a time', () => {
    const other: ContactLabel = {
      ...holdingCup,
      id: 'c2',
      startFrame: 40,
      endFrame: 50,
      state: 0,
      object: null,
    };
    expect(validateContact(holdingCup, [other], context)[0]).toMatch(
      /overlaps the contact at frames 40–50/,
    );
    expect(validateContact(holdingCup, [{ ...other, trackId: 'lh' }], context)).toEqual([]);
  });
});

describe('contactAt', () => {
  it('finds the contact covering a frame on a hand', () => {
    expect(contactAt([holdingCup], 'rh', 40)?.id).toBe('c1');
    expect(contactAt([holdingCup], 'rh', 41)).toBeUndefined();
    expect(contactAt([holdingCup], 'lh', 20)).toBeUndefined();
  });
});
