// The service's entry point (dist/service.js, the container's command): the same start as `huntaze-health serve`.
import { main } from './server.js'

void main()
