// Schemas as expandable trees, and the quick check of a JSON body as it is typed.
// A schema refers to named schemas as {"$ref": name} (the operation's `schemas` table); a name
// already open above a node is shown as recursive and not expanded again.

import { el, markdown } from "./dom.js";

const MAX_REF_HOPS = 16;

function follow(schema, schemas, open) {
  let node = schema, name = null;
  for (let hop = 0; hop < MAX_REF_HOPS && node && typeof node === "object" && typeof node.$ref === "string"; hop += 1) {
    if (open.has(node.$ref)) return { node, name: node.$ref, recursive: true };
    const { $ref, ...siblings } = node;
    name = $ref;
    const target = schemas[$ref];
    if (target === undefined) return { node: { description: `unresolved reference ${$ref}` }, name, recursive: false };
    node = Object.keys(siblings).length ? { ...(typeof target === "object" ? target : {}), ...siblings } : target;
  }
  return { node: node === true ? {} : node, name, recursive: false };
}

// allOf parts merged into one view (properties, required, the first type and description)
function flatten(schema, schemas, open, depth = 0) {
  if (!schema || typeof schema !== "object" || !Array.isArray(schema.allOf) || depth > 8) return schema;
  const merged = { ...schema, properties: { ...(schema.properties ?? {}) }, required: [...(schema.required ?? [])] };
  delete merged.allOf;
  for (const part of schema.allOf) {
    const { node, recursive } = follow(part, schemas, open);
    if (recursive || !node || typeof node !== "object") continue;
    const flat = flatten(node, schemas, open, depth + 1);
    Object.assign(merged.properties, flat.properties ?? {});
    merged.required.push(...(flat.required ?? []));
    for (const key of ["type", "description", "oneOf", "anyOf", "discriminator", "items", "additionalProperties", "title"]) {
      if (merged[key] === undefined && flat[key] !== undefined) merged[key] = flat[key];
    }
  }
  if (!Object.keys(merged.properties).length) delete merged.properties;
  if (!merged.required.length) delete merged.required;
  return merged;
}

function types(node) {
  const listed = [].concat(node.type ?? []);
  return { nullable: listed.includes("null"), listed: listed.filter((t) => t !== "null") };
}

function combinedLabel(flat, schemas, open, depth) {
  const options = flat.oneOf ?? flat.anyOf;
  if (options.length > 4) return `${flat.oneOf ? "one" : "any"} of ${options.length} schemas`;
  const labels = [...new Set(options.map((option) => typeLabel(option, schemas, open, { depth: depth + 1, bare: true })))];
  // "X | null" reads better than "null | X"
  return [...labels.filter((label) => label !== "null"), ...labels.filter((label) => label === "null")].join(" | ");
}

// "string <date-time>", "array of Pet (object)", "Cat (object) | Dog (object) | null" ...
export function typeLabel(schema, schemas, open = new Set(), { depth = 0, named = true, bare = false } = {}) {
  const { node, name, recursive } = follow(schema, schemas, open);
  if (recursive || (bare && name)) return name;
  const flat = flatten(node, schemas, open);
  if (!flat || typeof flat !== "object") return "any";
  if (depth > 3) return name ?? "…";
  const { nullable, listed } = types(flat);
  if (nullable && !listed.length && !flat.oneOf && !flat.anyOf) return "null";
  const options = flat.oneOf ?? flat.anyOf;
  let label = listed.join(" | ")
    || (flat.properties ? "object" : flat.items ? "array" : options ? combinedLabel(flat, schemas, open, depth) : flat.const !== undefined ? `constant ${json(flat.const)}` : "any");
  if (listed.includes("array") && flat.items && listed.length === 1) {
    const item = typeLabel(flat.items, schemas, open, { depth: depth + 1 });
    label = `array of ${item.includes(" | ") ? `(${item})` : item}`;
  }
  if (flat.format) label += ` <${flat.format}>`;
  if (named && name && !label.includes(name)) label = `${name} (${label})`;
  return nullable && !label.endsWith("| null") ? `${label} | null` : label;
}

export function constraints(node) {
  const said = [];
  const add = (key, text) => { if (node[key] !== undefined) said.push(text(node[key])); };
  add("minLength", (v) => `min length ${v}`);
  add("maxLength", (v) => `max length ${v}`);
  add("pattern", (v) => `pattern ${v}`);
  add("minimum", (v) => `≥ ${v}`);
  add("exclusiveMinimum", (v) => `> ${v}`);
  add("maximum", (v) => `≤ ${v}`);
  add("exclusiveMaximum", (v) => `< ${v}`);
  add("multipleOf", (v) => `multiple of ${v}`);
  add("minItems", (v) => `min items ${v}`);
  add("maxItems", (v) => `max items ${v}`);
  if (node.uniqueItems) said.push("unique items");
  add("minProperties", (v) => `min properties ${v}`);
  add("maxProperties", (v) => `max properties ${v}`);
  return said;
}

function json(value) { return JSON.stringify(value); }

function facts(node) {
  const parts = [];
  if (Array.isArray(node.enum)) parts.push(el("span", { class: "fact" }, "one of: ", ...node.enum.map((v) => el("code", {}, json(v)))));
  if (node.const !== undefined) parts.push(el("span", { class: "fact" }, "value: ", el("code", {}, json(node.const))));
  if (node.default !== undefined) parts.push(el("span", { class: "fact" }, "default: ", el("code", {}, json(node.default))));
  const example = node.example !== undefined ? node.example : Array.isArray(node.examples) ? node.examples[0] : undefined;
  if (example !== undefined) parts.push(el("span", { class: "fact" }, "example: ", el("code", {}, json(example))));
  for (const text of constraints(node)) parts.push(el("span", { class: "fact" }, text));
  return parts;
}

function badges(node, required, recursive) {
  return [
    required ? el("span", { class: "badge required" }, "required") : null,
    node.readOnly ? el("span", { class: "badge" }, "read-only") : null,
    node.writeOnly ? el("span", { class: "badge" }, "write-only") : null,
    node.deprecated ? el("span", { class: "badge deprecated" }, "deprecated") : null,
    recursive ? el("span", { class: "badge recursive", title: "refers to a schema already open above" }, "↻ recursive") : null,
  ];
}

function hasChildren(node) {
  return Boolean(node && typeof node === "object" && (node.properties || node.oneOf || node.anyOf
    || (node.items && typeof node.items === "object") || (node.additionalProperties && typeof node.additionalProperties === "object")));
}

// one property (or item, or option): a line, expandable when it has children of its own
function row(label, schema, required, ctx) {
  const { node, name, recursive } = follow(schema, ctx.schemas, ctx.open);
  const flat = recursive ? {} : flatten(node, ctx.schemas, ctx.open);
  const line = el("span", { class: "prop-line" },
    el("span", { class: "prop-name" }, label), " ",
    el("span", { class: "prop-type" }, typeLabel(schema, ctx.schemas, ctx.open, { named: label !== name })), " ",
    badges(flat ?? {}, required, recursive));
  const detail = [
    flat?.description ? markdown(flat.description, "markdown small") : null,
    ...(flat && typeof flat === "object" ? facts(flat) : []),
  ];
  if (recursive || !hasChildren(flat)) return el("div", { class: "prop" }, line, ...detail);
  const open = new Set(ctx.open);
  if (name) open.add(name);
  const details = el("details", { class: "prop" }, el("summary", {}, line), ...detail);
  let filled = false;
  details.addEventListener("toggle", () => {
    if (filled || !details.open) return;
    filled = true;
    details.append(children(flat, { ...ctx, open }));
  });
  return details;
}

function children(node, ctx) {
  const list = el("div", { class: "children" });
  const required = new Set(node.required ?? []);
  for (const [name, property] of Object.entries(node.properties ?? {})) list.append(row(name, property, required.has(name), ctx));
  if (node.additionalProperties && typeof node.additionalProperties === "object") list.append(row("[any name]", node.additionalProperties, false, ctx));
  if (node.items && typeof node.items === "object" && !node.properties) list.append(row("[items]", node.items, false, ctx));
  for (const kind of ["oneOf", "anyOf"]) {
    if (!Array.isArray(node[kind])) continue;
    const group = el("div", { class: "combinator" }, el("div", { class: "combinator-title" }, kind === "oneOf" ? "One of:" : "Any of:"));
    if (node.discriminator?.propertyName) {
      const mapping = Object.entries(node.discriminator.mapping ?? {}).map(([value, target]) => `${value} → ${String(target).split("/").pop()}`);
      group.append(el("div", { class: "fact" }, "discriminator: ", el("code", {}, node.discriminator.propertyName), mapping.length ? ` (${mapping.join(", ")})` : ""));
    }
    node[kind].forEach((option, index) => {
      const { node: target, name } = follow(option, ctx.schemas, ctx.open);
      group.append(row(name ?? target?.title ?? `option ${index + 1}`, option, false, ctx));
    });
    list.append(group);
  }
  return list;
}

// The whole tree of one schema: its type line and description, first level open.
export function schemaTree(schema, schemas) {
  const ctx = { schemas, open: new Set() };
  const { node, name, recursive } = follow(schema, schemas, ctx.open);
  const flat = flatten(node, schemas, ctx.open);
  if (name) ctx.open.add(name);
  const tree = el("div", { class: "schema" },
    el("div", { class: "schema-type" }, typeLabel(schema, schemas), " ", badges(flat ?? {}, false, recursive)));
  if (flat?.description) tree.append(markdown(flat.description, "markdown small"));
  if (flat && typeof flat === "object") tree.append(...facts(flat));
  if (hasChildren(flat)) tree.append(children(flat, ctx));
  return tree;
}

// ---- the quick check as you type (the server's validation is the judge) ----------------------
function typeOf(value) {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

export function checkSchema(schema, value, pointer, errors, schemas, depth = 0) {
  if (errors.length > 50 || depth > 64) return;
  const { node, recursive } = follow(schema, schemas, new Set());
  if (recursive || !node || typeof node !== "object") return;
  for (const part of node.allOf ?? []) checkSchema(part, value, pointer, errors, schemas, depth + 1);
  const { listed, nullable } = types(node);
  const actual = typeOf(value);
  if (listed.length && !(nullable && actual === "null") && !listed.includes(actual) && !(actual === "integer" && listed.includes("number"))) {
    errors.push({ pointer: pointer || "/", detail: `expected ${listed.join(" or ")}, got ${actual}` });
    return;
  }
  if (node.enum && !node.enum.some((option) => json(option) === json(value))) errors.push({ pointer, detail: `must be one of ${node.enum.map(json).join(", ")}` });
  if (actual === "string") {
    if (node.minLength != null && value.length < node.minLength) errors.push({ pointer, detail: `shorter than ${node.minLength}` });
    if (node.maxLength != null && value.length > node.maxLength) errors.push({ pointer, detail: `longer than ${node.maxLength}` });
    if (node.pattern) { try { if (!new RegExp(node.pattern, "u").test(value)) errors.push({ pointer, detail: `does not match ${node.pattern}` }); } catch { /* a pattern the browser cannot read */ } }
  }
  if (actual === "integer" || actual === "number") {
    if (node.minimum != null && value < node.minimum) errors.push({ pointer, detail: `less than ${node.minimum}` });
    if (node.maximum != null && value > node.maximum) errors.push({ pointer, detail: `greater than ${node.maximum}` });
  }
  if (actual === "array") {
    if (node.minItems != null && value.length < node.minItems) errors.push({ pointer, detail: `fewer than ${node.minItems} items` });
    value.forEach((item, index) => checkSchema(node.items, item, `${pointer}/${index}`, errors, schemas, depth + 1));
  }
  if (actual === "object") {
    for (const name of node.required ?? []) if (!(name in value)) errors.push({ pointer: `${pointer}/${name}`, detail: "required" });
    for (const [name, item] of Object.entries(value)) {
      if (node.properties && name in node.properties) checkSchema(node.properties[name], item, `${pointer}/${name}`, errors, schemas, depth + 1);
    }
  }
}
