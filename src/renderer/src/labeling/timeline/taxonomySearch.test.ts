import { describe, expect, it } from 'vitest';
import type { ActionClass } from '../../../../shared/domain/labels';
import { describeClass, matchRank, searchTaxonomy } from './taxonomySearch';

const verbs: ActionClass[] = [
  { id: 0, key: 'take', category: 'retrieve' },
  { id: 1, key: 'put', category: 'leave' },
  { id: 2, key: 'open', category: 'access' },
  { id: 12, key: 'put-down', category: 'leave' },
  { id: 20, key: 'turn-on', category: 'access' },
  { id: 21, key: 'stir' },
];

const keys = (query: string) => searchTaxonomy(verbs, query).map((v) => v.key);

describe('taxonomy search', () => {
  it('lists every class in taxonomy order for an empty query', () => {
    expect(keys('  ')).toEqual(['take', 'put', 'open', 'put-down', 'turn-on', 'stir']);
  });

  it('puts an exact name first, then names starting with the query', () => {
    expect(keys('put')).toEqual(['put', 'put-down']);
    expect(keys('PU')).toEqual(['put', 'put-down']);
  });

  it('matches the start of any word of a key after whole-key prefixes', () => {
    const classes = [
      { id: 1, key: 'turn-on' },
      { id: 2, key: 'onion-peel' },
    ];
    expect(searchTaxonomy(classes, 'on').map((c) => c.key)).toEqual(['onion-peel', 'turn-on']);
    expect(keys('do')).toEqual(['put-down']);
  });

  it('finds a class by its id, exact id before id prefixes', () => {
    expect(keys('2')).toEqual(['open', 'turn-on', 'stir']);
    expect(keys('12')).toEqual(['put-down']);
  });

  it('falls back to the category', () => {
    expect(keys('acc')).toEqual(['open', 'turn-on']);
    expect(matchRank({ id: 9, key: 'zz' }, 'acc')).toBeNull();
  });

  it('finds nothing for text in no name, id or category', () => {
    expect(keys('xyz')).toEqual([]);
  });

  it('describes a class by its key and id', () => {
    expect(describeClass({ id: 12, key: 'put-down' })).toBe('put-down (12)');
  });
});
