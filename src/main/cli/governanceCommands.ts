import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { isApiError } from '../../shared/api/apiError';
import { ConsentPolicy } from '../../shared/domain/consentState';
import { auditTrailJsonl } from '../services/audit/auditTrail';
import { activeProjectId } from '../services/labels/projectLibrary';
import { createServices, type Services } from '../services/createServices';
import { defaultDatabasePath, userDataDir } from '../services/userDataDir';
import { resolveBatchRef } from './batchRef';
import { GOVERNANCE_HELP } from './usage';
import type { PrivacyReport } from '../../shared/domain/privacyReport';

/** Exit code of `audit verify` when the chain is broken: distinct from usage (2) and errors (1). */
export const AUDIT_BROKEN_EXIT = 4;

type Out = { log: (line: string) => void; error: (line: string) => void };

function errorBody(error: unknown): { code: string; message: string } {
  if (isApiError(error)) return { code: error.code, message: error.message };
  return { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) };
}

/** `audit`, `withdraw` and `privacy-report`, with their own options. */
export async function runGovernanceCommand(argv: string[], out: Out): Promise<number> {
  const [command] = argv;
  let parsed;
  try {
    parsed = parseArgs({
      args: argv.slice(1),
      allowPositionals: true,
      options: {
        db: { type: 'string' },
        json: { type: 'boolean', default: false },
        out: { type: 'string' },
        consent: { type: 'string' },
        clip: { type: 'string' },
        'clip-ref': { type: 'string' },
        at: { type: 'string' },
        project: { type: 'string' },
      },
    });
  } catch (error) {
    out.error(
      `framewise ${command ?? ''}: ${error instanceof Error ? error.message : String(error)}`,
    );
    return 2;
  }
  const { values, positionals } = parsed;
  const usage = (message: string): number => {
    out.error(`framewise ${command ?? ''}: ${message}\n\n${GOVERNANCE_HELP}`);
    return 2;
  };
  const db = resolve(values.db ?? defaultDatabasePath(userDataDir()));

  let run: ((services: Services) => Promise<number>) | null = null;
  if (command === 'audit' && positionals[0] === 'verify') {
    run = (services) => Promise.resolve(auditVerify(services, values.json, out));
  } else if (command === 'audit' && positionals[0] === 'export') {
    const batchId = positionals[1];
    if (batchId === undefined) return usage('give the batch id.');
    run = (services) =>
      auditExport(
        services,
        resolveBatchRef(services.store.media.listBatches(), batchId),
        values.out,
        out,
      );
  } else if (command === 'audit') {
    return usage('say "verify" or "export <batchId>".');
  } else if (command === 'withdraw') {
    const { consent, clip } = values;
    const clipRef = values['clip-ref'];
    if ([consent, clip, clipRef].filter((v) => v !== undefined).length !== 1) {
      return usage('give exactly one of --consent ID, --clip ID or --clip-ref SHA256.');
    }
    run = async (services) => {
      const outcome = await services.governance.withdrawConsent({
        ...(consent !== undefined
          ? { consentId: consent }
          : clipRef !== undefined
            ? { clipRef }
            : { clipId: clip ?? '' }),
        source: 'local',
        ...(values.at === undefined ? {} : { withdrawnAt: values.at }),
      });
      if (values.json) {
        out.log(JSON.stringify(outcome, null, 2));
      } else {
        out.log(
          `Withdrawal ${outcome.recorded ? 'recorded' : 'was already recorded'}` +
            `${outcome.consentId === null ? '' : ` for consent ${outcome.consentId}`}; ` +
            `${outcome.clips.length} clip(s) locked and purged.`,
        );
        for (const clip of outcome.clips) {
          out.log(
            `  ${clip.clipId}  sha256 ${clip.sha256 ?? 'unknown'}: ${clip.annotationSets} set(s), ` +
              `${clip.labelCommands} edit(s), ${clip.outboxItems} queued sync item(s) removed`,
          );
        }
        if (outcome.clips.length > 0 && !outcome.walTruncated) {
          out.error(
            'Another program was reading the database, so its -wal file could not be emptied ' +
              'yet; close Framewise and run the withdrawal again to finish.',
          );
        }
      }
      return 0;
    };
  } else if (command === 'consent-policy') {
    const parsedPolicy = ConsentPolicy.safeParse(positionals[0]);
    if (!parsedPolicy.success) return usage('say "label" or "lock".');
    run = (services) => {
      const projectId = values.project ?? activeProjectId(services.store);
      services.governance.setConsentPolicy(projectId, parsedPolicy.data);
      out.log(`Project ${projectId}: consent policy ${parsedPolicy.data}.`);
      return Promise.resolve(0);
    };
  } else if (command === 'privacy-report') {
    const batchId = positionals[0];
    if (batchId === undefined) return usage('give the batch id.');
    run = (services) => {
      const report = services.governance.privacyReport(
        resolveBatchRef(services.store.media.listBatches(), batchId),
      );
      if (values.json) out.log(JSON.stringify(report, null, 2));
      else for (const line of privacyReportLines(report)) out.log(line);
      return Promise.resolve(0);
    };
  } else {
    return usage('unknown command.');
  }

  const services = createServices({ databasePath: db });
  try {
    return await run(services);
  } catch (error) {
    const body = errorBody(error);
    if (values.json) out.log(JSON.stringify({ error: body }));
    out.error(`framewise ${command}: ${body.code}: ${body.message}`);
    return 1;
  } finally {
    services.close();
  }
}

function auditVerify(services: Services, json: boolean, out: Out): number {
  const verdict = services.governance.verifyAudit();
  if (json) out.log(JSON.stringify(verdict));
  if (verdict.ok) {
    if (!json) out.log(`Audit chain intact: ${verdict.entries} entries, head ${verdict.lastHash}.`);
    return 0;
  }
  out.error(
    `Audit chain broken at entry ${verdict.firstBadId} (${verdict.problem}): ${verdict.message}`,
  );
  return AUDIT_BROKEN_EXIT;
}

async function auditExport(
  services: Services,
  batchId: string,
  file: string | undefined,
  out: Out,
): Promise<number> {
  const entries = services.governance.auditTrail(batchId);
  const text = auditTrailJsonl(entries);
  if (file === undefined) {
    if (text !== '') out.log(text.trimEnd());
  } else {
    // 'wx': an earlier export is never overwritten.
    await writeFile(resolve(file), text, { flag: 'wx' });
    out.error(`${entries.length} audit entries of batch ${batchId} written to ${resolve(file)}.`);
  }
  return 0;
}

function privacyReportLines(report: PrivacyReport): string[] {
  const t = report.totals;
  const lines = [
    `Privacy report for batch ${report.batchName} (${report.batchId}), contributor ` +
      `${report.contributor ?? 'unnamed'}, region ${report.region ?? 'unknown'}`,
    `${t.clips} clips: ${t.withLocation} with location, ${t.withDevice} with device make/model, ` +
      `${t.withCreationTime} with creation time; ${t.exportable} exportable (valid consent).`,
  ];
  for (const clip of report.clips) {
    const found = Object.entries(clip.found)
      .filter(([, value]) => value !== null)
      .map(([key, value]) => `${key}=${String(value)}`);
    lines.push(
      `  ${clip.relativePath}  consent ${clip.consent}  found: ${found.length === 0 ? 'none' : found.join(', ')}` +
        `  export strips: ${clip.strippedOnExport.length === 0 ? 'nothing to strip' : clip.strippedOnExport.join(', ')} (${clip.method})`,
    );
  }
  for (const note of report.notes) lines.push(`Note: ${note}`);
  return lines;
}
