import postgres from './postgres.js'
import redis from './redis.js'
import upstash from './upstash.js'
import aws from './aws.js'
import ses from './ses.js'
import s3 from './s3.js'
import eventbridge from './eventbridge.js'
import sqs from './sqs.js'
import cloudwatch from './cloudwatch.js'
import azureOpenai from './azure-openai.js'
import openai from './openai.js'
import auth from './auth.js'
import instagram from './instagram.js'
import tiktok from './tiktok.js'
import reddit from './reddit.js'
import onlyfans from './onlyfans.js'
import google from './google.js'
import github from './github.js'
import stripe from './stripe.js'
import smtp from './smtp.js'
import resend from './resend.js'
import app from './app.js'
import rateLimit from './rate-limit.js'
import sentry from './sentry.js'
import logrocket from './logrocket.js'
import datadog from './datadog.js'
import type { CheckDefinition } from './types.js'

// Every check, in the order of SERVICES.md. Adding a service is one new file and one line here.
export const checks: readonly CheckDefinition[] = [
  postgres,
  redis,
  upstash,
  aws,
  ses,
  s3,
  eventbridge,
  sqs,
  cloudwatch,
  azureOpenai,
  openai,
  auth,
  instagram,
  tiktok,
  reddit,
  onlyfans,
  google,
  github,
  stripe,
  smtp,
  resend,
  app,
  rateLimit,
  sentry,
  logrocket,
  datadog,
]

const catalogue = new Set(checks)

// A definition from the catalogue itself, not one made by a test or the bench: a worker thread can find it by name.
export function isCatalogueCheck(def: CheckDefinition): boolean {
  return catalogue.has(def)
}
