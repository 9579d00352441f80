import { createRequire } from 'node:module'
import type * as CloudWatch from '@aws-sdk/client-cloudwatch'
import type * as EventBridge from '@aws-sdk/client-eventbridge'
import type * as S3 from '@aws-sdk/client-s3'
import type * as SESv2 from '@aws-sdk/client-sesv2'
import type * as SQS from '@aws-sdk/client-sqs'
import type * as STS from '@aws-sdk/client-sts'
import type * as HttpHandler from '@smithy/node-http-handler'

// The SDK's CommonJS build, one file a package, costs about 10 MB less than its ES build's hundreds of modules; and
// one build for the clients and the handler, so @smithy/* is never loaded twice.
const load = createRequire(import.meta.url)

// Each loads its package on a configured check's first run, never before.
export const awsSdk = {
  cloudWatch: () => load('@aws-sdk/client-cloudwatch') as typeof CloudWatch,
  eventBridge: () => load('@aws-sdk/client-eventbridge') as typeof EventBridge,
  s3: () => load('@aws-sdk/client-s3') as typeof S3,
  sesv2: () => load('@aws-sdk/client-sesv2') as typeof SESv2,
  sqs: () => load('@aws-sdk/client-sqs') as typeof SQS,
  sts: () => load('@aws-sdk/client-sts') as typeof STS,
  httpHandler: () => load('@smithy/node-http-handler') as typeof HttpHandler,
}
