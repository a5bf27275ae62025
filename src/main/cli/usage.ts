import { FACES_HELP } from './facesCommand';
import { defaultDatabasePath, userDataDir } from '../services/userDataDir';

// The usage text of every `framewise` command, apart from the commands themselves: `--help` and
// the dispatcher in main.ts load this file alone, and each command's modules only when it runs.

export const AGREEMENT_HELP = `  framewise agreement <a.json> <b.json> [--actions <a.csv> <b.csv>] [--pck-alpha 0.2] [--json]
      Agreement between two annotators' COCO keypoint files of the same clips (the first is the
      reference), matched by video_id, frame_index and track_id: OKS per frame and overall
      (COCO sigmas), PCK@alpha of the reference's box, hand OKS (COCO-WholeBody). With two
      EPIC-style actions.csv files: segment F1@{0.1,0.25,0.5}, edit score and frame accuracy.
      Exit code 1 with {"error":{...}} for an unreadable or malformed file.`;

export const PROJECT_HELP = `  framewise project import <project.json> [--db FILE] [--json]
      Import a project file (skeleton templates, verb/noun taxonomy, contact states, object
      classes; see resources/project.sample.json). Clips opened from now on are labeled with it;
      sets already started keep theirs. An edited file is a new project; the same file twice is
      a no-op. Exit code 1 with the field that is wrong for an invalid file.
  framewise project list [--db FILE] [--json]
      The projects in the database, oldest first; the last is the one in use.`;

export const GOVERNANCE_HELP = `  framewise audit verify [--db FILE] [--json]
      Check the audit log's hash chain. Exit code 0 when intact; 4 when an entry was altered or
      deleted, naming the first bad entry.
  framewise audit export <batch id or name> [--out FILE] [--db FILE]
      The audit entries of a batch, its clips and their labels, as JSON Lines with their chain
      hashes (to stdout, or FILE).
  framewise withdraw (--consent ID | --clip ID | --clip-ref SHA256) [--at ISO-TIME] [--db FILE] [--json]
      Record a consent withdrawal and purge the clips it covers from this workstation: labels,
      queued sync items, proxies and workspace rows; the database is vacuumed so no freed page
      keeps them. Only an audit entry with the clip's sha256 and consent id remains. --clip-ref
      names a clip by its file's sha256 (as the server does), imported here or not yet.
  framewise consent-policy (label|lock) [--project ID] [--db FILE]
      Whether clips without valid consent may be labeled ('label', the default) or are read-only
      ('lock') in a project (the default project when none is named). Never exported either way.
  framewise privacy-report <batch id or name> [--db FILE] [--json]
      What location, device and creation-time metadata each clip of a batch carries, and what
      an export with videos strips.`;

/** The governance commands, which take their own options and subcommands. */
export const GOVERNANCE_COMMANDS: ReadonlySet<string> = new Set([
  'audit',
  'withdraw',
  'privacy-report',
  'consent-policy',
]);

export const HELP = `framewise — label human-motion video, frame by frame

Usage:
  framewise import <folder> [--db FILE] [--json]
      Import a batch folder (videos plus an optional batch.json). Prints, per file, ok or the
      error code and message, with codec, size, rotation, frame count and duration.
      Exit code 0: every file imported; 3: some files failed; 1: the batch was refused.
  framewise probe <video> [--json]
      Probe one file without decoding it: the same fields plus frameTimes (seconds, one per
      frame in presentation order) and flagged metadata. Exit code 1 with {"error":{...}}.
  framewise batches [--db FILE] [--json]
      The imported batches: id, name, clip count and how many clips are in each consent state.
      Commands that take a batch take its id or its name (when no other batch has that name).
  framewise export (--batch ID ... | --clip ID ... | --all) --format coco,cvat,epic,hands,provenance --out DIR
                   [--include-videos] [--blur faces] [--status accepted|submitted] [--region CC ...] [--db FILE]
      Export labels for training into DIR (a new folder). Clips whose consent is missing,
      expired or withdrawn are never exported. --region (repeatable, ISO 3166; "US" admits
      "US-CA") keeps only contributors from those regions. --blur faces re-encodes each video
      with its face regions blurred, every frame and frame time kept (see framewise faces).
      Progress goes to stderr, the report (exported and excluded clips, with reasons) as JSON
      to stdout. Exit code 1 on failure.
  framewise import-labels <clip-id> <file> [--db FILE]
      Read COCO keypoints JSON or CVAT for video 1.1 XML into your annotation set of a clip,
      as one undoable edit. Prints {setId, format, tracks, keyframes} as JSON; exit code 1
      with {"error":{...}} for a malformed file, an unknown clip or mismatched frames.
${AGREEMENT_HELP}
${PROJECT_HELP}
${GOVERNANCE_HELP}
${FACES_HELP}
  framewise submit <clip-id> [--db FILE]
      Submit your annotation set of a clip for review, as the app's Submit button does: it is
      checked for completeness (the problems are printed, exit code 3, nothing changes) and
      queued for the central server in the same transaction. Prints the outcome as JSON.
  framewise sync --server URL --token TOKEN [--budget SECONDS] [--db FILE]
      One full push and pull with the central server: delivers queued sets (retrying with
      backoff within the budget, default 60 s), then applies review outcomes. Prints what moved
      as JSON. Exit code 0: nothing left to send; 3: sets still queued or refused (conflicts);
      1: the server refused the token or could not be used. The token may come from
      FRAMEWISE_TOKEN instead of --token; it is used for this run only and never stored.
  framewise serve [--db FILE] [--port N]
      Start the app for a browser on 127.0.0.1. The first line printed is the URL to open
      (it carries this launch's token).

Options:
  --db FILE   SQLite database (default: ${defaultDatabasePath(userDataDir())})
  --json      Machine-readable output
  -h, --help  This text
`;
