import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import { ProbeResult } from '../../shared/api/schemas';
import { ImportError } from '../importError';
import { probeWithFfprobe } from './probeFfprobe';
import { probeMp4 } from './probeMp4';
import { fileReadError } from './fileReadError';

/**
 * Codec, size, rotation, frame table and privacy metadata of a video file, without decoding.
 * Every failure is an ImportError naming the file and saying what to do.
 */
export async function probeVideo(filePath: string): Promise<ProbeResult> {
  try {
    return checked(await probeByKind(filePath), filePath);
  } catch (error) {
    if (error instanceof ImportError) throw error;
    throw fileReadError(error, filePath);
  }
}

type Kind = { format: 'mp4' } | { format: 'matroska'; container: 'webm' | 'matroska' };

async function probeByKind(filePath: string): Promise<ProbeResult> {
  const name = basename(filePath);
  const file = await open(filePath, 'r');
  let kind: Kind;
  let size: number;
  try {
    const stats = await file.stat();
    if (!stats.isFile()) {
      throw new ImportError('NOT_A_VIDEO', `"${name}" is a folder, not a video.`, filePath);
    }
    size = stats.size;
    if (size === 0) {
      throw new ImportError(
        'EMPTY_FILE',
        `"${name}" is empty (0 bytes); re-copy it from the phone.`,
        filePath,
      );
    }
    kind = sniff(await readHead(file, size), name, filePath);
    if (kind.format === 'mp4') return (await probeMp4(file, size, filePath)).result;
  } finally {
    await file.close();
  }
  return probeWithFfprobe(filePath, size, kind.container);
}

/** Box types that can open an MP4/QuickTime file (bytes 4..8 of the first box). */
const MP4_FIRST_BOXES = new Set(['ftyp', 'moov', 'free', 'mdat', 'wide', 'skip']);
const EBML_MAGIC = [0x1a, 0x45, 0xdf, 0xa3];

async function readHead(file: FileHandle, size: number): Promise<Uint8Array> {
  const head = new Uint8Array(Math.min(64, size));
  const { bytesRead } = await file.read(head, 0, head.byteLength, 0);
  return head.subarray(0, bytesRead);
}

function sniff(head: Uint8Array, name: string, filePath: string): Kind {
  if (head.byteLength >= 8 && MP4_FIRST_BOXES.has(String.fromCharCode(...head.subarray(4, 8)))) {
    return { format: 'mp4' };
  }
  if (EBML_MAGIC.every((byte, i) => head[i] === byte)) {
    // The EBML header's DocType ("webm" or "matroska") sits in the first few dozen bytes.
    const text = String.fromCharCode(...head);
    return { format: 'matroska', container: text.includes('webm') ? 'webm' : 'matroska' };
  }
  throw new ImportError(
    'NOT_A_VIDEO',
    `"${name}" is not a video Framewise can read: it is neither MP4/MOV nor WebM/Matroska.`,
    filePath,
  );
}

/** The contract promises positive sizes and finite times; a file that breaks that is damaged. */
function checked(result: ProbeResult, filePath: string): ProbeResult {
  const parsed = ProbeResult.safeParse(result);
  if (parsed.success) return result;
  throw new ImportError(
    'UNREADABLE',
    `"${basename(filePath)}" has impossible values in its header (${parsed.error.issues
      .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
      .slice(0, 3)
      .join('; ')}).`,
    filePath,
  );
}
