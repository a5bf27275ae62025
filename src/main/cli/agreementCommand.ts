import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { parse as parseCsv } from 'csv-parse/sync';
import { z } from 'zod';
import { CodedError } from '../../shared/domain/codedError';
import {
  actionAgreement,
  ActionRow,
  CocoKeypointFile,
  keypointAgreement,
  type ActionAgreement,
  type KeypointAgreement,
} from '../../shared/domain/metrics';
import { AGREEMENT_HELP } from './usage';

type Out = { log: (line: string) => void; error: (line: string) => void };

class AgreementInputError extends CodedError<
  'FILE_UNREADABLE' | 'NOT_JSON' | 'NOT_COCO_KEYPOINTS' | 'NOT_ACTIONS_CSV'
> {
  override name = 'AgreementInputError';
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new AgreementInputError('FILE_UNREADABLE', `Cannot read ${path}: ${reason}`);
  }
}

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join('.') || 'file'}: ${issue.message}` : 'invalid';
}

async function readCoco(path: string): Promise<CocoKeypointFile> {
  let json: unknown;
  try {
    json = JSON.parse(await readText(path));
  } catch (error) {
    if (error instanceof AgreementInputError) throw error;
    throw new AgreementInputError('NOT_JSON', `${path} is not JSON: ${String(error)}`);
  }
  const parsed = CocoKeypointFile.safeParse(json);
  if (!parsed.success) {
    throw new AgreementInputError(
      'NOT_COCO_KEYPOINTS',
      `${path} is not a COCO keypoint file of video frames (${firstIssue(parsed.error)}).`,
    );
  }
  return parsed.data;
}

async function readActions(path: string): Promise<ActionRow[]> {
  let records: unknown;
  try {
    records = parseCsv(await readText(path), { columns: true, skip_empty_lines: true, bom: true });
  } catch (error) {
    if (error instanceof AgreementInputError) throw error;
    throw new AgreementInputError('NOT_ACTIONS_CSV', `${path} is not CSV: ${String(error)}`);
  }
  const parsed = z.array(ActionRow).safeParse(records);
  if (!parsed.success) {
    throw new AgreementInputError(
      'NOT_ACTIONS_CSV',
      `${path} is not an EPIC-style actions CSV (row ${firstIssue(parsed.error)}).`,
    );
  }
  return parsed.data;
}

function percent(value: number | null): string {
  return value === null ? '–' : `${(value * 100).toFixed(1)} %`;
}

function summary(keypoints: KeypointAgreement, actions: ActionAgreement | null): string[] {
  const lines = [
    `poses compared: ${keypoints.frames.length} (only in first: ${keypoints.onlyInFirst}, only in second: ${keypoints.onlyInSecond})`,
    `OKS (mean): ${keypoints.meanOks === null ? '–' : keypoints.meanOks.toFixed(4)}`,
    `PCK@${keypoints.pckAlpha}: ${percent(keypoints.pck)}`,
    `hand OKS (mean): ${keypoints.meanHandOks === null ? '–' : keypoints.meanHandOks.toFixed(4)}`,
  ];
  if (actions) {
    const { pooled } = actions;
    lines.push(
      `segments, F1: ${pooled.f1.map((f) => `@${f.threshold} ${f.f1 === null ? '–' : f.f1.toFixed(1)}`).join(', ')}`,
      `segments, edit: ${pooled.edit === null ? '–' : pooled.edit.toFixed(1)}; frame accuracy: ${pooled.accuracy === null ? '–' : `${pooled.accuracy.toFixed(1)} %`}`,
    );
  }
  return lines;
}

export async function runAgreementCommand(argv: string[], out: Out): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        actions: { type: 'boolean', default: false },
        'pck-alpha': { type: 'string' },
        json: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    out.error(`framewise agreement: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [a, b, actionsA, actionsB] = positionals;
  const alpha = values['pck-alpha'] === undefined ? 0.2 : Number(values['pck-alpha']);
  if (
    a === undefined ||
    b === undefined ||
    (values.actions && (actionsA === undefined || actionsB === undefined)) ||
    !(alpha > 0 && alpha <= 1)
  ) {
    out.error(
      `framewise agreement: expected two COCO files (and two CSVs after --actions), and a --pck-alpha in (0, 1].\n\n${AGREEMENT_HELP}`,
    );
    return 2;
  }
  try {
    const keypoints = keypointAgreement(await readCoco(a), await readCoco(b), { pckAlpha: alpha });
    const actions =
      values.actions && actionsA !== undefined && actionsB !== undefined
        ? actionAgreement(await readActions(actionsA), await readActions(actionsB))
        : null;
    if (values.json) out.log(JSON.stringify({ keypoints, actions }, null, 2));
    else for (const line of summary(keypoints, actions)) out.log(line);
    return 0;
  } catch (error) {
    const body =
      error instanceof AgreementInputError
        ? { code: error.code, message: error.message }
        : {
            code: 'INVALID_INPUT',
            message: error instanceof Error ? error.message : String(error),
          };
    if (values.json) out.log(JSON.stringify({ error: body }));
    out.error(`framewise agreement: ${body.code}: ${body.message}`);
    return 1;
  }
}
