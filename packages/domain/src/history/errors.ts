/** A history file that cannot be taken: where (line, and field when one is at fault) and why. */
export class HistoryError extends Error {
  override readonly name = 'HistoryError';

  constructor(
    readonly line: number,
    readonly reason: string,
    readonly field?: string,
    readonly code: string = 'INVALID_HISTORY',
  ) {
    super(`line ${line}: ${reason}`);
  }
}
