import { readFileSync } from 'node:fs'
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import { parse } from 'yaml'

// Validates bodies against the committed openapi.yaml, the contract monitors are built against.
export const openapi = parse(readFileSync(new URL('../../openapi.yaml', import.meta.url), 'utf8')) as {
  paths: Record<
    string,
    Record<
      string,
      {
        parameters?: { name: string; in: string; schema: { enum?: string[] } }[]
        responses: Record<string, { content?: Record<string, { schema: unknown }> }>
      }
    >
  >
  components: { schemas: Record<string, unknown> }
}

const ajv = new Ajv2020({ strict: false, allErrors: true })
;(addFormats as unknown as (a: Ajv2020) => void)(ajv)
ajv.addSchema({ ...openapi, $id: 'openapi.yaml' })

export function validateBody(path: string, status: number, contentType: string, body: unknown): string[] {
  const op = openapi.paths[path]?.get
  if (!op) return [`no GET ${path} in openapi.yaml`]
  const response = op.responses[String(status)]
  if (!response) return [`openapi.yaml declares no ${status} for GET ${path}`]
  const type = contentType.split(';')[0].trim()
  const media = response.content?.[type]
  if (!media) return [`openapi.yaml declares no ${type} body for ${status} of GET ${path}`]
  const pointer = `openapi.yaml#/paths/${path.replace(/~/g, '~0').replace(/\//g, '~1')}/get/responses/${status}/content/${type.replace(/\//g, '~1')}/schema`
  const validate = ajv.getSchema(pointer) ?? ajv.compile({ $ref: pointer })
  return validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`)
}
