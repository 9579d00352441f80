import { awsCall } from './lib/aws-errors.js'
import { awsSdk } from './lib/aws-sdk.js'
import { awsSetup } from './lib/aws-setup.js'
import { AnswerShape, responseHeaders } from './lib/aws-shape.js'
import { defineCheck } from './types.js'

export default defineCheck({
  name: 's3',
  tier: 'critical',
  componentType: 'system',
  live: true,
  scope: 'global',
  cache: 'infrastructure',
  description: 'The media bucket exists and is reachable with these credentials (HeadBucket)',
  alsoReads: ['AWS_REGION', 'AWS_ENDPOINT_URL'],
  async start(ctx) {
    const setup = await awsSetup(ctx, 'S3', 's3')
    const { S3Client, HeadBucketCommand } = awsSdk.s3()
    // a bucket in another region is a finding to report, not a redirect to follow
    const client = new S3Client({ ...setup.options, followRegionRedirects: false })
    const bucket = ctx.config.settings.AWS_S3_BUCKET
    const call = {
      operation: 'HeadBucket',
      permission: 's3:ListBucket',
      resource: `arn:${setup.partition}:s3:::${bucket}`,
      notFound: `bucket ${bucket} does not exist (AWS_S3_BUCKET): create it or correct the name`,
      wrongRegion: {
        subject: `bucket ${bucket} (AWS_S3_BUCKET)`,
        alternative: `point AWS_S3_BUCKET at a bucket in ${setup.region}`,
      },
      headRequest: true,
    }
    return {
      async run(signal) {
        const command = new HeadBucketCommand({ Bucket: bucket })
        const headers = responseHeaders(command)
        const out = await awsCall(setup, call, () => client.send(command, { abortSignal: signal }))
        // a HEAD answer has no body: S3 (and MinIO, LocalStack) tag every answer with its request id, any web server does not
        const shape = new AnswerShape(setup, 'HeadBucket')
        shape.header('x-amz-request-id', headers())
        shape.verify()
        const region = out.BucketRegion ?? null
        return {
          output: `bucket ${bucket} is reachable${region ? ` in ${region}` : ''}`,
          details: { bucket, region: setup.region, bucketRegion: region },
        }
      },
      close: async () => client.destroy(),
    }
  },
})
