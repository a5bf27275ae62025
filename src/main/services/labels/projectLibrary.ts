import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { ProjectInfo } from '../../../shared/api/schemas';
import { parseProjectSchema, type ProjectSchema } from '../../../shared/domain/labels';
import { ApiError } from '../../../shared/api/apiError';
import type { Store } from '../store/Store';
import { DEFAULT_PROJECT_ID } from './defaultProject';

/**
 * Project files a lead edits (templates, taxonomy, object classes) and imports. A project is
 * stored once under an id made from its name and content, so an edited file is a new project:
 * sets already opened keep the schema they were labeled with, and new sets get the newest.
 */
export function projectIdFor(schema: ProjectSchema): string {
  const slug =
    schema.name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40) || 'project';
  const digest = createHash('sha256').update(JSON.stringify(schema)).digest('hex').slice(0, 10);
  return `${slug}-${digest}`;
}

/** The project new annotation sets are opened with: the newest imported, else the sample. */
export function activeProjectId(store: Store): string {
  return store.labels.listProjects().at(-1)?.id ?? DEFAULT_PROJECT_ID;
}

export type ProjectImport = { project: ProjectInfo; created: boolean };

export async function importProjectFile(
  store: Store,
  path: string,
  actor: string,
): Promise<ProjectImport> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ApiError('FILE_UNREADABLE', `Cannot read the project file ${path}: ${reason}`);
  }
  const parsed = parseProjectSchema(text);
  if (!parsed.ok) throw new ApiError('PROJECT_INVALID', parsed.message);
  const id = projectIdFor(parsed.project);
  const existed = store.labels.getProject(id) !== undefined;
  const project = store.labels.ensureProject({ id, schema: parsed.project }, actor);
  return { project, created: !existed };
}
