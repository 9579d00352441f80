import { awsCall } from './lib/aws-errors.js'
import { awsSdk } from './lib/aws-sdk.js'
import { awsSetup } from './lib/aws-setup.js'
import { AnswerShape } from './lib/aws-shape.js'
import { defineCheck } from './types.js'

export default defineCheck({
  name: 'eventbridge',
  tier: 'important',
  componentType: 'system',
  live: true,
  scope: 'global',
  cache: 'infrastructure',
  description: 'The event bus exists (DescribeEventBus)',
  alsoReads: ['AWS_REGION', 'AWS_ENDPOINT_URL'],
  async start(ctx) {
    const setup = await awsSetup(ctx, 'EVENTBRIDGE', 'eventbridge')
    const { EventBridgeClient, DescribeEventBusCommand } = awsSdk.eventBridge()
    const client = new EventBridgeClient(setup.options)
    const bus = ctx.config.settings.AWS_EVENTBRIDGE_BUS
    const call = {
      operation: 'DescribeEventBus',
      permission: 'events:DescribeEventBus',
      resource: bus.startsWith('arn:')
        ? bus
        : `arn:${setup.partition}:events:${setup.region}:<account>:event-bus/${bus}`,
      notFound: `event bus ${bus} does not exist in ${setup.region} (AWS_EVENTBRIDGE_BUS): create it or correct the name`,
    }
    return {
      async run(signal) {
        const out = await awsCall(setup, call, () =>
          client.send(new DescribeEventBusCommand({ Name: bus }), { abortSignal: signal }),
        )
        const shape = new AnswerShape(setup, 'DescribeEventBus')
        const name = shape.string('Name', out.Name)
        const arn = shape.string('Arn', out.Arn)
        shape.verify()
        return {
          output: `event bus ${name} exists`,
          details: { bus: name, arn, region: setup.region },
        }
      },
      close: async () => client.destroy(),
    }
  },
})
