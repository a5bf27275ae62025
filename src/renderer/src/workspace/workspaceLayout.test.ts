import { describe, expect, it } from 'vitest';
import {
  clampSidePanelWidth,
  clampTimelineHeight,
  DEFAULT_LAYOUT,
  parseLayout,
  pictureFilter,
  SIDE_PANEL_LIMITS,
  TIMELINE_LIMITS,
} from './workspaceLayout';

describe('workspace layout', () => {
  it('keeps the side panel between its limits', () => {
    const big = { width: 2560, height: 1440 };
    expect(clampSidePanelWidth(10, big)).toBe(SIDE_PANEL_LIMITS.min);
    expect(clampSidePanelWidth(5000, big)).toBe(SIDE_PANEL_LIMITS.max);
    expect(clampSidePanelWidth(400.4, big)).toBe(400);
  });

  it('never lets the side panel take the stage on a small window', () => {
    expect(clampSidePanelWidth(700, { width: 1000, height: 700 })).toBe(600);
  });

  it('never lets the timeline take the stage on a short window', () => {
    expect(clampTimelineHeight(590, { width: 1280, height: 720 })).toBe(312);
    expect(clampTimelineHeight(20, { width: 1280, height: 720 })).toBe(TIMELINE_LIMITS.min);
  });

  it('reads back a stored layout and falls back on anything malformed', () => {
    expect(parseLayout(null)).toEqual(DEFAULT_LAYOUT);
    expect(parseLayout('{oops')).toEqual(DEFAULT_LAYOUT);
    expect(parseLayout('{"sidePanelOpen":false,"sidePanelWidth":"wide"}')).toEqual({
      ...DEFAULT_LAYOUT,
      sidePanelOpen: false,
    });
    expect(parseLayout('{"sidePanelOpen":true,"sidePanelWidth":420,"timelineHeight":250}')).toEqual(
      { ...DEFAULT_LAYOUT, sidePanelWidth: 420, timelineHeight: 250 },
    );
    expect(parseLayout('{"brightness":9,"contrast":0.1}')).toMatchObject({
      brightness: 3,
      contrast: 0.5,
    });
  });

  it('shows the picture as recorded unless brightness or contrast is changed', () => {
    expect(pictureFilter(DEFAULT_LAYOUT)).toBe('none');
    expect(pictureFilter({ brightness: 1.8, contrast: 1.2 })).toBe('brightness(1.8) contrast(1.2)');
  });
});
