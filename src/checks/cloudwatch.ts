import { Reason } from '../reasons.js'
import { awsCall } from './lib/aws-errors.js'
import { cloudWatchClient } from './lib/aws-setup.js'
import { AnswerShape } from './lib/aws-shape.js'
import { Verdict } from './lib/verdict.js'
import { defineCheck } from './types.js'

const pageSize = 100
// 500 alarms firing at once is an outage of its own; the count says "at least" past it
const maxPages = 5
const namesShown = 10

export default defineCheck({
  name: 'cloudwatch',
  tier: 'optional',
  componentType: 'system',
  live: true,
  scope: 'global',
  cache: 'infrastructure',
  description: 'The CloudWatch API answers; alarms in ALARM state are reported',
  alsoReads: ['AWS_REGION', 'AWS_ENDPOINT_URL'],
  configuredBy: ['AWS_REGION'],
  async start(ctx) {
    const { setup, sdk, client } = await cloudWatchClient(ctx, 'cloudwatch')
    const { DescribeAlarmsCommand } = sdk
    const call = {
      operation: 'DescribeAlarms',
      permission: 'cloudwatch:DescribeAlarms',
      resource: `arn:${setup.partition}:cloudwatch:${setup.region}:<account>:alarm:*`,
    }
    return {
      async run(signal) {
        const names: string[] = []
        let token: string | undefined
        let pages = 0
        do {
          // without AlarmTypes, DescribeAlarms leaves composite alarms out
          const command = new DescribeAlarmsCommand({
            StateValue: 'ALARM',
            AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
            MaxRecords: pageSize,
            NextToken: token,
          })
          const out = await awsCall(setup, call, () => client.send(command, { abortSignal: signal }))
          const shape = new AnswerShape(setup, 'DescribeAlarms')
          const metric = shape.array('MetricAlarms', out.MetricAlarms)
          // an emulator that predates composite alarms sends MetricAlarms alone
          const composite = shape.optionalArray('CompositeAlarms', out.CompositeAlarms)
          const page = [...metric, ...composite].map((a, i) => shape.string(`AlarmName of alarm ${i + 1}`, a.AlarmName))
          shape.verify()
          names.push(...page)
          token = out.NextToken
          pages++
        } while (token && pages < maxPages)
        const truncated = Boolean(token)
        const count = names.length
        const countText = `${truncated ? 'at least ' : ''}${count}`
        const verdict = new Verdict()
        if (count > 0) {
          const shown = names.slice(0, namesShown).join(', ')
          const more = count > namesShown ? ` and ${count - namesShown}${truncated ? '+' : ''} more` : ''
          verdict.add(
            'warn',
            Reason.DEGRADED,
            `${countText} alarm${count === 1 ? '' : 's'} firing in ${setup.region}: ${shown}${more}`,
          )
        } else {
          verdict.add('pass', undefined, `no alarm firing in ${setup.region}`)
        }
        return verdict.observation({ region: setup.region, alarmsFiring: count, truncated }, [
          {
            measurement: 'alarms',
            observedValue: count,
            observedUnit: 'alarms',
            status: count > 0 ? 'warn' : 'pass',
            output: names.length > 0 ? names.slice(0, namesShown).join(', ') : 'none',
          },
        ])
      },
      close: async () => client.destroy(),
    }
  },
})
