import type { FormatName } from './formats.js'

// The platform's settings as plain data: what the checks and the probe thread read, with no schema library behind it.

export type Tier = 'critical' | 'important' | 'optional'

export interface SettingMeta {
  service: string
  description: string
  format?: FormatName
  default?: string
  // missing means the check cannot run (or, for format-only checks, cannot pass)
  required?: boolean
  // defaults to the owning service's tier
  tier?: Tier
  secret?: boolean
}

// The meta as written, so each setting's type keeps its own keys (a default, required, its service).
function setting<const M extends SettingMeta>(meta: M): M {
  return meta
}

// The platform's settings, as docs/services.md lists them, plus the provider base URLs and check options.
export const platformSettings = {
  DATABASE_URL: setting({
    service: 'postgres',
    required: true,
    secret: true,
    format: 'postgres-url',
    description: 'PostgreSQL connection URL',
  }),
  DATABASE_HOST: setting({
    service: 'postgres',
    format: 'hostname',
    description: 'Overrides the host of DATABASE_URL',
  }),
  DATABASE_PORT: setting({ service: 'postgres', format: 'port', description: 'Overrides the port of DATABASE_URL' }),
  DATABASE_NAME: setting({
    service: 'postgres',
    format: 'present',
    description: 'Overrides the database of DATABASE_URL',
  }),
  DATABASE_USER: setting({ service: 'postgres', format: 'present', description: 'Overrides the user of DATABASE_URL' }),
  DATABASE_PASSWORD: setting({
    service: 'postgres',
    secret: true,
    description: 'Overrides the password of DATABASE_URL',
  }),

  REDIS_URL: setting({
    service: 'redis',
    required: true,
    secret: true,
    format: 'redis-url',
    description: 'Redis connection URL',
  }),

  UPSTASH_REDIS_REST_URL: setting({
    service: 'upstash',
    required: true,
    format: 'https-url',
    description: 'Upstash Redis REST endpoint',
  }),
  UPSTASH_REDIS_REST_TOKEN: setting({
    service: 'upstash',
    required: true,
    secret: true,
    format: 'present',
    description: 'Upstash Redis REST token',
  }),

  AWS_REGION: setting({
    service: 'aws',
    required: true,
    format: 'aws-region',
    description: 'AWS region of every AWS client',
  }),
  AWS_ACCESS_KEY_ID: setting({
    service: 'aws',
    secret: true,
    format: 'aws-access-key-id',
    description: 'Static access key id; without it the SDK default provider chain (IAM role) is used',
  }),
  AWS_SECRET_ACCESS_KEY: setting({
    service: 'aws',
    secret: true,
    format: 'present',
    description: 'Static secret access key, with AWS_ACCESS_KEY_ID',
  }),
  AWS_SESSION_TOKEN: setting({
    service: 'aws',
    secret: true,
    format: 'present',
    description: 'Session token of temporary credentials',
  }),
  AWS_CREDENTIAL_EXPIRATION: setting({
    service: 'aws',
    format: 'iso-date-time',
    description:
      'When AWS_SESSION_TOKEN expires (ISO 8601), as the SDK reads it; lets the aws check warn before it does',
  }),
  FROM_EMAIL: setting({
    service: 'ses',
    required: true,
    tier: 'important',
    format: 'email',
    description: 'Sender address of platform email; its SES identity should be verified',
  }),
  AWS_S3_BUCKET: setting({
    service: 's3',
    default: 'content-creation-media',
    format: 's3-bucket',
    description: 'Media bucket that must exist and be reachable',
  }),
  AWS_EVENTBRIDGE_BUS: setting({
    service: 'eventbridge',
    default: 'default',
    format: 'event-bus',
    description: 'Event bus name or ARN that must exist',
  }),
  AWS_SQS_QUEUE_URLS: setting({
    service: 'sqs',
    required: true,
    format: 'sqs-queue-urls',
    description: 'Comma-separated SQS queue URLs; each must answer its attributes',
  }),

  AWS_ENDPOINT_URL: setting({
    service: 'aws',
    format: 'url',
    description: 'Endpoint for every AWS client (LocalStack, MinIO, a proxy); the SDK variable of the same name',
  }),
  AWS_ENDPOINT_URL_STS: setting({ service: 'aws', format: 'url', description: 'STS endpoint, over AWS_ENDPOINT_URL' }),
  AWS_ENDPOINT_URL_SESV2: setting({
    service: 'ses',
    format: 'url',
    description: 'SES (v2 API) endpoint, over AWS_ENDPOINT_URL',
  }),
  AWS_ENDPOINT_URL_S3: setting({
    service: 's3',
    format: 'url',
    description: 'S3 endpoint, over AWS_ENDPOINT_URL (path-style addressing is used when set)',
  }),
  AWS_ENDPOINT_URL_EVENTBRIDGE: setting({
    service: 'eventbridge',
    format: 'url',
    description: 'EventBridge endpoint, over AWS_ENDPOINT_URL',
  }),
  AWS_ENDPOINT_URL_SQS: setting({ service: 'sqs', format: 'url', description: 'SQS endpoint, over AWS_ENDPOINT_URL' }),
  AWS_ENDPOINT_URL_CLOUDWATCH: setting({
    service: 'cloudwatch',
    format: 'url',
    description: 'CloudWatch endpoint, over AWS_ENDPOINT_URL',
  }),

  AZURE_OPENAI_API_KEY: setting({
    service: 'azure-openai',
    required: true,
    secret: true,
    format: 'azure-openai-key',
    description: 'Azure OpenAI key (64 characters)',
  }),
  AZURE_OPENAI_ENDPOINT: setting({
    service: 'azure-openai',
    required: true,
    format: 'azure-openai-endpoint',
    description: 'Azure OpenAI resource endpoint',
  }),
  AZURE_OPENAI_API_VERSION: setting({
    service: 'azure-openai',
    required: true,
    format: 'api-version',
    description: 'Azure OpenAI API version, a real date YYYY-MM-DD',
  }),
  AZURE_OPENAI_DEPLOYMENT: setting({
    service: 'azure-openai',
    required: true,
    format: 'azure-deployment',
    description: 'Deployment name that must exist',
  }),
  AZURE_OPENAI_BASE_URL: setting({
    service: 'azure-openai',
    format: 'url',
    description: 'Where requests are sent, when not AZURE_OPENAI_ENDPOINT (egress proxy, test fake)',
  }),

  OPENAI_API_KEY: setting({
    service: 'openai',
    required: true,
    secret: true,
    format: 'openai-key',
    description: 'OpenAI key (fallback AI)',
  }),
  OPENAI_BASE_URL: setting({
    service: 'openai',
    default: 'https://api.openai.com/v1',
    format: 'url',
    description: 'OpenAI API base URL',
  }),

  NEXTAUTH_URL: setting({
    service: 'auth',
    required: true,
    format: 'url',
    description: 'Public URL of NextAuth; https in production',
  }),
  NEXTAUTH_SECRET: setting({
    service: 'auth',
    required: true,
    secret: true,
    format: 'secret-32',
    description: 'NextAuth secret, at least 32 characters',
  }),
  JWT_SECRET: setting({
    service: 'auth',
    required: true,
    secret: true,
    format: 'secret-32',
    description: 'JWT signing secret, at least 32 characters',
  }),
  TOKEN_ENCRYPTION_KEY: setting({
    service: 'auth',
    secret: true,
    format: 'base64-32',
    description: 'Token encryption key: 44 characters of base64 (32 bytes)',
  }),

  INSTAGRAM_APP_ID: setting({
    service: 'instagram',
    required: true,
    format: 'numeric',
    description: 'Instagram (Meta) app id',
  }),
  INSTAGRAM_APP_SECRET: setting({
    service: 'instagram',
    required: true,
    secret: true,
    format: 'present',
    description: 'Instagram (Meta) app secret',
  }),
  NEXT_PUBLIC_INSTAGRAM_REDIRECT_URI: setting({
    service: 'instagram',
    required: true,
    format: 'url',
    description: 'Must be <NEXT_PUBLIC_APP_URL>/auth/instagram/callback',
  }),
  INSTAGRAM_GRAPH_URL: setting({
    service: 'instagram',
    default: 'https://graph.facebook.com',
    format: 'url',
    description: 'Graph API base URL',
  }),

  TIKTOK_CLIENT_KEY: setting({
    service: 'tiktok',
    required: true,
    secret: true,
    format: 'present',
    description: 'TikTok client key',
  }),
  TIKTOK_CLIENT_SECRET: setting({
    service: 'tiktok',
    required: true,
    secret: true,
    format: 'present',
    description: 'TikTok client secret',
  }),
  NEXT_PUBLIC_TIKTOK_REDIRECT_URI: setting({
    service: 'tiktok',
    required: true,
    format: 'url',
    description: 'Must be <NEXT_PUBLIC_APP_URL>/auth/tiktok/callback',
  }),
  TIKTOK_API_URL: setting({
    service: 'tiktok',
    default: 'https://open.tiktokapis.com',
    format: 'url',
    description: 'TikTok API base URL',
  }),

  REDDIT_CLIENT_ID: setting({ service: 'reddit', required: true, format: 'present', description: 'Reddit client id' }),
  REDDIT_CLIENT_SECRET: setting({
    service: 'reddit',
    required: true,
    secret: true,
    format: 'present',
    description: 'Reddit client secret',
  }),
  NEXT_PUBLIC_REDDIT_REDIRECT_URI: setting({
    service: 'reddit',
    required: true,
    format: 'url',
    description: 'Must be <NEXT_PUBLIC_APP_URL>/auth/reddit/callback',
  }),
  REDDIT_USER_AGENT: setting({
    service: 'reddit',
    required: true,
    format: 'user-agent',
    description: 'Descriptive user agent sent to Reddit',
  }),
  REDDIT_API_URL: setting({
    service: 'reddit',
    default: 'https://www.reddit.com',
    format: 'url',
    description: 'Reddit OAuth base URL',
  }),

  ONLYFANS_API_KEY: setting({
    service: 'onlyfans',
    required: true,
    secret: true,
    format: 'present',
    description: 'OnlyFans API key (format only)',
  }),

  GOOGLE_CLIENT_ID: setting({
    service: 'google',
    required: true,
    format: 'google-client-id',
    description: 'Google OAuth client id',
  }),
  GOOGLE_CLIENT_SECRET: setting({
    service: 'google',
    required: true,
    secret: true,
    format: 'present',
    description: 'Google OAuth client secret',
  }),
  GOOGLE_TOKEN_URL: setting({
    service: 'google',
    default: 'https://oauth2.googleapis.com/token',
    format: 'url',
    description: 'Google token endpoint',
  }),

  GITHUB_CLIENT_ID: setting({
    service: 'github',
    required: true,
    format: 'present',
    description: 'GitHub OAuth client id',
  }),
  GITHUB_CLIENT_SECRET: setting({
    service: 'github',
    required: true,
    secret: true,
    format: 'present',
    description: 'GitHub OAuth client secret',
  }),
  GITHUB_TOKEN_URL: setting({
    service: 'github',
    default: 'https://github.com/login/oauth/access_token',
    format: 'url',
    description: 'GitHub token endpoint',
  }),

  STRIPE_SECRET_KEY: setting({
    service: 'stripe',
    required: true,
    secret: true,
    format: 'stripe-secret-key',
    description: 'Stripe secret or restricted key',
  }),
  STRIPE_WEBHOOK_SECRET: setting({
    service: 'stripe',
    required: true,
    secret: true,
    format: 'stripe-webhook-secret',
    description: 'Stripe webhook signing secret',
  }),
  STRIPE_PUBLISHABLE_KEY: setting({
    service: 'stripe',
    tier: 'important',
    format: 'stripe-publishable-key',
    description: 'Stripe publishable key (server side)',
  }),
  NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY: setting({
    service: 'stripe',
    tier: 'important',
    format: 'stripe-publishable-key',
    description: 'Stripe publishable key (browser)',
  }),
  STRIPE_API_URL: setting({
    service: 'stripe',
    default: 'https://api.stripe.com',
    format: 'url',
    description: 'Stripe API base URL',
  }),

  SMTP_HOST: setting({ service: 'smtp', required: true, format: 'hostname', description: 'SMTP server host' }),
  SMTP_PORT: setting({ service: 'smtp', default: '587', format: 'port', description: 'SMTP server port' }),
  SMTP_USER: setting({ service: 'smtp', format: 'present', description: 'SMTP login' }),
  SMTP_PASSWORD: setting({ service: 'smtp', secret: true, format: 'present', description: 'SMTP password' }),
  SMTP_FROM: setting({ service: 'smtp', format: 'email', description: 'Sender address for SMTP mail' }),

  RESEND_API_KEY: setting({
    service: 'resend',
    required: true,
    secret: true,
    format: 'resend-key',
    description: 'Resend API key',
  }),
  RESEND_API_URL: setting({
    service: 'resend',
    default: 'https://api.resend.com',
    format: 'url',
    description: 'Resend API base URL',
  }),

  NEXT_PUBLIC_APP_URL: setting({
    service: 'app',
    required: true,
    format: 'url',
    description: "The app's public origin; https in production",
  }),
  APP_URL: setting({ service: 'app', format: 'url', description: 'App URL; https in production' }),
  API_URL: setting({ service: 'app', format: 'url', description: 'API URL; https in production' }),
  FRONTEND_URL: setting({ service: 'app', format: 'url', description: 'Front-end URL; https in production' }),
  BACKEND_URL: setting({ service: 'app', format: 'url', description: 'Back-end URL; https in production' }),
  NODE_ENV: setting({
    service: 'app',
    required: true,
    format: 'node-env',
    description: 'development, staging or production',
  }),
  PORT: setting({ service: 'app', default: '3000', format: 'port', description: "The platform app's port" }),

  RATE_LIMIT_ENABLED: setting({
    service: 'rate-limit',
    default: 'true',
    format: 'boolean',
    description: 'Rate limiting on; needs the Upstash settings',
  }),

  SENTRY_DSN: setting({ service: 'sentry', required: true, format: 'sentry-dsn', description: 'Sentry DSN' }),
  SENTRY_AUTH_TOKEN: setting({
    service: 'sentry',
    secret: true,
    format: 'present',
    description: 'Sentry auth token (release uploads)',
  }),
  SENTRY_CHECK_INGEST: setting({
    service: 'sentry',
    default: 'false',
    format: 'boolean',
    description: 'Also prove that the DSN ingest host answers',
  }),

  LOGROCKET_APP_ID: setting({
    service: 'logrocket',
    required: true,
    format: 'logrocket-app-id',
    description: 'LogRocket app id org/app (format only)',
  }),

  DATADOG_API_KEY: setting({
    service: 'datadog',
    required: true,
    secret: true,
    format: 'datadog-api-key',
    description: 'Datadog API key',
  }),
  DATADOG_SITE: setting({
    service: 'datadog',
    default: 'datadoghq.com',
    format: 'hostname',
    description: 'Datadog site',
  }),
  DATADOG_API_URL: setting({
    service: 'datadog',
    format: 'url',
    description: 'Datadog API base URL; default https://api.<DATADOG_SITE>',
  }),
}

type Catalogue = typeof platformSettings
type Defaulted = { [K in keyof Catalogue]: Catalogue[K] extends { default: string } ? K : never }[keyof Catalogue]

// A defaulted setting is always there once loaded (string, not string | undefined).
export type Settings = { [K in Defaulted]: string } & { [K in Exclude<keyof Catalogue, Defaulted>]?: string }
export type SettingName = keyof Catalogue

export const settingNames = Object.keys(platformSettings) as SettingName[]

// A setting's meta, widened to SettingMeta.
export function settingMeta(name: SettingName): Readonly<SettingMeta> {
  return platformSettings[name]
}
