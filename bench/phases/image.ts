import { buildImage, installedPackages, sizeOf } from '../../test/support/image.js'
import type { Ctx, Target } from '../lib/context.js'

export const mib = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10

// The image's contents from the Dockerfile's replay (the one test/image/replay.test.ts starts): what the runtime
// stage copies, in bytes, and whether a package only the dev dependencies need slipped in.
export async function image(ctx: Ctx) {
  const built = await buildImage(ctx.root, (line) => ctx.log(`   ${line}`))
  try {
    const size = sizeOf(built)
    const dev = installedPackages(built)
      .filter((p) => p.dev)
      .map((p) => p.path)
    const largest = Object.entries(size.byPackage)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 10)
    const target: Target = {
      name: 'image: the runtime stage holds production dependencies only',
      measured: dev.length ? `dev packages: ${dev.join(', ')}` : `${mib(size.bytes)} MiB in ${size.files} files`,
      limit: 'no package only the dev dependencies need',
      met: dev.length === 0,
      note: Object.entries(size.byEntry)
        .map(([entry, bytes]) => `${entry} ${mib(bytes)} MiB`)
        .join(', '),
    }
    return { targets: [target], size, largest }
  } finally {
    built.remove()
  }
}
