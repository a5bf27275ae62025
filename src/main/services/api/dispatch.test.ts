import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { calls, type ApiHandlers, type CallName } from '../../../shared/api/contract';
import { callNames, hostileCall } from '../../../../tests/support/contractFuzz';
import { checkProperty } from '../../../../tests/support/fuzz';
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

/** Handlers that only record what reached them: a refused call must never get this far. */
function recordingHandlers(): { handlers: ApiHandlers; received: unknown[] } {
  const received: unknown[] = [];
  const handlers = Object.fromEntries(
    callNames.map((name) => [
      name,
      (input: unknown) => {
        received.push(input);
        return null;
      },
    ]),
  ) as unknown as ApiHandlers;
  return { handlers, received };
}

describe('the API dispatcher (IPC and loopback host) under hostile input', () => {
  it('answers every call with an envelope, and a refused one never reaches its handler', async () => {
    const { handlers, received } = recordingHandlers();
    const logged: unknown[] = [];
    await checkProperty(
      'dispatcher: hostile calls',
      fc.asyncProperty(hostileCall, async ([name, input]) => {
        const before = received.length;
        const answer = await dispatchCall(handlers, name, input, (_m, e) => logged.push(e));
        if (answer.ok) {
          expect(received.length).toBe(before + 1);
          // What the handler got is what the contract parsed, never the raw input.
          const parsed = calls[name as CallName].input.safeParse(input ?? {});
          expect(parsed.success).toBe(true);
        } else {
          expect(['INVALID_INPUT', 'UNKNOWN_CALL']).toContain(answer.error.code);
          expect(typeof answer.error.message).toBe('string');
          expect(received.length).toBe(before);
        }
        expect(logged).toEqual([]);
      }),
      400,
    );
  });

  it('refuses a NUL, a lone surrogate and 10,000 levels of nesting before the schema', async () => {
    const { handlers, received } = recordingHandlers();
    for (const input of [{ folder: 'a\u0000b' }, { folder: '\ud800' }]) {
      const answer = await dispatchCall(handlers, 'importBatch', input);
      expect(answer).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    }
    let deep: unknown = { type: 'removeTrack', trackId: 't' };
    for (let i = 0; i < 10_000; i++) deep = { type: 'batch', commands: [deep] };
    const answer = await dispatchCall(handlers, 'applyLabelEdit', { command: deep });
    expect(answer).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(received).toEqual([]);
  });
});
