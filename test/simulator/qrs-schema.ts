/**
 * An ajv validator built from Qlik's QRS swagger subset (Repository Main API v38.22.0). Lenient only where the
 * swagger is silent: additional properties are allowed, `$ref` properties may be null (the QRS sends null for an
 * unset stream or task), and Qlik's non-standard formats (file-size, bit-mask, minutes...) accept any value.
 */
import fs from 'node:fs';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

const SWAGGER = '/work/shared/reference/qrs-swagger-38.22-subset.json';

type Schema = Record<string, unknown>;

function nullableRefs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(nullableRefs);
  if (node === null || typeof node !== 'object') return node;
  const obj = node as Schema;
  if (obj.properties && typeof obj.properties === 'object') {
    const props: Schema = {};
    for (const [k, v] of Object.entries(obj.properties as Schema)) {
      const prop = v as Schema;
      props[k] = typeof prop.$ref === 'string' ? { anyOf: [{ $ref: prop.$ref }, { type: 'null' }] } : nullableRefs(prop);
    }
    return { ...obj, properties: props };
  }
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, nullableRefs(v)]));
}

export function qrsValidator(): (definition: string, value: unknown) => string[] {
  const swagger = JSON.parse(fs.readFileSync(SWAGGER, 'utf8')) as { definitions: Schema };
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  for (const format of ['file-size', 'bit-mask', 'milliseconds', 'minutes', 'int32', 'int64']) ajv.addFormat(format, true);
  ajv.addSchema({ $id: 'qrs', definitions: nullableRefs(swagger.definitions) as Schema });
  const cache = new Map<string, ValidateFunction>();
  return (definition, value) => {
    let validate = cache.get(definition);
    if (!validate) {
      validate = ajv.getSchema(`qrs#/definitions/${definition}`);
      if (!validate) throw new Error(`no swagger definition ${definition}`);
      cache.set(definition, validate);
    }
    return validate(value) ? [] : (validate.errors ?? []).map((e) => `${definition}${e.instancePath} ${e.message}`);
  };
}
