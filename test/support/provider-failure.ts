import { expect } from 'vitest';
import { ProviderError } from '../../src/providers/provider-error.ts';

/** The ProviderError `call` rejects with; fails the test when it resolves or rejects with anything else. */
export async function providerFailure(call: Promise<unknown>): Promise<ProviderError> {
  const error = await call.then(
    (value) => ({ succeeded: value }),
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}
