import { describe, expect, it } from 'vitest';
import type { ApiHandlers } from '../../../shared/api/contract';
import { GovernanceError } from '../governance/governanceError';
import { dispatchCall } from './dispatch';

function handlersThrowing(error: unknown): ApiHandlers {
  return {
    listBatches: () => {
      throw error;
    },
  } as unknown as ApiHandlers;
}

describe('dispatchCall', () => {
  it("answers a service's coded error with its code and sentence, and logs nothing", async () => {
    const logged: unknown[] = [];
    const envelope = await dispatchCall(
      handlersThrowing(new GovernanceError('BATCH_NOT_FOUND', 'No batch has that id.')),
      'listBatches',
      {},
      (_message, error) => logged.push(error),
    );
    expect(envelope).toEqual({
      ok: false,
      error: { code: 'BATCH_NOT_FOUND', message: 'No batch has that id.' },
    });
    expect(logged).toEqual([]);
  });

  it('answers any other failure as INTERNAL, and logs it', async () => {
    const failure = new TypeError('undefined is not a function');
    const logged: unknown[] = [];
    const envelope = await dispatchCall(
      handlersThrowing(failure),
      'listBatches',
      {},
      (_message, error) => logged.push(error),
    );
    expect(envelope).toEqual({
      ok: false,
      error: {
        code: 'INTERNAL',
        message: 'Something went wrong in listBatches: undefined is not a function',
      },
    });
    expect(logged).toEqual([failure]);
  });
});
