import { joinUrl } from '../checks/lib/http.js'
import type { Tier } from '../config.js'
import type { StatusChange } from '../engine/result.js'
import type { CheckStatus } from '../engine/status.js'
import type { ReasonCode } from '../reasons.js'

// The most of a check's output a notification carries: enough to act on, short enough for a chat line.
export const MAX_OUTPUT_CHARS = 500

// The JSON event a webhook receives (docs/notifications.md); `version` changes only when a field changes meaning.
export interface StatusEvent {
  version: 1
  type: 'check.status_changed'
  serviceId: string
  check: string
  tier: Tier
  from: CheckStatus | null
  to: CheckStatus
  reason: ReasonCode | null
  output: string | null
  since: string
  at: string
  link: string
}

// What every notification of one service shares.
export interface EventContext {
  serviceId: string
  // HEALTH_PUBLIC_URL; empty: the link is the path alone
  publicUrl: string
  // false with HEALTH_DETAILS=never: nobody is shown the details, a channel of people included
  withOutput: boolean
}

// Cut to MAX_OUTPUT_CHARS, never through a surrogate pair: half of one is not a character the receiver can read.
function capped(text: string): string {
  if (text.length <= MAX_OUTPUT_CHARS) return text
  const end = /[\uD800-\uDBFF]/.test(text[MAX_OUTPUT_CHARS - 1]) ? MAX_OUTPUT_CHARS - 1 : MAX_OUTPUT_CHARS
  return `${text.slice(0, end)}...`
}

// The event of a change, whose output the runner has already scrubbed of secrets.
export function statusEvent(change: StatusChange, ctx: EventContext): StatusEvent {
  const path = `/health/${encodeURIComponent(change.name)}`
  return {
    version: 1,
    type: 'check.status_changed',
    serviceId: ctx.serviceId,
    check: change.name,
    tier: change.tier,
    from: change.from,
    to: change.to,
    reason: change.reason ?? null,
    output: ctx.withOutput && change.output ? capped(change.output) : null,
    since: new Date(change.since).toISOString(),
    at: new Date(change.at).toISOString(),
    link: ctx.publicUrl ? joinUrl(ctx.publicUrl, path) : path,
  }
}

const emoji: Readonly<Record<CheckStatus, string>> = {
  fail: ':red_circle:',
  warn: ':large_orange_circle:',
  pass: ':large_green_circle:',
  skipped: ':white_circle:',
}

// Slack's mrkdwn reads &, < and > as control characters: provider text must not open a link or a mention.
const mrkdwn = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

// One readable line: what changed, since when, why, and where to look.
export function slackText(e: StatusEvent): string {
  const was = e.from === null ? '' : ` (was ${e.from})`
  const why = [e.reason, e.output && mrkdwn(e.output.replace(/\s+/g, ' ').trim())].filter(Boolean).join(' ')
  // Slack links only absolute URLs; a path alone is shown as text
  const link = /^https?:/.test(e.link) ? `<${e.link}|details>` : `(${e.link})`
  return `${emoji[e.to]} ${e.serviceId}: *${e.check}* (${e.tier}) is ${e.to}${was} since ${e.since}${why ? `: ${why}` : ''} ${link}`
}

// The bytes a webhook is sent: Slack's { text } or the JSON event.
export function bodyFor(change: StatusChange, ctx: EventContext, slack: boolean): string {
  const event = statusEvent(change, ctx)
  return JSON.stringify(slack ? { text: slackText(event) } : event)
}
