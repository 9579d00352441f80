import { classifyError } from '../engine/classify.js'
import { systemClock } from '../engine/clock.js'
import { Reason } from '../reasons.js'
import { awsCall } from './lib/aws-errors.js'
import { awsSdk } from './lib/aws-sdk.js'
import { awsSetup, cloudWatchClient } from './lib/aws-setup.js'
import { AnswerShape } from './lib/aws-shape.js'
import { Verdict } from './lib/verdict.js'
import { CheckError, defineCheck, type Measurement, type Scalar } from './types.js'

interface Queue {
  url: string
  name: string
  account: string
  // the region in an amazonaws.com queue URL; undefined for emulators
  region?: string
}

export function parseQueueUrls(value: string): Queue[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((url) => {
      let path: string[] = []
      let host = ''
      try {
        const u = new URL(url)
        path = u.pathname.split('/').filter(Boolean)
        host = u.hostname
      } catch {
        // the format finding already reports it; SQS will answer for the rest
      }
      const region =
        /^sqs\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/.exec(host)?.[1] ??
        /^([a-z0-9-]+)\.queue\.amazonaws\.com(?:\.cn)?$/.exec(host)?.[1]
      return { url, name: path[1] ?? url, account: path[0] ?? '<account>', ...(region ? { region } : {}) }
    })
}

const attributeNames = [
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
] as const

// SQS metrics reach CloudWatch a few minutes late: the newest datapoint of this window is the current age
const ageWindowS = 600
// the age is extra information: it gives up early enough for the backlog to be answered within the timeout
const ageShareOfTimeout = 0.75
const ageMetric = 'ApproximateAgeOfOldestMessage'

type QueueAge = { ageS: number; at: Date } | { missing: string }
// per queue name, or why the metric could not be read at all
type Ages = { byQueue: Map<string, QueueAge> } | { unavailable: string }
// what CloudWatch answered, and when it was asked (on the engine's clock)
interface AgesRead {
  ages: Ages
  askedAt: number
}

export default defineCheck({
  name: 'sqs',
  tier: 'important',
  componentType: 'system',
  live: true,
  scope: 'global',
  cache: 'infrastructure',
  description: 'Each queue answers its attributes; backlog and age of the oldest message are reported',
  alsoReads: ['AWS_REGION', 'AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_CLOUDWATCH'],
  async start(ctx) {
    // the first probe's timeout runs from here: start-up eats into the age's share of it
    let firstProbeBegan: number | undefined = performance.now()
    const [setup, { SQSClient, GetQueueAttributesCommand }, cw] = await Promise.all([
      awsSetup(ctx, 'SQS', 'sqs'),
      awsSdk.sqs(),
      // a CloudWatch setup problem (a malformed AWS_ENDPOINT_URL_CLOUDWATCH) only costs the age, never the backlog
      cloudWatchClient(ctx, 'sqs').catch((err: unknown) => ({
        failed: err instanceof Error ? err.message : String(err),
      })),
    ])
    // requests go to the regional (or overridden) endpoint that the credentials are scoped to, never to a host taken from a URL
    const client = new SQSClient({ ...setup.options, useQueueUrlAsEndpoint: false })
    const queues = parseQueueUrls(ctx.config.settings.AWS_SQS_QUEUE_URLS)
    const backlogWarn = ctx.config.health.HEALTH_SQS_BACKLOG_WARN
    const ageWarnS = ctx.config.health.HEALTH_SQS_AGE_WARN_S
    const inRegion = (q: Queue) => !q.region || q.region === setup.region
    const clock = ctx.clock ?? systemClock
    // GetMetricData is billed per metric and SQS publishes the age once a minute: it is asked on the long lifetime
    const ageLifetimeMs = ctx.config.health.HEALTH_THIRD_PARTY_CACHE_TTL_MS
    let lastAges: AgesRead | undefined

    // One GetMetricData call for every queue; it never throws, since the backlog stands without it.
    async function oldestAges(signal: AbortSignal, own: AbortController, budgetMs: number): Promise<Ages> {
      if ('failed' in cw) return { unavailable: `the CloudWatch client could not be set up: ${cw.failed}` }
      if (budgetMs <= 0)
        return { unavailable: `no time left for CloudWatch GetMetricData within the ${ctx.timeoutMs}ms timeout` }
      const { setup: cwSetup, sdk, client: cwClient } = cw
      const call = {
        operation: 'GetMetricData',
        permission: 'cloudwatch:GetMetricData',
        // GetMetricData has no resource-level permissions
        resource: '*',
      }
      const onAbort = () => own.abort(signal.reason)
      if (signal.aborted) onAbort()
      signal.addEventListener('abort', onAbort, { once: true })
      let timedOut = false
      const timer = setTimeout(() => {
        timedOut = true
        own.abort()
      }, budgetMs)
      try {
        const end = new Date(clock.now())
        const command = new sdk.GetMetricDataCommand({
          StartTime: new Date(end.getTime() - ageWindowS * 1000),
          EndTime: end,
          ScanBy: 'TimestampDescending',
          MetricDataQueries: queues.map((q, i) => ({
            // ids must start with a lower-case letter; queue names may not
            Id: `q${i}`,
            MetricStat: {
              Metric: {
                Namespace: 'AWS/SQS',
                MetricName: ageMetric,
                Dimensions: [{ Name: 'QueueName', Value: q.name }],
              },
              Period: 60,
              Stat: 'Maximum',
            },
            ReturnData: true,
          })),
        })
        const out = await awsCall(cwSetup, call, () => cwClient.send(command, { abortSignal: own.signal }))
        const shape = new AnswerShape(cwSetup, 'GetMetricData')
        const results = shape.array('MetricDataResults', out.MetricDataResults)
        const series = queues.map((_, i) => {
          const r = results.find((x) => x.Id === `q${i}`)
          const values = shape.array(`the Values of result q${i}`, r?.Values)
          const stamps = shape.array(`the Timestamps of result q${i}`, r?.Timestamps)
          return { status: r?.StatusCode, values, stamps }
        })
        shape.verify()
        const byQueue = new Map<string, QueueAge>()
        queues.forEach((q, i) => {
          const r = series[i]
          const points = r.values
            .map((v, j) => ({ v, at: r.stamps[j] }))
            .filter((p): p is { v: number; at: Date } => Number.isFinite(p.v) && p.at instanceof Date)
          if (points.length === 0) {
            const status = r.status && r.status !== 'Complete' ? ` (CloudWatch status ${r.status})` : ''
            byQueue.set(q.name, {
              missing: `no ${ageMetric} datapoint in the last ${ageWindowS / 60} minutes${status}: SQS publishes it a few minutes late, and not for a new queue or one idle for six hours`,
            })
            return
          }
          const newest = points.reduce((a, b) => (b.at > a.at ? b : a))
          byQueue.set(q.name, { ageS: Math.round(newest.v), at: newest.at })
        })
        return { byQueue }
      } catch (err) {
        if (timedOut)
          return {
            unavailable: `CloudWatch GetMetricData gave no answer within ${budgetMs}ms, the share of the timeout it may use`,
          }
        return {
          unavailable:
            err instanceof CheckError ? err.message : `CloudWatch GetMetricData: ${classifyError(err).message}`,
        }
      } finally {
        clearTimeout(timer)
        signal.removeEventListener('abort', onAbort)
      }
    }

    async function inspect(q: Queue, signal: AbortSignal) {
      if (q.region && q.region !== setup.region) {
        throw new CheckError(
          Reason.WRONG_REGION,
          `queue ${q.name} is in ${q.region}, not in AWS_REGION ${setup.region}: set AWS_REGION=${q.region} or list a queue of ${setup.region} in AWS_SQS_QUEUE_URLS`,
        )
      }
      const call = {
        operation: 'GetQueueAttributes',
        permission: 'sqs:GetQueueAttributes',
        resource: `arn:${setup.partition}:sqs:${q.region ?? setup.region}:${q.account}:${q.name}`,
        notFound: `queue ${q.name} does not exist in ${setup.region} (listed in AWS_SQS_QUEUE_URLS): create it or remove it from the list`,
      }
      const command = new GetQueueAttributesCommand({ QueueUrl: q.url, AttributeNames: [...attributeNames] })
      const out = await awsCall(setup, call, () => client.send(command, { abortSignal: signal }))
      // every attribute asked for is in a real answer, zero included
      const shape = new AnswerShape(setup, `GetQueueAttributes of queue ${q.name}`)
      const [visible, inFlight, delayed] = attributeNames.map((n) =>
        shape.count(`Attributes.${n}`, out.Attributes?.[n]),
      )
      shape.verify()
      return { visible, inFlight, delayed }
    }

    return {
      async run(signal) {
        const began = firstProbeBegan ?? performance.now()
        firstProbeBegan = undefined
        const ageController = new AbortController()
        const now = clock.now()
        const kept = lastAges && now - lastAges.askedAt < ageLifetimeMs ? lastAges : undefined
        // a queue of another region fails the check before any call: its age would be asked of the wrong region
        const agesAsked: Promise<AgesRead> | undefined = !queues.every(inRegion)
          ? undefined
          : kept
            ? Promise.resolve(kept)
            : oldestAges(
                signal,
                ageController,
                Math.floor(began + ctx.timeoutMs * ageShareOfTimeout - performance.now()),
              ).then((ages) => ({ ages, askedAt: now }))
        const settled = await Promise.allSettled(queues.map((q) => inspect(q, signal)))
        const failures = settled.flatMap((r, i) =>
          r.status === 'rejected' ? [{ queue: queues[i], err: r.reason as unknown }] : [],
        )
        if (failures.length > 0) {
          // the verdict is known: the age cannot change it
          ageController.abort()
          const first = failures[0].err
          if (signal.aborted || !(first instanceof CheckError)) throw first
          // one broken queue fails the check; every broken queue is named
          const messages = failures.map((f) =>
            f.err instanceof CheckError
              ? f.err.message
              : `queue ${f.queue.name}: ${String((f.err as Error)?.message ?? f.err)}`,
          )
          throw new CheckError(first.reason, messages.join('; '), first.extra)
        }
        const verdict = new Verdict()
        const measurements: Measurement[] = []
        let total = 0
        settled.forEach((r, i) => {
          if (r.status !== 'fulfilled') return
          const q = queues[i]
          const { visible, inFlight, delayed } = r.value
          total += visible
          const over = visible > backlogWarn
          const output = `${visible} waiting, ${inFlight} in flight, ${delayed} delayed`
          measurements.push({
            measurement: 'backlog',
            componentId: q.name,
            observedValue: visible,
            observedUnit: 'messages',
            status: over ? 'warn' : 'pass',
            output,
          })
          if (over)
            verdict.add(
              'warn',
              Reason.DEGRADED,
              `queue ${q.name} holds ${visible} messages, over ${backlogWarn} (HEALTH_SQS_BACKLOG_WARN): its consumers are behind`,
            )
        })
        verdict.add(
          'pass',
          undefined,
          `${queues.length} queue${queues.length === 1 ? '' : 's'} answered, ${total} message${total === 1 ? '' : 's'} waiting`,
        )

        const read = await agesAsked
        // only an answer waited for is kept: one cancelled because a queue failed taught nothing
        if (read) lastAges = read
        const ages = read?.ages ?? { unavailable: 'not asked' }
        let oldest: { name: string; ageS: number } | undefined
        const missing: string[] = []
        if ('unavailable' in ages) {
          missing.push(`age of the oldest message unavailable: ${ages.unavailable}`)
        } else {
          for (const q of queues) {
            const a = ages.byQueue.get(q.name)
            if (!a || 'missing' in a) {
              const why = a?.missing ?? 'no result'
              measurements.push({
                measurement: 'oldestMessageAge',
                componentId: q.name,
                observedValue: null,
                observedUnit: 's',
                status: 'pass',
                output: why,
              })
              missing.push(`age of the oldest message of queue ${q.name} unavailable: ${why}`)
              continue
            }
            const over = a.ageS > ageWarnS
            if (!oldest || a.ageS > oldest.ageS) oldest = { name: q.name, ageS: a.ageS }
            measurements.push({
              measurement: 'oldestMessageAge',
              componentId: q.name,
              observedValue: a.ageS,
              observedUnit: 's',
              status: over ? 'warn' : 'pass',
              output: `oldest message ${a.ageS}s old at ${a.at.toISOString()}`,
            })
            if (over)
              verdict.add(
                'warn',
                Reason.DEGRADED,
                `the oldest message of queue ${q.name} is ${a.ageS}s old, over ${ageWarnS}s (HEALTH_SQS_AGE_WARN_S): its consumers are stuck or too slow`,
              )
          }
          if (oldest) verdict.add('pass', undefined, `oldest message ${oldest.ageS}s old (queue ${oldest.name})`)
        }
        for (const m of missing) verdict.add('pass', undefined, m)
        const readS = read ? Math.max(0, Math.round((now - read.askedAt) / 1000)) : null
        if (kept)
          verdict.add(
            'pass',
            undefined,
            `the age is CloudWatch's figure from ${readS}s ago: GetMetricData is asked at most once per ${Math.round(ageLifetimeMs / 1000)}s (HEALTH_THIRD_PARTY_CACHE_TTL_MS)`,
          )
        const details: Record<string, Scalar> = {
          region: setup.region,
          queues: queues.length,
          backlog: total,
          // the largest age over the queues, from the CloudWatch metric AWS/SQS ApproximateAgeOfOldestMessage
          oldestMessageAge: oldest?.ageS ?? null,
          // how long ago CloudWatch was asked for the age reported (0 when this probe asked)
          oldestMessageAgeReadS: readS,
        }
        if (missing.length > 0) details.oldestMessageAgeUnavailable = missing.join('; ')
        return verdict.observation(details, measurements)
      },
      close: async () => {
        client.destroy()
        if (!('failed' in cw)) cw.client.destroy()
      },
    }
  },
})
