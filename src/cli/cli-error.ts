/** A mistake in what the user typed or gave us: exit code 1, message without a stack. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
