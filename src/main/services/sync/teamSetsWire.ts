import { z } from 'zod';
import { TeamSet, TeamSetsPage } from '../../../shared/api/syncProtocol';
import { BulkLabelsDocument, isPlainLabelsDocument } from '../../../shared/domain/labels';
import { ProjectSchemaV1 } from '../../../shared/domain/labels/projectSchema';
import { SyncError } from './syncError';

/**
 * A set of the lead's pull as the workstation stores it: the contract's `TeamSet` with its labels
 * and project schema as JSON text, each checked against the shared schema.
 */
export type PulledTeamSet = Omit<TeamSet, 'labels' | 'project' | 'labelsBytes' | 'projectBytes'> & {
  labelsJson: string | null;
  projectJson: string | null;
};
export type PulledTeamSetsPage = { sets: PulledTeamSet[]; cursor: number; more: boolean };

/** A page that breaks the contract: what was wrong goes to the log, the user reads the sentence. */
function badPage(detail: string): SyncError {
  return new SyncError(
    'BAD_ANSWER',
    `The server's team's sets are not what this version expects.`,
    {
      cause: new Error(detail),
    },
  );
}

const SetHead = TeamSet.omit({ labels: true, project: true });
const Tail = z.object({ cursor: TeamSetsPage.shape.cursor, more: z.boolean() }).strict();

const ascii = (text: string) => Buffer.from(text, 'latin1');
const OPEN = ascii('{"sets":[');
const LABELS = ascii(',"labels":');
const PROJECT = ascii(',"project":');
const [OPEN_BRACE, CLOSE_BRACE, COMMA, CLOSE_BRACKET] = [0x7b, 0x7d, 0x2c, 0x5d];

function startsAt(body: Buffer, at: number, expected: Buffer): boolean {
  return body.compare(expected, 0, expected.length, at, at + expected.length) === 0;
}

/**
 * Reads a page of the lead's pull (`GET /v1/team-sets`). A megabyte of labels a set, a thousand
 * sets: parsing the page whole and serializing each set's labels again to store them was most
 * of a first pull's time. The server states each set's labels and schema length in bytes
 * (`labelsBytes`, `projectBytes`, just before them), so each is taken out of the page as the text
 * it is, parsed once to check it against the shared schema, and stored as that text. A page in
 * any other layout (a server that states no lengths) is parsed whole and checked by the contract,
 * as before. Throws SyncError BAD_ANSWER when the page breaks the contract.
 */
export function readTeamSetsPage(body: Buffer): PulledTeamSetsPage {
  return readFramed(body) ?? readWhole(body);
}

/** The page by its stated lengths; null when it is not laid out so (then it is read whole). */
function readFramed(body: Buffer): PulledTeamSetsPage | null {
  if (!startsAt(body, 0, OPEN)) return null;
  const sets: PulledTeamSet[] = [];
  let at = OPEN.length;
  if (body[at] === CLOSE_BRACKET) {
    at += 1;
  } else {
    for (;;) {
      if (body[at] !== OPEN_BRACE) return null;
      // Member names and string values inside the head are JSON-escaped, so the first
      // `,"labels":` after the set's start is where its head ends.
      const headEnd = body.indexOf(LABELS, at);
      if (headEnd < 0) return null;
      let head: unknown;
      try {
        head = JSON.parse(`${body.toString('utf8', at, headEnd)}}`);
      } catch {
        return null;
      }
      const parsedHead = SetHead.safeParse(head);
      if (!parsedHead.success) {
        throw badPage(`a set's fields: ${parsedHead.error.issues[0]?.message}`);
      }
      const { labelsBytes, projectBytes, ...fields } = parsedHead.data;
      if (labelsBytes === undefined || projectBytes === undefined) return null;
      const labelsAt = headEnd + LABELS.length;
      const projectAt = labelsAt + labelsBytes + PROJECT.length;
      const end = projectAt + projectBytes;
      if (!startsAt(body, labelsAt + labelsBytes, PROJECT) || body[end] !== CLOSE_BRACE) {
        return null;
      }
      sets.push({
        ...fields,
        labelsJson: checkedLabels(body.toString('utf8', labelsAt, labelsAt + labelsBytes)),
        projectJson: checkedProject(body.toString('utf8', projectAt, end)),
      });
      at = end + 1;
      if (body[at] === COMMA) {
        at += 1;
        continue;
      }
      if (body[at] !== CLOSE_BRACKET) return null;
      at += 1;
      break;
    }
  }
  if (body[at] !== COMMA) return null;
  let tail: unknown;
  try {
    tail = JSON.parse(`{${body.toString('utf8', at + 1)}`);
  } catch {
    return null;
  }
  const parsedTail = Tail.safeParse(tail);
  if (!parsedTail.success) throw badPage("the page's cursor");
  return { sets, ...parsedTail.data };
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw badPage(`${what} are not JSON`);
  }
}

/**
 * The labels' text when it is a valid document as it stands; the schema's reading of it when the
 * schema fills something in (what the whole-page path stores too).
 */
function checkedLabels(text: string): string | null {
  const value = parseJson(text, 'labels');
  if (value === null) return null;
  if (isPlainLabelsDocument(value)) return text;
  const parsed = BulkLabelsDocument.safeParse(value);
  if (!parsed.success) throw badPage(`labels: ${parsed.error.issues[0]?.message}`);
  return JSON.stringify(parsed.data);
}

function checkedProject(text: string): string | null {
  const value = parseJson(text, 'project schema');
  if (value === null) return null;
  const parsed = ProjectSchemaV1.safeParse(value);
  if (!parsed.success) throw badPage(`project: ${parsed.error.issues[0]?.message}`);
  return JSON.stringify(parsed.data);
}

function readWhole(body: Buffer): PulledTeamSetsPage {
  const parsed = TeamSetsPage.safeParse(parseJson(body.toString('utf8'), 'the page'));
  if (!parsed.success) throw badPage(parsed.error.issues[0]?.message ?? 'the page');
  return {
    ...parsed.data,
    sets: parsed.data.sets.map((set) => {
      const { labels, project, ...fields } = set;
      delete fields.labelsBytes;
      delete fields.projectBytes;
      return {
        ...fields,
        labelsJson: labels === null ? null : JSON.stringify(labels),
        projectJson: project === null ? null : JSON.stringify(project),
      };
    }),
  };
}
