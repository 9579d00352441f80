// The catalogue of reason codes: each key equals its code, and the README lists the same set with the action for each.
export const Reason = {
  TIMEOUT: 'TIMEOUT',
  REFUSED: 'REFUSED',
  UNREACHABLE: 'UNREACHABLE',
  CONNECTION_RESET: 'CONNECTION_RESET',
  TLS_ERROR: 'TLS_ERROR',
  AUTH_FAILED: 'AUTH_FAILED',
  FORBIDDEN: 'FORBIDDEN',
  INSUFFICIENT_SCOPE: 'INSUFFICIENT_SCOPE',
  NOT_FOUND: 'NOT_FOUND',
  WRONG_REGION: 'WRONG_REGION',
  EXPIRED: 'EXPIRED',
  EXPIRING: 'EXPIRING',
  RATE_LIMITED: 'RATE_LIMITED',
  UPSTREAM_ERROR: 'UPSTREAM_ERROR',
  UNAVAILABLE: 'UNAVAILABLE',
  BAD_RESPONSE: 'BAD_RESPONSE',
  DEGRADED: 'DEGRADED',
  DISABLED: 'DISABLED',
  MISCONFIGURED: 'MISCONFIGURED',
  NOT_CONFIGURED: 'NOT_CONFIGURED',
  SHUTTING_DOWN: 'SHUTTING_DOWN',
  STALE: 'STALE',
  INTERRUPTED: 'INTERRUPTED',
  INTERNAL: 'INTERNAL',
} as const

export type ReasonCode = (typeof Reason)[keyof typeof Reason]

export const reasonDescriptions: Record<ReasonCode, string> = {
  TIMEOUT: 'the dependency did not answer within the check timeout; the probe was cancelled',
  REFUSED: 'nothing accepts connections at that host and port',
  UNREACHABLE: 'the host name does not resolve or the network cannot reach it',
  CONNECTION_RESET: 'the connection was closed by the other side mid-way',
  TLS_ERROR: 'the TLS handshake or certificate was rejected',
  AUTH_FAILED: 'the credentials were rejected',
  FORBIDDEN: 'the credentials are valid but lack a permission, which the output names',
  INSUFFICIENT_SCOPE:
    'the credentials are valid but narrower than the probe: they lack the read it uses, which the output names',
  NOT_FOUND: 'the resource (database, bucket, queue, deployment, bus) does not exist',
  WRONG_REGION: 'the resource exists in another region than the one configured',
  EXPIRED: 'the credentials have expired',
  EXPIRING: 'the credentials expire soon',
  RATE_LIMITED: 'the provider answered 429; no probe is sent again before its Retry-After',
  UPSTREAM_ERROR: 'the provider answered with a server error (5xx)',
  UNAVAILABLE: 'the dependency is shutting down, restarting or starting up, and turns work away meanwhile',
  BAD_RESPONSE: 'the dependency answered something the check does not understand',
  DEGRADED: 'the dependency works but a measurement is past its warning threshold',
  DISABLED: 'the dependency works but the feature is switched off on its side (for example SES sending)',
  MISCONFIGURED: 'a setting breaks its format rule',
  NOT_CONFIGURED: 'a setting the check needs is not set',
  SHUTTING_DOWN: 'the health service is shutting down',
  STALE:
    'the check has had no new result for several lifetimes: its background probing stalled, so its last result says nothing of now',
  INTERRUPTED:
    'the probe did not run to its end because of the health service itself (its probe thread was busy past the timeout, was replaced, or the check could not start on a starved CPU): nothing is known of the dependency, and it is probed again within one infrastructure lifetime',
  INTERNAL: 'the check itself failed (a bug in the health service)',
}

// What the person on call does first, for each code; the README's reason table is generated from it.
export const reasonActions: Record<ReasonCode, string> = {
  TIMEOUT:
    "check the dependency's load and the network path from this host to it (the output gives the timeout, the check's settings the host); when the output says the client did not start, look at this service's own host: it is starved of CPU",
  REFUSED:
    'check that the dependency runs and listens on the host and port the output names, then the setting that points there',
  UNREACHABLE:
    'check the host name in the setting (a typo, a name private to another network), then DNS and egress from this host',
  CONNECTION_RESET:
    'look for a restart on the server side or a proxy, firewall or load balancer that cuts connections; one reset that the next probe clears is noise',
  TLS_ERROR:
    'check the certificate of the host the output names (expiry, name, chain), and that the setting uses the TLS port or scheme the server expects',
  AUTH_FAILED:
    'replace the credentials in the setting the output names with current ones from the provider (rotated, revoked or mistyped); the output says where to find them',
  FORBIDDEN:
    'grant the permission the output names (IAM action, key scope, app type) to the identity of these credentials',
  INSUFFICIENT_SCOPE:
    'nothing is down: if the platform needs what the output says the key lacks, grant it to that key; otherwise grant the read the output names so that the check can prove more than the key',
  NOT_FOUND: 'create the resource, or correct the setting that names it; the output names both',
  WRONG_REGION:
    'set AWS_REGION to the region the output gives, or point the setting at a resource of the configured region',
  EXPIRED:
    'renew the credentials (a session token with its key pair and AWS_CREDENTIAL_EXPIRATION), or attach an IAM role the SDK renews',
  EXPIRING: 'replace the credentials before the time the output gives, or attach an IAM role the SDK renews',
  RATE_LIMITED:
    "nothing at first: the check waits for the provider's Retry-After by itself; if it lasts, find what else spends the quota of these credentials",
  UPSTREAM_ERROR:
    "the fault is on the dependency's side: its status page for a provider, its logs for PostgreSQL or Redis (no connection slot, a read-only replica)",
  UNAVAILABLE:
    "nothing while a restart, failover or deploy of the dependency is under way: the next probe that finds it up clears it; if it lasts, read the dependency's logs for why it shut down or has not finished starting",
  BAD_RESPONSE:
    'check the URL or endpoint setting the output names: a proxy, an emulator or a wrong address answers instead of the dependency',
  DEGRADED:
    'read the measurement and threshold in the output (backlog, quota use, account status); fix the cause, or change the HEALTH_* threshold it names',
  DISABLED:
    'switch the feature back on at the provider once its cause is fixed (SES sending, production access); the output names how',
  MISCONFIGURED:
    'fix the setting the finding names so that it meets the rule the output gives (a format rule, or one across settings such as a redirect URI)',
  NOT_CONFIGURED:
    'set the settings the output lists (docs/configuration.md says what each one is); an optional service with none of them set is skipped instead',
  SHUTTING_DOWN:
    'nothing while a deploy or a scale-in is under way; otherwise find what sent SIGTERM or SIGINT to the process',
  STALE:
    "the dependency may be fine: this service stopped probing it. Read the service's log and huntaze_health_probe_thread_restarts_total for a wedged probe thread or a starved CPU, restart the pod if it lasts, and prove the dependency by hand meanwhile",
  INTERRUPTED:
    "nothing, if the next probe passes: it comes within HEALTH_CACHE_TTL_MS. If it lasts, this service's host is starved of CPU (its CPU request and throttling, the node's load) or a probe holds the thread: read the service's log and huntaze_health_probe_thread_restarts_total",
  INTERNAL:
    "the dependency may be fine: the check itself broke. Find the service's error log line for the check (it has the stack), report it, and prove the dependency by hand meanwhile",
}
