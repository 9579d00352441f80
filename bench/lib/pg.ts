import pg from 'pg'

export const BENCH_DB = 'huntaze_bench'

// An admin connection to the maintenance database; the bench's own queries never touch BENCH_DB.
export async function adminClient(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, application_name: 'huntaze-bench-admin' })
  await client.connect()
  return client
}

export async function ensureBenchDb(admin: pg.Client): Promise<void> {
  const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [BENCH_DB])
  if (rowCount) return
  try {
    await admin.query(`CREATE DATABASE ${BENCH_DB}`)
  } catch (err) {
    // another run created it first
    if ((err as { code?: string }).code !== '42P04') throw err
  }
}

// Statements PostgreSQL ran in BENCH_DB: each session's start-up is one transaction, each probe query one more.
export async function statements(
  admin: pg.Client,
): Promise<{ transactions: number; sessions: number; statements: number }> {
  await admin.query('SELECT pg_stat_clear_snapshot()')
  const { rows } = await admin.query<{ x: string; s: string }>(
    'SELECT xact_commit + xact_rollback AS x, sessions AS s FROM pg_stat_database WHERE datname = $1',
    [BENCH_DB],
  )
  const transactions = Number(rows[0]?.x ?? 0)
  const sessions = Number(rows[0]?.s ?? 0)
  return { transactions, sessions, statements: transactions - sessions }
}

// A backend flushes its statistics before it leaves pg_stat_activity: once none is left, the counts are final.
export async function backendsGone(admin: pg.Client, withinMs = 5000): Promise<boolean> {
  const deadline = performance.now() + withinMs
  while (performance.now() < deadline) {
    const { rows } = await admin.query<{ n: string }>('SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1', [
      BENCH_DB,
    ])
    if (Number(rows[0].n) === 0) return true
  }
  return false
}
