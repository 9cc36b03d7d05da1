import { databaseAnswers, type Db } from '../store/db.ts'

/** GET /health: the API serves nothing useful while its database does not answer. */
export async function health(db: Db): Promise<{ ok: boolean; database: Db['kind'] }> {
  return { ok: await databaseAnswers(db), database: db.kind }
}
