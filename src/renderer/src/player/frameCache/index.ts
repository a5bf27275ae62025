export { createFrameCache, frameCacheSupported } from './frameCache';
export type { CachedFrame, FrameCache, FrameCacheOptions } from './frameCache';
export { drawCachedFrame } from './drawCachedFrame';
