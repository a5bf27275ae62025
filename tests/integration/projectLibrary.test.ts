import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { framewise } from './runFramewise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices } from '../../src/main/services/createServices';
import { LATEST_SCHEMA_VERSION } from '../../src/main/services/db/migrations';
import sampleProject from '../../resources/project.sample.json';
import { tempDir } from './fixturePaths';
import { databaseAt } from './db/migrationHarness';
import { seedV3 } from './store/labelsSeed';

let dir: { path: string; remove: () => void };

beforeAll(() => {
  dir = tempDir('projects');
});
afterAll(() => dir.remove());

/** A lead's own project: the sample's taxonomy plus a 3-point "tool" template and a new verb. */
function writeProject(name: string, extraVerb: string): string {
  const file = join(dir.path, `${name}-${extraVerb}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      ...sampleProject,
      name,
      templates: [
        {
          id: 'knife-3',
          name: 'Knife',
          kind: 'other',
          keypoints: ['tip', 'heel', 'handle_end'],
          skeleton: [
            [1, 2],
            [2, 3],
          ],
        },
      ],
      taxonomy: {
        ...sampleProject.taxonomy,
        verbs: [...sampleProject.taxonomy.verbs, { id: 99, key: extraVerb }],
      },
    }),
  );
  return file;
}

describe('project files', () => {
  it('imports an edited project as a new one that new clips are labeled with', async () => {
    const fixture = databaseAt(LATEST_SCHEMA_VERSION, seedV3());
    fixture.close();
    const db = fixture.file;

    const first = await framewise([
      'project',
      'import',
      writeProject('Kitchen', 'grate'),
      '--db',
      db,
      '--json',
    ]);
    expect(first.code).toBe(0);
    const imported = JSON.parse(first.stdout) as { id: string; created: boolean };
    expect(imported).toMatchObject({ created: true });
    expect(imported.id).toMatch(/^kitchen-[0-9a-f]{10}$/);
    // The same file again changes nothing.
    const again = await framewise([
      'project',
      'import',
      writeProject('Kitchen', 'grate'),
      '--db',
      db,
      '--json',
    ]);
    expect(JSON.parse(again.stdout)).toEqual({ ...imported, created: false });

    const services = createServices({ databasePath: db, actor: 'annotator-2' });
    try {
      const set = await services.handlers.openAnnotationSet({ clipId: 'c1' });
      expect(set.projectId).toBe(imported.id);
      const project = await services.handlers.getProject({});
      expect(project.schema.templates.map((t) => t.id)).toEqual(['knife-3']);
      // The set opened before the import keeps the project it was labeled with.
      expect(services.store.labels.getAnnotationSet('s1')?.projectId).toBe('default');
    } finally {
      services.close();
    }

    const list = await framewise(['project', 'list', '--db', db]);
    expect(list.stdout).toMatch(/\* kitchen-[0-9a-f]{10} {2}"Kitchen": 17 verbs/);
  });

  it('names the field that is wrong in an invalid project file, and imports nothing', async () => {
    const fixture = databaseAt(LATEST_SCHEMA_VERSION, seedV3());
    fixture.close();
    const bad = join(dir.path, 'bad.json');
    writeFileSync(
      bad,
      JSON.stringify({
        ...sampleProject,
        templates: [{ id: 'x', name: 'X', kind: 'other', keypoints: ['a', 'a'], skeleton: [] }],
      }),
    );
    const out = await framewise(['project', 'import', bad, '--db', fixture.file, '--json']);
    expect(out.code).toBe(1);
    expect(JSON.parse(out.stdout)).toMatchObject({ error: { code: 'PROJECT_INVALID' } });
    expect(out.stderr).toMatch(/templates/);
    expect(out.stderr).toMatch(/listed twice/);
    const list = await framewise(['project', 'list', '--db', fixture.file, '--json']);
    expect((JSON.parse(list.stdout) as { id: string }[]).map((p) => p.id)).toEqual(['default']);
  });
});
