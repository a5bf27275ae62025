import { describe, expect, it } from 'vitest';
import { commandForKey, type KeyPress } from './playerKeys';

const press = (key: string, modifiers: Partial<KeyPress> = {}): KeyPress => ({
  key,
  shiftKey: false,
  altKey: false,
  ctrlKey: false,
  metaKey: false,
  ...modifiers,
});

describe('player keys', () => {
  it('steps one frame with the arrows and ten with Shift', () => {
    expect(commandForKey(press('ArrowRight'), 'other')).toEqual({ name: 'step', delta: 1 });
    expect(commandForKey(press('ArrowLeft'), 'other')).toEqual({ name: 'step', delta: -1 });
    expect(commandForKey(press('ArrowRight', { shiftKey: true }), 'other')).toEqual({
      name: 'step',
      delta: 10,
    });
    expect(commandForKey(press('ArrowLeft', { shiftKey: true }), 'other')).toEqual({
      name: 'step',
      delta: -10,
    });
  });

  it('maps Space, Home, End, brackets and L', () => {
    expect(commandForKey(press(' '), 'other')).toEqual({ name: 'togglePlay' });
    expect(commandForKey(press('Home'), 'other')).toEqual({ name: 'first' });
    expect(commandForKey(press('End'), 'other')).toEqual({ name: 'last' });
    expect(commandForKey(press('i'), 'other')).toEqual({ name: 'loopStart' });
    expect(commandForKey(press('o'), 'other')).toEqual({ name: 'loopEnd' });
    expect(commandForKey(press('l'), 'other')).toEqual({ name: 'toggleLoop' });
    expect(commandForKey(press('L', { shiftKey: true }), 'other')).toEqual({ name: 'toggleLoop' });
  });

  it('leaves keys alone while the user types in a field', () => {
    for (const key of ['ArrowRight', ' ', 'Home', 'l', 'i']) {
      expect(commandForKey(press(key), 'text')).toBeNull();
    }
  });

  it('leaves Space to a focused checkbox but still steps from it', () => {
    expect(commandForKey(press(' '), 'toggle')).toBeNull();
    expect(commandForKey(press('ArrowRight'), 'toggle')).toEqual({ name: 'step', delta: 1 });
  });

  it('leaves browser and system shortcuts alone', () => {
    expect(commandForKey(press('ArrowLeft', { altKey: true }), 'other')).toBeNull();
    expect(commandForKey(press('l', { ctrlKey: true }), 'other')).toBeNull();
    expect(commandForKey(press('ArrowRight', { metaKey: true }), 'other')).toBeNull();
    expect(commandForKey(press('x'), 'other')).toBeNull();
  });
});
