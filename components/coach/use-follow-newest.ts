"use client";
import { useLayoutEffect, useRef } from "react";

/** This close to the bottom counts as at the bottom (sub-pixel rounding, zoom). */
const AT_BOTTOM_PX = 8;

/**
 * Keeps a scroll box on its newest content as `count` grows, unless the user has scrolled up;
 * once they scroll back to the bottom it follows again. Attach `box` and `onScroll` to the box.
 */
export function useFollowNewest<T extends HTMLElement>(count: number) {
  const box = useRef<T>(null);
  const following = useRef(true);
  // Where our own scrolling left the box: its scroll event is not the user moving away.
  const scrolledTo = useRef<number | null>(null);

  useLayoutEffect(() => {
    const el = box.current;
    if (!el || !following.current) return;
    el.scrollTop = el.scrollHeight;
    scrolledTo.current = el.scrollTop;
  }, [count]);

  const onScroll = () => {
    const el = box.current;
    if (!el) return;
    if (el.scrollHeight - el.scrollTop - el.clientHeight <= AT_BOTTOM_PX) following.current = true;
    else if (el.scrollTop !== scrolledTo.current) following.current = false;
  };
  return { box, onScroll };
}
