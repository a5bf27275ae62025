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
      readonly boxId: string;
      readonly handle: BoxHandle | undefined;
      readonly original: Box;
      readonly pressScreen: Point;
      readonly pressVideo: Point;
    }
  | { readonly name: 'pointingEmpty'; readonly pressScreen: Point; readonly pressVideo: Point }
  | {
      readonly name: 'editing';
      readonly boxId: string;
      readonly handle: BoxHandle | undefined;
      readonly original: Box;
      readonly pressVideo: Point;
      readonly box: Box;
    }
  | { readonly name: 'drawing'; readonly pressVideo: Point; readonly box: Box | undefined };

/**
 * Draws and edits boxes (hand, object, face). Drag on empty space draws a new box (`boxDrawn`;
 * the host decides whose box it is); drag a box's body to move it or a corner handle to resize it
 * (`boxChanged` on release: the host keys the box on this frame). Boxes never leave the picture
 * and never go under 2 px.
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
      const target = context.scene.boxes.find((b) => b.boxId === hit.boxId);
      if (!target) return [];
      this.current = {
        name: 'pointingBox',
        boxId: target.boxId,
        handle: hit.handle,
        original: target.box,
        pressScreen: event.screen,
        pressVideo: event.video,
      };
      return [
        {
          type: 'select',
          selection: {
            trackId: target.trackId,
            point: null,
            contactId: target.contactId,
            boxId: target.boxId,
          },
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
            selection: {
              trackId: selectedTrackId,
              point: selectedPoint,
              contactId: null,
              boxId: null,
            },
          },
        ];
      }
      case 'editing':
        return [
          { type: 'preview', preview: null },
          ...(sameBox(state.box, state.original)
            ? []
            : [{ type: 'boxChanged', boxId: state.boxId, box: state.box } as const]),
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
    return [{ type: 'preview', preview: { kind: 'box', boxId: state.boxId, box } }];
  }

  private draw(
    pressVideo: Point,
    event: ToolPointerEvent,
    context: ToolContext,
  ): readonly ToolOutput[] {
    const box = boxFromCorners(pressVideo, event.video, context.videoSize);
    this.current = { name: 'drawing', pressVideo, box };
    return [{ type: 'preview', preview: box ? { kind: 'box', boxId: null, box } : null }];
  }
}

function sameBox(a: Box, b: Box): boolean {
  return a.x === b.x && a.y === b.y && a.w === b.w && a.h === b.h;
}
