import { describe, expect, it } from 'vitest';
import { addUser } from '../../../../src/server/team';
import { backends } from '../serverHarness';
import { databaseAt, seedV1 } from './migrationHarness';

describe.each(backends)('server migration 007 (admin role) on %s', (backend) => {
  it('keeps the users of a populated version 6 database and admits admins, nothing else', async () => {
    const fixture = await databaseAt(backend, 6);
    await seedV1(fixture.db);
    const before = await fixture.db.query('SELECT id, name, role FROM users ORDER BY id');
    expect(await fixture.migrateTo(7)).toEqual([7]);
    expect(await fixture.db.query('SELECT id, name, role FROM users ORDER BY id')).toEqual(before);
    expect(await addUser(fixture.db, 'root', 'admin')).toMatchObject({ role: 'admin' });
    await expect(
      fixture.db.query(`INSERT INTO users (id, name, role) VALUES ('x', 'x', 'boss')`),
    ).rejects.toThrow(/users_role_check/);
  });
});
