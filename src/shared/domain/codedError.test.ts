import { describe, expect, it } from 'vitest';
import { CodedError } from './codedError';

type FolderCode = 'FOLDER_NOT_FOUND' | 'NOT_A_FOLDER';

class FolderError extends CodedError<FolderCode> {
  override name = 'FolderError';
}

describe('CodedError', () => {
  it('carries a stable code and the sentence for the user, as an Error with a stack', () => {
    const error = new CodedError('NOT_FOUND', 'No clip has that id: pick one from the list.');
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toBe('No clip has that id: pick one from the list.');
    expect(error.name).toBe('CodedError');
    expect(error.stack).toContain('No clip has that id');
  });

  it('keeps the error it came from as `cause`', () => {
    const low = new Error('ENOENT: no such file or directory');
    const error = new CodedError('FILE_UNREADABLE', 'Cannot read the file.', { cause: low });
    expect(error.cause).toBe(low);
  });

  it('has no `cause` property at all when nothing caused it, like a plain Error', () => {
    expect('cause' in new CodedError('X', 'x')).toBe(false);
    expect('cause' in new CodedError('X', 'x', {})).toBe(false);
    expect('cause' in new CodedError('X', 'x', { cause: undefined })).toBe(false);
  });

  it('lets a subclass narrow the codes and name itself while staying a CodedError', () => {
    const error = new FolderError('NOT_A_FOLDER', '/tmp/a.mp4 is a file.');
    expect(error).toBeInstanceOf(CodedError);
    expect(error.name).toBe('FolderError');
    expect(String(error)).toBe('FolderError: /tmp/a.mp4 is a file.');
    const code: FolderCode = error.code;
    expect(code).toBe('NOT_A_FOLDER');
  });
});
