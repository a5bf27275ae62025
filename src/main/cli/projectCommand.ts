import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { isApiError } from '../../shared/api/apiError';
import { createServices } from '../services/createServices';
import { activeProjectId, importProjectFile } from '../services/labels/projectLibrary';
import { defaultDatabasePath, userDataDir } from '../services/userDataDir';
import { PROJECT_HELP } from './usage';

type Out = { log: (line: string) => void; error: (line: string) => void };

export async function runProjectCommand(argv: string[], out: Out): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { db: { type: 'string' }, json: { type: 'boolean', default: false } },
    });
  } catch (error) {
    out.error(`framewise project: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [action, file] = positionals;
  if (!(action === 'list' || (action === 'import' && file !== undefined))) {
    out.error(`framewise project: say "import <file>" or "list".\n\n${PROJECT_HELP}`);
    return 2;
  }
  const services = createServices({
    databasePath: resolve(values.db ?? defaultDatabasePath(userDataDir())),
  });
  try {
    if (action === 'import' && file !== undefined) {
      const { project, created } = await importProjectFile(
        services.store,
        resolve(file),
        services.actor,
      );
      if (values.json) out.log(JSON.stringify({ id: project.id, name: project.name, created }));
      else {
        out.log(
          created
            ? `Imported project "${project.name}" as ${project.id}; new clips are labeled with it.`
            : `Project "${project.name}" (${project.id}) was already imported.`,
        );
      }
      return 0;
    }
    const active = activeProjectId(services.store);
    const projects = services.store.labels.listProjects().map((p) => ({
      id: p.id,
      name: p.name,
      templates: p.schema.templates.map((t) => t.id),
      verbs: p.schema.taxonomy.verbs.length,
      nouns: p.schema.taxonomy.nouns.length,
      objectClasses: p.schema.objectClasses.length,
      active: p.id === active,
    }));
    if (values.json) out.log(JSON.stringify(projects, null, 2));
    else {
      for (const p of projects) {
        out.log(
          `${p.active ? '*' : ' '} ${p.id}  "${p.name}": ${p.verbs} verbs, ${p.nouns} nouns, ` +
            `${p.objectClasses} object classes${p.templates.length > 0 ? `, templates ${p.templates.join(', ')}` : ''}`,
        );
      }
    }
    return 0;
  } catch (error) {
    const body = isApiError(error)
      ? { code: error.code, message: error.message }
      : { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) };
    if (values.json) out.log(JSON.stringify({ error: body }));
    out.error(`framewise project: ${body.code}: ${body.message}`);
    return 1;
  } finally {
    services.close();
  }
}
