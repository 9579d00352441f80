// Preload: on SIGUSR2 the process writes the built-in modules its main thread has loaded to stderr, then exits.
process.on('SIGUSR2', () => {
  process.stderr.write(`${JSON.stringify(process.moduleLoadList)}\n`, () => process.exit(0))
})
