// The build context `docker build .` sends: the directory minus what .dockerignore excludes, with Docker's rules
// (moby's patternmatcher): `*` stays within a path segment, `**` spans any number of them, a pattern that matches
// a directory excludes everything under it, `!` re-includes, and the last matching pattern wins.
import { copyFileSync, mkdirSync, readdirSync, readlinkSync, symlinkSync } from 'node:fs'
import { join, posix } from 'node:path'

export interface IgnoreRule {
  pattern: string
  negate: boolean
  regex: RegExp
}

function toRegex(pattern: string): RegExp {
  let re = '^'
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]
    if (c === '*' && pattern[i + 1] === '*') {
      i++
      if (pattern[i + 1] === '/') i++
      re += i + 1 >= pattern.length ? '.*' : '(.*/)?'
    } else if (c === '*') re += '[^/]*'
    else if (c === '?') re += '[^/]'
    else if (c === '\\' && i + 1 < pattern.length) re += `\\${pattern[++i]}`
    else if ('.+()|{}$'.includes(c)) re += `\\${c}`
    else re += c
  }
  return new RegExp(`${re}$`)
}

export function parseDockerignore(text: string): IgnoreRule[] {
  const rules: IgnoreRule[] = []
  for (const raw of text.split('\n')) {
    let pattern = raw.trim()
    if (pattern === '' || pattern.startsWith('#')) continue
    const negate = pattern.startsWith('!')
    if (negate) pattern = pattern.slice(1).trim()
    // as Go's filepath.Clean, then without the leading slash: patterns are relative to the context's root
    pattern = posix.normalize(pattern).replace(/^\/+/, '').replace(/\/+$/, '')
    if (pattern === '' || pattern === '.') continue
    rules.push({ pattern, negate, regex: toRegex(pattern) })
  }
  return rules
}

// `path` is relative to the context, with forward slashes.
export function isIgnored(rules: readonly IgnoreRule[], path: string): boolean {
  const parents = path.split('/').map((_, i, parts) => parts.slice(0, i + 1).join('/'))
  let ignored = false
  for (const rule of rules) if (parents.some((p) => rule.regex.test(p))) ignored = !rule.negate
  return ignored
}

// Copies the context of `root` into `dest`; returns the relative paths of the files (and links) copied.
export function copyContext(root: string, dest: string, rules: readonly IgnoreRule[]): string[] {
  // without a `!` pattern nothing under an excluded directory can come back, so it is not even read
  const canReinclude = rules.some((r) => r.negate)
  const copied: string[] = []
  const walk = (rel: string) => {
    for (const entry of readdirSync(join(root, rel), { withFileTypes: true })) {
      const path = rel ? `${rel}/${entry.name}` : entry.name
      const ignored = isIgnored(rules, path)
      if (entry.isDirectory()) {
        if (ignored && !canReinclude) continue
        if (!ignored) mkdirSync(join(dest, path), { recursive: true })
        walk(path)
      } else if (!ignored) {
        mkdirSync(join(dest, rel), { recursive: true })
        if (entry.isSymbolicLink()) symlinkSync(readlinkSync(join(root, path)), join(dest, path))
        else copyFileSync(join(root, path), join(dest, path))
        copied.push(path)
      }
    }
  }
  mkdirSync(dest, { recursive: true })
  walk('')
  return copied
}
