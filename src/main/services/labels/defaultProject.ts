import sampleProject from '../../../../resources/project.sample.json';
import { parseProjectSchema, type ProjectSchema } from '../../../shared/domain/labels';

/** The project a fresh workstation labels with until another is imported. */
export const DEFAULT_PROJECT_ID = 'default';

/** The sample project shipped in `resources/`, parsed (and checked) like any project file. */
export function defaultProjectSchema(): ProjectSchema {
  const parsed = parseProjectSchema(JSON.stringify(sampleProject));
  if (!parsed.ok) throw new Error(`resources/project.sample.json is invalid: ${parsed.message}`);
  return parsed.project;
}
