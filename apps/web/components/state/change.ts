import type { Change } from '@/lib/replay/state-view';

export const changeClass = (change: Change) => (change ? `change-${change}` : undefined);
export const changeTitle = (change: Change) =>
  change === 'added'
    ? 'new at this step'
    : change === 'changed'
      ? 'changed at this step'
      : change === 'removed'
        ? 'gone at this step'
        : undefined;
