import { Buffer } from 'node:buffer'
import { json, startFake, type Fake } from './http.js'
import { startAwsFake } from './aws-wire.js'
import { startSmtp, type FakeSmtp } from './smtp.js'
import { BASIC_USER } from '../secrets.js'

// Providers that quote back the credential they received, each in one of the forms a real one uses.

export const echoForms = ['whole', 'cut', 'masked', 'starred', 'url', 'base64', 'basic'] as const
export type EchoForm = (typeof echoForms)[number]

// Every echo starts with this, so that a test can tell the provider's text reached the output.
export const ECHO_MARK = 'provider-echo'
// how many characters of the secret a cut echo leaves before the check's cut
export const CUT_KEEP = 6

const base64 = (s: string) => Buffer.from(s).toString('base64')

// The provider's text quoting `secret`; cutAt is how many characters of this text the check keeps of it.
export function echoText(secret: string, form: EchoForm, cutAt: number): string {
  const lead = `${ECHO_MARK} `
  switch (form) {
    case 'whole':
      return `${lead}invalid credential ${secret} received`
    case 'cut':
      return `${lead}${'x'.repeat(cutAt - lead.length - CUT_KEEP)}${secret} received`
    case 'masked':
      return `${lead}invalid credential ${secret.slice(0, 8)}...${secret.slice(-6)}`
    case 'starred':
      return `${lead}invalid credential ${secret.slice(0, 8)}****${secret.slice(-6)} received`
    case 'url':
      return `${lead}invalid body client_secret=${encodeURIComponent(secret)}&grant_type=client_credentials`
    case 'base64':
      return `${lead}invalid credential ${base64(secret)} received`
    case 'basic':
      return `${lead}invalid header Authorization: Basic ${base64(`${BASIC_USER}:${secret}`)}`
  }
}

// Upstash: a 400 whose error quotes the Bearer token (the check keeps 200 characters of it).
export function upstashEcho(form: EchoForm): Promise<Fake> {
  return startFake((req, res) => {
    const token = String(req.headers.authorization ?? '').replace(/^Bearer /, '')
    json(res, 400, { error: echoText(token, form, 200) })
  })
}

// STS: an AccessDenied whose message quotes the session token (the check keeps 240 characters of "AWS says").
export function stsEcho(form: EchoForm): Promise<Fake> {
  return startAwsFake('query', (req) => ({
    error: {
      status: 403,
      code: 'AccessDenied',
      message: echoText(String(req.headers['x-amz-security-token'] ?? ''), form, 240),
    },
  }))
}

const formField = (body: string, name: string) => new URLSearchParams(body).get(name) ?? ''

// An OAuth token endpoint: a 200 with an OAuth error whose description quotes the client secret (160 kept).
export function oauthEcho(form: EchoForm): Promise<Fake> {
  return startFake((req, res) =>
    json(res, 200, {
      error: 'echoed_error',
      error_description: echoText(formField(req.body, 'client_secret'), form, 160),
    }),
  )
}

// The Graph API: an OAuthException whose message quotes the app secret (160 kept).
export function graphEcho(form: EchoForm): Promise<Fake> {
  return startFake((req, res) =>
    json(res, 400, {
      error: { type: 'OAuthException', code: 1, message: echoText(formField(req.body, 'client_secret'), form, 160) },
    }),
  )
}

// SMTP: a 535 that quotes the password (the check keeps 120 characters of "535 <text>").
export function smtpEcho(form: EchoForm): Promise<FakeSmtp> {
  return startSmtp({
    hideSTARTTLS: true,
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    onAuth(auth, _session, cb) {
      cb(Object.assign(new Error(echoText(auth.password ?? '', form, 120 - '535 '.length)), { responseCode: 535 }))
    },
  })
}
