import type { Box, Point } from '../../../../shared/domain/labels';
import { boxFromCorners, moveBox, resizeBox } from './boxGeometry';
import {
  movedBeyondSlop,
  type BoxHandle,
  type OverlayTool,
  type ToolContext,
  type ToolOutput,
  type ToolPointerEvent,
} from './overlayTool';

type BoxToolState =
  | { readonly name: 'idle' }
  | {
      readonly name: 'pointingBox';
      readonly contactId: string;
      readonly handle: BoxHandle | undefined;
      readonly original: Box;
      readonly pressScreen: Point;
      readonly pressVideo: Point;
    }
  | { readonly name: 'pointingEmpty'; readonly pressScreen: Point; readonly pressVideo: Point }
  | {
      readonly name: 'editing';
      readonly contactId: string;
      readonly handle: BoxHandle | undefined;
      readonly original: Box;
      readonly pressVideo: Point;
      readonly box: Box;
    }
  | { readonly name: 'drawing'; readonly pressVideo: Point; readonly box: Box | undefined };

/**
 * Draws and edits contact object boxes. Drag on empty space draws a new box (`boxDrawn`; the host
 * decides which contact label it belongs to); drag a box's body to move it or a corner handle to
 * resize it (`boxChanged` on release). Boxes never leave the picture and never go under 2 px.
 */
export class BoxTool implements OverlayTool {
  private current: BoxToolState = { name: 'idle' };

  get state(): BoxToolState['name'] {
    return this.current.name;
  }

  pointerDown(event: ToolPointerEvent, context: ToolContext): readonly ToolOutput[] {
    if (this.current.name !== 'idle') return [];
    const { hit } = event;
    if (hit.kind === 'box') {
      const target = context.scene.contactBoxes.find((b) => b.contactId === hit.contactId);
      if (!target) return [];
      this.current = {
        name: 'pointingBox',
        contactId: target.contactId,
        handle: hit.handle,
        original: target.box,
        pressScreen: event.screen,
        pressVideo: event.video,
      };
      return [
        {
          type: 'select',
          selection: { trackId: target.trackId, point: null, contactId: target.contactId },
        },
      ];
    }
    this.current = { name: 'pointingEmpty', pressScreen: event.screen, pressVideo: event.video };
    return [];
  }

  pointerMove(event: ToolPointerEvent, context: ToolContext): readonly ToolOutput[] {
    const state = this.current;
    switch (state.name) {
      case 'idle':
        return [];
      case 'pointingBox':
        if (!movedBeyondSlop(state.pressScreen, event.screen)) return [];
        return this.edit({ ...state, name: 'editing', box: state.original }, event, context);
      case 'editing':
        return this.edit(state, event, context);
      case 'pointingEmpty':
        if (!movedBeyondSlop(state.pressScreen, event.screen)) return [];
        return this.draw(state.pressVideo, event, context);
      case 'drawing':
        return this.draw(state.pressVideo, event, context);
    }
  }

  pointerUp(_event: ToolPointerEvent, context: ToolContext): readonly ToolOutput[] {
    const state = this.current;
    this.current = { name: 'idle' };
    switch (state.name) {
      case 'idle':
      case 'pointingBox':
        return [];
      case 'pointingEmpty': {
        const { selectedTrackId, selectedPoint } = context.scene;
        return [
          {
            type: 'select',
            selection: { trackId: selectedTrackId, point: selectedPoint, contactId: null },
          },
        ];
      }
      case 'editing':
        return [
          { type: 'preview', preview: null },
          ...(sameBox(state.box, state.original)
            ? []
            : [{ type: 'boxChanged', contactId: state.contactId, box: state.box } as const]),
        ];
      case 'drawing':
        return [
          { type: 'preview', preview: null },
          ...(state.box ? [{ type: 'boxDrawn', box: state.box } as const] : []),
        ];
    }
  }

  cancel(): readonly ToolOutput[] {
    const previewing = this.current.name === 'editing' || this.current.name === 'drawing';
    this.current = { name: 'idle' };
    return previewing ? [{ type: 'preview', preview: null }] : [];
  }

  private edit(
    state: Extract<BoxToolState, { name: 'editing' }>,
    event: ToolPointerEvent,
    context: ToolContext,
  ): readonly ToolOutput[] {
    const box = state.handle
      ? resizeBox(state.original, state.handle, event.video, context.videoSize)
      : moveBox(
          state.original,
          event.video.x - state.pressVideo.x,
          event.video.y - state.pressVideo.y,
          context.videoSize,
        );
    this.current = { ...state, box };
    return [{ type: 'preview', preview: { kind: 'box', contactId: state.contactId, box } }];
  }

  private draw(
    pressVideo: Point,
    event: ToolPointerEvent,
    context: ToolContext,
  ): readonly ToolOutput[] {
    const box = boxFromCorners(pressVideo, event.video, context.videoSize);
    this.current = { name: 'drawing', pressVideo, box };
    return [{ type: 'preview', preview: box ? { kind: 'box', contactId: null, box } : null }];
  }
}

function sameBox(a: Box, b: Box): boolean {
  return a.x === b.x && a.y === b.y && a.w === b.w && a.h === b.h;
}
