// Translation between prisma-client-py's GraphQL documents and Prisma's JSON protocol.
//
// prisma-client-py 0.15 renders every query as a small GraphQL document:
//
//   mutation {
//     result: createOneLiteLLM_TeamTable
//     (
//       data: { team_id: "t1", metadata: "{\"a\": 1}" }
//     )
//     { team_id metadata members { user_id } }
//   }
//
// Values are JSON literals (its query builder uses json.dumps), commas are insignificant, and there are no
// variables, fragments or directives. The wasm engine only speaks the JSON protocol, where Json and Bytes
// values must carry a `$type` tag and results come back tagged.

const ACTIONS = [
  'findUnique', 'findFirst', 'findMany', 'createOne', 'createMany', 'updateOne', 'updateMany',
  'deleteOne', 'deleteMany', 'upsertOne', 'aggregate', 'groupBy',
].sort((a, b) => b.length - a.length);
const RAW_ACTIONS = new Set(['queryRaw', 'executeRaw']);
const OR_THROW = 'OrThrow';
const TAGGED_SCALARS = new Set(['Json', 'Bytes']);
const DB_NULL = { $type: 'Enum', value: 'DbNull' };
const JSON_FILTER_VALUES = ['equals', 'not', 'array_contains', 'array_starts_with', 'array_ends_with'];
const WHERE_COMBINATORS = ['AND', 'OR', 'NOT'];
const RELATION_FILTERS = ['is', 'isNot', 'some', 'every', 'none'];

export class TranslationError extends Error {}

// An error in the native engine's answer shape; prisma-client-py maps `error_code` to its exception classes.
export function errorEntry(message, errorCode, meta = {}) {
  const userFacing = { is_panic: false, message, meta, ...(errorCode && { error_code: errorCode }) };
  return { error: message, user_facing_error: userFacing };
}

export function errorResponse(message, errorCode, meta) {
  return { errors: [errorEntry(message, errorCode, meta)] };
}

// ---------------------------------------------------------------------------------------------------------
// Schema: just enough of schema.prisma to know field types and relations.

export function parseSchema(source) {
  const blocks = [...source.matchAll(/^\s*(model|view)\s+(\w+)\s*\{([\s\S]*?)^\s*\}/gm)];
  const names = new Set(blocks.map(([, , name]) => name));
  const models = new Map();
  for (const [, , name, body] of blocks) {
    const fields = new Map();
    for (const line of body.split('\n')) {
      const match = line.match(/^\s*(\w+)\s+(\w+)/);
      if (match) fields.set(match[1], { type: match[2], isRelation: names.has(match[2]) });
    }
    models.set(name, fields);
  }
  return models;
}

// ---------------------------------------------------------------------------------------------------------
// GraphQL subset parser.

const KEYWORD_VALUES = new Map([['true', true], ['false', false], ['null', null]]);
// Insignificant (whitespace, commas, comments) | punctuator | string | number | name.
const TOKEN = new RegExp(
  [
    String.raw`\s+|,|#[^\n]*`,
    String.raw`([{}()[\]:])`,
    String.raw`("(?:[^"\\]|\\.)*")`,
    String.raw`(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)`,
    String.raw`([_A-Za-z][_0-9A-Za-z]*)`,
  ].join('|'),
  'y',
);

function tokenize(text) {
  const tokens = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    const start = TOKEN.lastIndex;
    const match = TOKEN.exec(text);
    if (!match) throw new TranslationError(`Unexpected character at offset ${start} of the GraphQL document`);
    const [, punctuator, string, number, name] = match;
    if (punctuator) tokens.push({ kind: punctuator });
    else if (string) tokens.push({ kind: 'value', value: parseString(string, start) });
    else if (number) tokens.push({ kind: 'value', value: parseNumber(number) });
    else if (name) tokens.push({ kind: 'name', value: name });
  }
  return tokens;
}

function parseString(literal, offset) {
  try {
    return JSON.parse(literal);
  } catch {
    throw new TranslationError(`Invalid string literal at offset ${offset} of the GraphQL document`);
  }
}

function parseNumber(literal) {
  const value = Number(literal);
  if (Number.isInteger(value) && !Number.isSafeInteger(value) && /^-?\d+$/.test(literal)) {
    return { $type: 'BigInt', value: literal };
  }
  return value;
}

class Parser {
  constructor(text) {
    this.tokens = tokenize(text);
    this.position = 0;
  }

  peek(kind) {
    return this.tokens[this.position]?.kind === kind;
  }

  take(kind) {
    const token = this.tokens[this.position];
    if (token?.kind !== kind) {
      const found = token ? `'${token.value ?? token.kind}'` : 'its end';
      throw new TranslationError(`Expected '${kind}' in the GraphQL document, found ${found}`);
    }
    this.position += 1;
    return token.value;
  }

  document() {
    const operation = this.take('name');
    if (operation !== 'query' && operation !== 'mutation') {
      throw new TranslationError(`Unsupported GraphQL operation '${operation}'`);
    }
    this.take('{');
    const field = this.field();
    this.take('}');
    if (this.position !== this.tokens.length) {
      throw new TranslationError('Trailing content after the GraphQL operation');
    }
    return field;
  }

  field() {
    let name = this.take('name');
    if (this.peek(':')) {
      this.take(':');
      name = this.take('name');
    }
    const args = this.peek('(') ? this.arguments() : undefined;
    const selection = this.peek('{') ? this.selectionSet() : undefined;
    return { name, args, selection };
  }

  arguments() {
    this.take('(');
    const args = {};
    while (!this.peek(')')) {
      const key = this.take('name');
      this.take(':');
      args[key] = this.value();
    }
    this.take(')');
    return args;
  }

  selectionSet() {
    this.take('{');
    const fields = [];
    while (!this.peek('}')) fields.push(this.field());
    this.take('}');
    return fields;
  }

  value() {
    if (this.peek('value')) return this.take('value');
    if (this.peek('name')) {
      const name = this.take('name');
      return KEYWORD_VALUES.has(name) ? KEYWORD_VALUES.get(name) : name;
    }
    if (this.peek('[')) {
      this.take('[');
      const items = [];
      while (!this.peek(']')) items.push(this.value());
      this.take(']');
      return items;
    }
    this.take('{');
    const object = {};
    while (!this.peek('}')) {
      const key = this.take('name');
      this.take(':');
      object[key] = this.value();
    }
    this.take('}');
    return object;
  }
}

// ---------------------------------------------------------------------------------------------------------
// GraphQL document -> JSON protocol request.

export class Translator {
  constructor(models) {
    this.models = models;
  }

  toJsonRequest(document) {
    const root = new Parser(document).document();
    if (RAW_ACTIONS.has(root.name)) {
      return { action: root.name, query: { arguments: root.args ?? {}, selection: {} } };
    }
    const { action, modelName } = this.splitRootField(root.name);
    const model = this.models.get(modelName);
    return {
      modelName,
      action,
      query: {
        arguments: this.tagArguments(model, root.args ?? {}),
        selection: this.selection(model, root.selection),
      },
    };
  }

  splitRootField(name) {
    const orThrow = name.endsWith(OR_THROW);
    const base = orThrow ? name.slice(0, -OR_THROW.length) : name;
    const action = ACTIONS.find((prefix) => base.startsWith(prefix) && this.models.has(base.slice(prefix.length)));
    if (!action) throw new TranslationError(`Unknown operation '${name}'`);
    return { action: orThrow ? action + OR_THROW : action, modelName: base.slice(action.length) };
  }

  selection(model, fields) {
    if (!fields?.length) return { $scalars: true };
    const selection = {};
    for (const { name, args, selection: nested } of fields) {
      if (!args && !nested) {
        selection[name] = true;
        continue;
      }
      const field = model?.get(name);
      const target = field?.isRelation ? this.models.get(field.type) : undefined;
      selection[name] = {
        ...(args && { arguments: this.tagArguments(target, args) }),
        selection: nested ? this.selection(target, nested) : { $scalars: true },
      };
    }
    return selection;
  }

  tagArguments(model, args) {
    if (!model) return args;
    const tagged = { ...args };
    for (const key of ['where', 'cursor']) {
      if (key in tagged) tagged[key] = this.tagWhere(model, tagged[key]);
    }
    for (const key of ['data', 'create', 'update']) {
      if (key in tagged) tagged[key] = eachItem(tagged[key], (data) => this.tagData(model, data));
    }
    return tagged;
  }

  tagData(model, data) {
    if (!isObject(data)) return data;
    const tagged = {};
    for (const [key, value] of Object.entries(data)) {
      const field = model.get(key);
      if (field?.isRelation) tagged[key] = this.tagNestedWrite(this.models.get(field.type), value);
      else if (field && TAGGED_SCALARS.has(field.type)) tagged[key] = tagDataValue(field, value);
      else tagged[key] = value;
    }
    return tagged;
  }

  tagNestedWrite(model, operations) {
    if (!isObject(operations)) return operations;
    const data = (value) => eachItem(value, (item) => this.tagData(model, item));
    const where = (value) => eachItem(value, (item) => this.tagWhere(model, item));
    const tagged = {};
    for (const [operation, value] of Object.entries(operations)) {
      switch (operation) {
        case 'create':
          tagged[operation] = data(value);
          break;
        case 'createMany':
          tagged[operation] = { ...value, data: data(value.data) };
          break;
        case 'connect':
        case 'disconnect':
        case 'set':
        case 'delete':
        case 'deleteMany':
          tagged[operation] = where(value);
          break;
        case 'connectOrCreate':
        case 'upsert':
        case 'updateMany':
          tagged[operation] = eachItem(value, (item) => this.tagArguments(model, item));
          break;
        case 'update':
          // `{where, data}` for to-many relations (and optionally to-one), the data itself for to-one
          tagged[operation] = eachItem(value, (item) => (isObject(item) && 'data' in item && !model.has('data')
            ? this.tagArguments(model, item)
            : this.tagData(model, item)));
          break;
        default:
          tagged[operation] = value;
      }
    }
    return tagged;
  }

  tagWhere(model, where) {
    if (!isObject(where)) return where;
    const tagged = {};
    for (const [key, value] of Object.entries(where)) {
      const field = model.get(key);
      if (WHERE_COMBINATORS.includes(key)) tagged[key] = eachItem(value, (item) => this.tagWhere(model, item));
      else if (field?.isRelation) tagged[key] = this.tagRelationFilter(this.models.get(field.type), value);
      else if (field && TAGGED_SCALARS.has(field.type)) tagged[key] = tagFilter(field, value);
      else tagged[key] = value;
    }
    return tagged;
  }

  tagRelationFilter(model, filter) {
    if (!isObject(filter)) return filter;
    if (!Object.keys(filter).some((key) => RELATION_FILTERS.includes(key))) return this.tagWhere(model, filter);
    return Object.fromEntries(Object.entries(filter).map(([key, value]) => [key, this.tagWhere(model, value)]));
  }
}

function tagDataValue(field, value) {
  if (value === null) return field.type === 'Json' ? DB_NULL : null;
  return tagScalar(field, value);
}

function tagFilter(field, filter) {
  if (!isObject(filter)) return tagScalar(field, filter);
  const tagged = { ...filter };
  for (const key of JSON_FILTER_VALUES) {
    if (key in tagged && tagged[key] !== null) tagged[key] = tagScalar(field, tagged[key]);
  }
  return tagged;
}

function tagScalar(field, value) {
  if (field.type === 'Json') return { $type: 'Json', value: typeof value === 'string' ? value : JSON.stringify(value) };
  return { $type: field.type, value };
}

function eachItem(value, fn) {
  return Array.isArray(value) ? value.map(fn) : fn(value);
}

function isObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ---------------------------------------------------------------------------------------------------------
// JSON protocol response -> GraphQL protocol response.

// `{"data": {"findUniqueX": value}}` becomes `{"data": {"result": value}}` with tagged values unwrapped;
// raw query results are passed on as they are (prisma-client-py decodes them from their column types).
export function toGraphqlResponse(response, { raw }) {
  if (!response.data) return response;
  const [value] = Object.values(response.data);
  return { data: { result: raw ? value : untag(value) } };
}

function untag(value) {
  if (Array.isArray(value)) return value.map(untag);
  if (!isObject(value)) return value;
  if (typeof value.$type === 'string' && 'value' in value && Object.keys(value).length === 2) {
    return value.$type === 'BigInt' ? bigIntValue(value.value) : value.value;
  }
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, untag(item)]));
}

function bigIntValue(text) {
  const number = Number(text);
  return Number.isSafeInteger(number) ? number : text;
}
