import { Reason } from '../reasons.js'
import { awsFailure, awsSetup, Verdict } from './aws-client.js'
import { CheckError, defineCheck, type Measurement } from './types.js'

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
      const region = /^sqs\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/.exec(host)?.[1] ?? /^([a-z0-9-]+)\.queue\.amazonaws\.com(?:\.cn)?$/.exec(host)?.[1]
      return { url, name: path[1] ?? url, account: path[0] ?? '<account>', ...(region ? { region } : {}) }
    })
}

const attributeNames = ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'] as const

export default defineCheck({
  name: 'sqs',
  tier: 'important',
  componentType: 'system',
  kind: 'live',
  description: 'Each queue answers its attributes; its backlog is reported',
  settings: ['AWS_REGION', 'AWS_SQS_QUEUE_URLS', 'AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_SQS'],
  async start(ctx) {
    const setup = await awsSetup(ctx, 'SQS', 'sqs')
    const { SQSClient, GetQueueAttributesCommand } = await import('@aws-sdk/client-sqs')
    // requests go to the regional (or overridden) endpoint that the credentials are scoped to, never to a host taken from a URL
    const client = new SQSClient({ ...setup.options, useQueueUrlAsEndpoint: false })
    const queues = parseQueueUrls(ctx.config.settings.AWS_SQS_QUEUE_URLS ?? '')
    const backlogWarn = ctx.config.health.HEALTH_SQS_BACKLOG_WARN

    async function inspect(q: Queue, signal: AbortSignal) {
      if (q.region && q.region !== setup.region) {
        throw new CheckError(Reason.WRONG_REGION, `queue ${q.name} is in ${q.region}, not in AWS_REGION ${setup.region}: set AWS_REGION=${q.region} or list a queue of ${setup.region} in AWS_SQS_QUEUE_URLS`)
      }
      try {
        const out = await client.send(new GetQueueAttributesCommand({ QueueUrl: q.url, AttributeNames: [...attributeNames] }), { abortSignal: signal })
        const a = out.Attributes ?? {}
        return {
          visible: Number(a.ApproximateNumberOfMessages ?? 0),
          inFlight: Number(a.ApproximateNumberOfMessagesNotVisible ?? 0),
          delayed: Number(a.ApproximateNumberOfMessagesDelayed ?? 0),
        }
      } catch (err) {
        throw awsFailure(err, setup, {
          operation: 'GetQueueAttributes',
          permission: 'sqs:GetQueueAttributes',
          resource: `arn:${setup.partition}:sqs:${q.region ?? setup.region}:${q.account}:${q.name}`,
          notFound: `queue ${q.name} does not exist in ${setup.region} (listed in AWS_SQS_QUEUE_URLS): create it or remove it from the list`,
        })
      }
    }

    return {
      async run(signal) {
        const settled = await Promise.allSettled(queues.map((q) => inspect(q, signal)))
        const failures = settled.flatMap((r, i) => (r.status === 'rejected' ? [{ queue: queues[i], err: r.reason as unknown }] : []))
        if (failures.length > 0) {
          const first = failures[0].err
          if (signal.aborted || !(first instanceof CheckError)) throw first
          // one broken queue fails the check; every broken queue is named
          const messages = failures.map((f) => (f.err instanceof CheckError ? f.err.message : `queue ${f.queue.name}: ${String((f.err as Error)?.message ?? f.err)}`))
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
          measurements.push({ measurement: 'backlog', componentId: q.name, observedValue: visible, observedUnit: 'messages', status: over ? 'warn' : 'pass', output })
          if (over) verdict.add('warn', Reason.DEGRADED, `queue ${q.name} holds ${visible} messages, over ${backlogWarn} (HEALTH_SQS_BACKLOG_WARN): its consumers are behind`)
        })
        verdict.add('pass', undefined, `${queues.length} queue${queues.length === 1 ? '' : 's'} answered, ${total} message${total === 1 ? '' : 's'} waiting`)
        return verdict.observation(
          {
            region: setup.region,
            queues: queues.length,
            backlog: total,
            // GetQueueAttributes has no such attribute: the age is the CloudWatch metric AWS/SQS ApproximateAgeOfOldestMessage
            oldestMessageAge: 'not an SQS attribute (CloudWatch metric ApproximateAgeOfOldestMessage)',
          },
          measurements,
        )
      },
      close: async () => client.destroy(),
    }
  },
})
