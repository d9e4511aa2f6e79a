// The reference pane: an API's overview, or one operation as its description documents it
// (summary, description, security, parameters, request body, responses, callbacks).

import { $, el, markdown, pretty } from "./dom.js";
import { breakable, groupOperations, operationHash } from "./nav.js";
import { constraints, schemaTree, typeLabel } from "./schema.js";

const LOCATIONS = [["path", "Path parameters"], ["query", "Query parameters"], ["header", "Header parameters"], ["cookie", "Cookie parameters"]];

function section(title, ...content) {
  return el("section", { class: "ref-section" }, el("h3", {}, title), ...content);
}

function examplesBlock(media) {
  const items = [...media.examples];
  if (media.example !== null && media.example !== undefined) items.unshift({ name: "example", value: media.example });
  if (!items.length) return null;
  return el("div", { class: "ref-examples" }, ...items.map((example, index) => el("details", { class: "example", open: index === 0 },
    el("summary", {}, `Example: ${example.name}`, example.summary ? ` · ${example.summary}` : ""),
    example.description ? markdown(example.description, "markdown small") : null,
    el("pre", {}, pretty(example.value)))));
}

function describeScheme(name, scheme) {
  if (!scheme) return `${name} (not defined in the description)`;
  if (scheme.kind === "http") return `${name}: HTTP ${scheme.scheme ?? "basic"}${scheme.bearer_format ? ` (${scheme.bearer_format})` : ""}`;
  if (scheme.kind === "apiKey") return `${name}: API key in ${scheme.location} "${scheme.parameter_name}"`;
  return `${name}: ${scheme.kind}`;
}

function securitySection(api, op) {
  if (!op.security.length) return section("Security", el("p", { class: "muted" }, "No credentials needed."));
  const alternatives = op.security.map((names) => el("li", {},
    names.length ? names.map((name) => describeScheme(name, api.security_schemes[name])).join(" and ") : "anonymous access"));
  const described = [...new Set(op.security.flat())].map((name) => api.security_schemes[name]?.description).filter(Boolean);
  return section("Security", el("p", { class: "muted small" }, op.security.length > 1 ? "Any one of:" : "Requires:"),
    el("ul", { class: "security" }, alternatives), ...described.map((text) => markdown(text, "markdown small")));
}

function parameterRow(parameter, schemas) {
  const schema = parameter.schema ?? {};
  const resolved = schema.$ref ? schemas[schema.$ref] ?? {} : schema;
  const enumValues = Array.isArray(resolved.enum) ? resolved.enum : null;
  const example = parameter.example ?? parameter.examples[0]?.value ?? resolved.example ?? resolved.examples?.[0];
  return el("tr", { "data-param": `${parameter.in}:${parameter.name}` },
    el("td", {}, el("code", { class: "prop-name" }, parameter.name), " ",
      parameter.required ? el("div", { class: "badge required" }, "required") : null,
      parameter.deprecated ? el("div", { class: "badge deprecated" }, "deprecated") : null),
    el("td", {}, el("span", { class: "prop-type" }, typeLabel(schema, schemas))),
    el("td", {}, markdown(parameter.description, "markdown small"),
      enumValues ? el("div", { class: "fact" }, "one of: ", ...enumValues.map((v) => el("code", {}, JSON.stringify(v)))) : null,
      resolved.default !== undefined ? el("div", { class: "fact" }, "default: ", el("code", {}, JSON.stringify(resolved.default))) : null,
      example !== undefined ? el("div", { class: "fact" }, "example: ", el("code", {}, JSON.stringify(example))) : null,
      ...constraints(resolved).map((said) => el("span", { class: "fact" }, said))));
}

function parameterSections(op) {
  return LOCATIONS.map(([where, title]) => {
    const listed = op.parameters.filter((p) => p.in === where);
    if (!listed.length) return null;
    return section(title, el("table", { class: "params" },
      el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Name"), el("th", { scope: "col" }, "Type"), el("th", { scope: "col" }, "Description"))),
      el("tbody", {}, listed.map((p) => parameterRow(p, op.schemas)))));
  });
}

function mediaBlocks(mediaTypes, schemas) {
  return mediaTypes.map((media) => el("div", { class: "media" },
    el("div", { class: "media-type" }, el("code", {}, media.media_type)),
    media.schema ? schemaTree(media.schema, schemas) : el("p", { class: "muted small" }, "No schema."),
    examplesBlock(media)));
}

function bodySection(op) {
  if (!op.body) return null;
  return section("Request body",
    el("p", {}, op.body.required ? el("span", { class: "badge required" }, "required") : el("span", { class: "muted small" }, "optional")),
    markdown(op.body.description, "markdown"), ...mediaBlocks(op.body.media_types, op.schemas));
}

function statusClass(status) { return `code c${String(status)[0]}`; }

function responsesSection(op) {
  const firstSuccess = op.responses.find((r) => r.status.startsWith("2")) ?? op.responses[0];
  return section("Responses", ...op.responses.map((response) => el("details", { class: "response-doc", open: response === firstSuccess, "data-status": response.status },
    el("summary", {}, el("span", { class: statusClass(response.status) }, response.status), " ", el("span", {}, response.description?.split("\n")[0] ?? "")),
    markdown(response.description && response.description.includes("\n") ? response.description : "", "markdown small"),
    response.headers.length ? el("table", { class: "params" }, el("caption", {}, "Headers"),
      el("tbody", {}, response.headers.map((header) => el("tr", {},
        el("td", {}, el("code", { class: "prop-name" }, header.name), header.required ? el("div", { class: "badge required" }, "required") : null),
        el("td", {}, el("span", { class: "prop-type" }, typeLabel(header.schema ?? {}, op.schemas))),
        el("td", {}, markdown(header.description, "markdown small")))))) : null,
    ...mediaBlocks(response.content, op.schemas))));
}

function callbacksSection(op) {
  if (!op.callbacks.length) return null;
  return section("Callbacks", ...op.callbacks.map((callback) => el("div", { class: "callback" },
    el("h4", {}, callback.name, " ", el("code", { class: "path" }, callback.expression)),
    ...callback.operations.map((cop) => el("div", { class: "callback-op" },
      el("p", {}, el("span", { class: `method ${cop.method}` }, cop.method), " ", cop.summary ?? ""),
      markdown(cop.description, "markdown small"),
      ...cop.body.map((media) => el("div", { class: "media" }, el("div", { class: "media-type" }, "Request body ", el("code", {}, media.media_type)),
        media.schema ? schemaTree(media.schema, op.schemas) : null)),
      cop.responses.length ? el("ul", {}, cop.responses.map((r) => el("li", {}, el("span", { class: statusClass(r.status) }, r.status), " ", r.description ?? ""))) : null)))));
}

export function renderOperationReference(api, op) {
  const pane = $("reference");
  pane.replaceChildren(el("article", { class: "ref", "aria-labelledby": "ref-title" },
    el("p", { class: "crumbs muted small" }, el("a", { href: `#/${encodeURIComponent(api.name)}` }, api.title), op.tags[0] === "default" ? "" : ` / ${op.tags.join(", ")}`),
    el("h2", { id: "ref-title" }, op.summary || op.key, op.deprecated ? el("span", { class: "badge deprecated" }, "deprecated") : null),
    el("p", { class: "endpoint" }, el("span", { class: `method ${op.method}` }, op.method), " ", el("code", { class: "path" }, breakable(api.mount + op.path, "/"))),
    op.operation_id ? el("p", { class: "muted small" }, "operationId ", el("code", {}, op.operation_id)) : null,
    op.deprecated ? el("p", { class: "note warning" }, "This operation is deprecated: the description advises against new use.") : null,
    markdown(op.description, "markdown"),
    securitySection(api, op), ...parameterSections(op), bodySection(op), responsesSection(op), callbacksSection(op)));
  pane.scrollTop = 0;
}

export function renderApiOverview(api) {
  const pane = $("reference");
  pane.replaceChildren(el("article", { class: "ref", "aria-labelledby": "ref-title" },
    el("h2", { id: "ref-title" }, api.title, " ", el("span", { class: "muted" }, api.version)),
    el("p", { class: "muted small" }, `Mounted at ${api.mount} · effective mode ${api.mode} (${api.mode_source})`),
    markdown(api.description, "markdown"),
    ...[...groupOperations(api)].filter(([, ops]) => ops.length).map(([name, ops]) => section(name,
      markdown(api.tags.find((tag) => tag.name === name)?.description, "markdown small"),
      el("ul", { class: "overview-ops" }, ops.map((op) => el("li", {},
        el("a", { href: operationHash(api.name, op.key) }, el("span", { class: `method ${op.method}` }, op.method), " ", op.summary || op.key))))))));
  pane.scrollTop = 0;
}
