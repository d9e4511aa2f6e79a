// mockproxy API Explorer: pick an operation, fill it in, send it to the mock or live, copy it.
// Plain ES module, no dependencies. State lives in the page; environments and history in localStorage.

const $ = (id) => document.getElementById(id);
const ENV_KEY = "mockproxy.environments";
const HISTORY_KEY = "mockproxy.history";
const HISTORY_MAX = 50;

let catalog = { mock_prefix: "/_mock", apis: [] };
let current = null; // { api, op }
let state = null; // what the form holds

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (value !== undefined && value !== null) node.setAttribute(key, value);
  }
  for (const child of children.flat()) node.append(child instanceof Node ? child : String(child));
  return node;
}

function load(key, fallback) {
  try { return JSON.parse(localStorage.getItem(key)) ?? fallback; } catch { return fallback; }
}
function save(key, value) { localStorage.setItem(key, JSON.stringify(value)); }

// ---- environments ---------------------------------------------------------------------------
function environments() { return load(ENV_KEY, []); }
function renderEnvironments(selected) {
  const select = $("environment");
  select.replaceChildren(
    el("option", { value: "mock" }, "Mock server"),
    el("option", { value: "live" }, "Live"),
    ...environments().map((env) => el("option", { value: `env:${env.name}` }, `${env.name} (${env.target})`)),
  );
  select.value = selected ?? "mock";
}
function activeEnvironment() {
  const value = $("environment").value;
  if (value.startsWith("env:")) {
    const env = environments().find((e) => `env:${e.name}` === value);
    if (env) return env;
  }
  return { name: value, target: value === "live" ? "live" : "mock", variables: {} };
}
function openEnvDialog() {
  const env = activeEnvironment();
  const named = $("environment").value.startsWith("env:");
  $("env-name").value = named ? env.name : "";
  $("env-target").value = env.target;
  $("env-vars").value = Object.entries(env.variables || {}).map(([k, v]) => `${k}=${v}`).join("\n");
  $("env-dialog").showModal();
}
function saveEnvironment() {
  const name = $("env-name").value.trim();
  if (!name) { $("env-name").focus(); return; }
  const variables = {};
  for (const line of $("env-vars").value.split("\n")) {
    const at = line.indexOf("=");
    if (at > 0) variables[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  const list = environments().filter((e) => e.name !== name);
  list.push({ name, target: $("env-target").value, variables });
  save(ENV_KEY, list);
  renderEnvironments(`env:${name}`);
  $("env-dialog").close();
  if (current) applyEnvironmentVariables();
}
function deleteEnvironment() {
  const name = $("env-name").value.trim();
  save(ENV_KEY, environments().filter((e) => e.name !== name));
  renderEnvironments("mock");
  $("env-dialog").close();
}
function applyEnvironmentVariables() {
  const vars = activeEnvironment().variables || {};
  for (const [name, value] of Object.entries(vars)) {
    if (name in state.path && !state.path[name]) state.path[name] = value;
  }
  renderUrl();
  renderPreview();
}

// ---- operation list -------------------------------------------------------------------------
function renderOperations() {
  const term = $("search").value.trim().toLowerCase();
  const container = $("operations");
  container.replaceChildren();
  for (const api of catalog.apis) {
    const byTag = new Map();
    for (const op of api.operations) {
      const text = `${op.method} ${op.path} ${op.key} ${op.summary ?? ""}`.toLowerCase();
      if (term && !text.includes(term)) continue;
      for (const tag of op.tags) {
        if (!byTag.has(tag)) byTag.set(tag, []);
        byTag.get(tag).push(op);
      }
    }
    if (!byTag.size) continue;
    container.append(el("div", { class: "api-title" }, `${api.title} `, el("span", { class: "muted" }, api.version)));
    for (const [tag, ops] of byTag) {
      container.append(el("div", { class: "tag-title" }, tag));
      for (const op of ops) {
        const selected = current && current.op === op;
        container.append(el("button", {
          type: "button", class: "op", "data-key": op.key, "aria-current": selected ? "true" : "false",
          onclick: () => selectOperation(api, op),
        }, el("span", { class: `method ${op.method}` }, op.method), el("span", { class: "path" }, op.path),
        el("span", { class: "visually-hidden" }, op.summary ?? "")));
      }
    }
  }
}

// ---- request form ---------------------------------------------------------------------------
function freshState(api, op) {
  const params = (where) => op.parameters.filter((p) => p.in === where);
  const row = (p) => ({ name: p.name, value: p.example != null ? String(p.example) : "", required: p.required, documented: true, description: p.description });
  const media = op.body ? op.body.media_types[0] : null;
  return {
    api: api.name, op: op.key, env: $("environment").value,
    path: Object.fromEntries(params("path").map((p) => [p.name, p.example != null ? String(p.example) : ""])),
    query: params("query").map(row), headers: params("header").map(row), cookies: params("cookie").map(row),
    security: {}, mediaType: media ? media.media_type : null, example: "",
    body: media && media.default != null ? JSON.stringify(media.default, null, 2) : "",
  };
}

function selectOperation(api, op, restored) {
  current = { api, op };
  state = restored ?? freshState(api, op);
  $("empty").hidden = true;
  $("request").hidden = false;
  $("op-title").textContent = `${op.summary || op.key}`;
  $("op-description").textContent = op.description || "";
  $("method").textContent = op.method;
  $("method").className = `method ${op.method}`;
  if (!restored) applyEnvironmentVariables();
  renderExamples();
  renderSecurity();
  $("body").value = state.body;
  renderRows("query", "panel-query", "query parameter");
  renderRows("headers", "panel-headers", "header");
  renderRows("cookies", "panel-cookies", "cookie");
  selectTab(op.body ? "body" : (securitySchemes().length ? "security" : "query"));
  $("tab-body").disabled = !op.body;
  renderUrl();
  checkBody();
  renderPreview();
  renderOperations();
}

function renderUrl() {
  const url = $("url");
  url.replaceChildren();
  const { op } = current;
  const base = basePath();
  url.append(el("span", {}, location.origin + base));
  const parts = op.path.split(/(\{[^}]+\})/);
  for (const part of parts) {
    const match = part.match(/^\{(.+)\}$/);
    if (!match) { if (part) url.append(el("span", {}, part)); continue; }
    const name = match[1];
    const input = el("input", {
      id: `path-${name}`, "aria-label": `path parameter ${name}`, placeholder: name, value: state.path[name] ?? "",
      class: state.path[name] ? "" : "missing", "data-pointer": `/path/${name}`,
      oninput: (event) => { state.path[name] = event.target.value; event.target.classList.toggle("missing", !event.target.value); renderPreview(); },
    });
    url.append(input);
  }
}

function basePath() {
  const api = current.api;
  const env = activeEnvironment();
  return (env.target === "live" ? "" : catalog.mock_prefix) + api.mount;
}

function renderExamples() {
  const { op } = current;
  const media = op.body ? op.body.media_types.find((m) => m.media_type === state.mediaType) : null;
  const select = $("example");
  select.replaceChildren(el("option", { value: "" }, media ? "(default body)" : "(no request examples)"));
  for (const example of media ? media.examples : []) {
    select.append(el("option", { value: example.name }, example.summary ? `${example.name}: ${example.summary}` : example.name));
  }
  select.value = state.example || "";
  const types = $("media-type");
  types.replaceChildren(...(op.body ? op.body.media_types.map((m) => el("option", { value: m.media_type }, m.media_type)) : [el("option", { value: "" }, "(no body)")]));
  types.value = state.mediaType ?? "";
}

function chooseExample(name) {
  const media = current.op.body?.media_types.find((m) => m.media_type === state.mediaType);
  if (!media) return;
  state.example = name;
  const example = media.examples.find((e) => e.name === name);
  const value = example ? example.value : media.default;
  state.body = typeof value === "string" ? value : JSON.stringify(value, null, 2);
  $("body").value = state.body;
  checkBody();
  renderPreview();
}

function securitySchemes() {
  const { api, op } = current;
  const names = [...new Set(op.security.flat())];
  return names.map((name) => ({ name, ...(api.security_schemes[name] || { kind: "unknown" }) }));
}

function renderSecurity() {
  const panel = $("panel-security");
  panel.replaceChildren();
  const schemes = securitySchemes();
  if (!schemes.length) { panel.append(el("p", { class: "muted" }, "This operation needs no credentials.")); return; }
  panel.append(el("p", { class: "muted" }, "Credentials are simulated by the mock: any value of the right kind is accepted."));
  for (const scheme of schemes) {
    const values = state.security[scheme.name] ??= {};
    const field = (key, label, type = "text") => el("div", { class: "field" },
      el("label", { for: `sec-${scheme.name}-${key}` }, label),
      el("input", { id: `sec-${scheme.name}-${key}`, type, value: values[key] ?? "", autocomplete: "off",
        oninput: (event) => { values[key] = event.target.value; renderPreview(); } }));
    panel.append(el("h3", {}, `${scheme.name} `, el("span", { class: "muted" }, describeScheme(scheme))));
    if (scheme.kind === "http" && (scheme.scheme ?? "basic") === "basic") {
      panel.append(field("user", `${scheme.name} user name`), field("password", `${scheme.name} password`, "password"));
    } else if (scheme.kind === "apiKey") {
      panel.append(field("value", `${scheme.name} (${scheme.location} ${scheme.parameter_name})`));
    } else {
      panel.append(field("token", `${scheme.name} bearer token`));
    }
  }
}
function describeScheme(scheme) {
  if (scheme.kind === "http") return `HTTP ${scheme.scheme ?? "basic"}`;
  if (scheme.kind === "apiKey") return `API key in ${scheme.location} ${scheme.parameter_name}`;
  return scheme.kind;
}

function renderRows(kind, panelId, noun) {
  const panel = $(panelId);
  panel.replaceChildren();
  state[kind].forEach((row, index) => {
    const name = el("input", { "aria-label": `${noun} ${index + 1} name`, value: row.name, placeholder: "name",
      oninput: (event) => { row.name = event.target.value; renderPreview(); } });
    const value = el("input", { "aria-label": `${noun} ${row.name || index + 1} value`, value: row.value, placeholder: "value",
      class: row.required && !row.value ? "missing" : "", "data-pointer": pointerFor(kind, row.name),
      oninput: (event) => { row.value = event.target.value; event.target.classList.toggle("missing", row.required && !row.value); renderPreview(); } });
    const remove = el("button", { type: "button", "aria-label": `remove ${noun} ${row.name || index + 1}`,
      onclick: () => { state[kind].splice(index, 1); renderRows(kind, panelId, noun); renderPreview(); } }, "✕");
    panel.append(el("div", { class: "row" }, name, value, remove,
      row.documented ? el("div", { class: "hint" }, `${row.required ? "required · " : ""}${row.description ?? "documented"}`) : ""));
  });
  panel.append(el("button", { type: "button", onclick: () => { state[kind].push({ name: "", value: "" }); renderRows(kind, panelId, noun); } }, `Add ${noun}`));
}
function pointerFor(kind, name) {
  return { query: "/query/", headers: "/header/", cookies: "/cookie/" }[kind] + name;
}

function selectTab(name) {
  for (const tab of ["security", "body", "query", "headers", "cookies"]) {
    $(`tab-${tab}`).setAttribute("aria-selected", String(tab === name));
    $(`panel-${tab}`).hidden = tab !== name;
  }
}

// ---- building the request -------------------------------------------------------------------
function buildRequest() {
  const { op } = current;
  let path = op.path.replace(/\{([^}]+)\}/g, (_, name) => encodeURIComponent(state.path[name] ?? ""));
  const query = state.query.filter((r) => r.name && (r.value || r.required)).map((r) => [r.name, r.value]);
  const headers = state.headers.filter((r) => r.name && r.value).map((r) => [r.name, r.value]);
  const cookies = state.cookies.filter((r) => r.name && r.value).map((r) => [r.name, r.value]);
  for (const scheme of securitySchemes()) {
    const values = state.security[scheme.name] || {};
    if (scheme.kind === "http" && (scheme.scheme ?? "basic") === "basic") {
      if (values.user || values.password) headers.push(["Authorization", `Basic ${btoa(`${values.user ?? ""}:${values.password ?? ""}`)}`]);
    } else if (scheme.kind === "apiKey") {
      if (values.value) ({ query, header: headers, cookie: cookies })[scheme.location]?.push([scheme.parameter_name, values.value]);
    } else if (values.token) {
      headers.push(["Authorization", `Bearer ${values.token}`]);
    }
  }
  // keeps the browser from opening its own login dialog over a 401 (the mock honours it)
  headers.push(["X-Requested-With", "XMLHttpRequest"]);
  const body = op.body && state.body ? state.body : null;
  if (body !== null && state.mediaType && !headers.some(([n]) => n.toLowerCase() === "content-type")) {
    headers.push(["Content-Type", state.mediaType]);
  }
  const search = query.length ? "?" + query.map(([n, v]) => `${encodeURIComponent(n)}=${encodeURIComponent(v)}`).join("&") : "";
  return { method: op.method, url: location.origin + basePath() + path + search, headers, cookies, body };
}

function shellQuote(text) { return `'${String(text).replaceAll("'", `'\\''`)}'`; }

function asCurl(request) {
  const parts = ["curl", "-sS", "-X", request.method, shellQuote(request.url)];
  for (const [name, value] of request.headers) parts.push("-H", shellQuote(`${name}: ${value}`));
  if (request.cookies.length) parts.push("--cookie", shellQuote(request.cookies.map(([n, v]) => `${n}=${v}`).join("; ")));
  if (request.body !== null) parts.push("--data-binary", shellQuote(request.body));
  return parts.join(" ");
}

function pyString(text) { return JSON.stringify(String(text)); }
function asPython(request) {
  const lines = ["import requests", "", "response = requests.request(", `    ${pyString(request.method)},`, `    ${pyString(request.url)},`];
  lines.push(`    headers={${request.headers.map(([n, v]) => `${pyString(n)}: ${pyString(v)}`).join(", ")}},`);
  if (request.cookies.length) lines.push(`    cookies={${request.cookies.map(([n, v]) => `${pyString(n)}: ${pyString(v)}`).join(", ")}},`);
  if (request.body !== null) lines.push(`    data=${pyString(request.body)}.encode("utf-8"),`);
  lines.push(")", "print(response.status_code)", "print(response.text)");
  return lines.join("\n");
}

function renderPreview() {
  if (!current) return;
  const request = buildRequest();
  const url = new URL(request.url);
  const lines = [`${request.method} ${url.pathname}${url.search} HTTP/1.1`, `Host: ${url.host}`,
    ...request.headers.map(([n, v]) => `${n}: ${v}`)];
  if (request.cookies.length) lines.push(`Cookie: ${request.cookies.map(([n, v]) => `${n}=${v}`).join("; ")}`);
  $("preview").textContent = lines.join("\n") + (request.body !== null ? `\n\n${request.body}` : "");
  $("preview").dataset.curl = asCurl(request);
  $("preview").dataset.python = asPython(request);
}

async function copy(kind) {
  renderPreview();
  const text = $("preview").dataset[kind];
  $("copied").value = text;
  try { await navigator.clipboard.writeText(text); } catch { /* the text stays in the box below */ }
}

// ---- the schema check as you type -----------------------------------------------------------
function typeOf(value) {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}
function checkSchema(schema, value, pointer, errors) {
  if (!schema || typeof schema !== "object" || errors.length > 50) return;
  for (const part of schema.allOf ?? []) checkSchema(part, value, pointer, errors);
  const types = schema.type === undefined ? [] : [].concat(schema.type);
  const actual = typeOf(value);
  if (types.length && !types.includes(actual) && !(actual === "integer" && types.includes("number"))) {
    errors.push(`${pointer || "/"}: expected ${types.join(" or ")}, got ${actual}`);
    return;
  }
  if (schema.enum && !schema.enum.some((option) => JSON.stringify(option) === JSON.stringify(value))) errors.push(`${pointer}: must be one of ${schema.enum.map((v) => JSON.stringify(v)).join(", ")}`);
  if (actual === "string") {
    if (schema.minLength != null && value.length < schema.minLength) errors.push(`${pointer}: shorter than ${schema.minLength}`);
    if (schema.maxLength != null && value.length > schema.maxLength) errors.push(`${pointer}: longer than ${schema.maxLength}`);
    if (schema.pattern) { try { if (!new RegExp(schema.pattern, "u").test(value)) errors.push(`${pointer}: does not match ${schema.pattern}`); } catch { /* pattern the browser cannot read */ } }
  }
  if (actual === "integer" || actual === "number") {
    if (schema.minimum != null && value < schema.minimum) errors.push(`${pointer}: less than ${schema.minimum}`);
    if (schema.maximum != null && value > schema.maximum) errors.push(`${pointer}: greater than ${schema.maximum}`);
  }
  if (actual === "array") {
    if (schema.minItems != null && value.length < schema.minItems) errors.push(`${pointer}: fewer than ${schema.minItems} items`);
    value.forEach((item, index) => checkSchema(schema.items, item, `${pointer}/${index}`, errors));
  }
  if (actual === "object") {
    for (const name of schema.required ?? []) if (!(name in value)) errors.push(`${pointer}/${name}: required`);
    for (const [name, item] of Object.entries(value)) {
      if (schema.properties && name in schema.properties) checkSchema(schema.properties[name], item, `${pointer}/${name}`, errors);
    }
  }
}
function checkBody() {
  const list = $("body-errors");
  list.replaceChildren();
  const media = current.op.body?.media_types.find((m) => m.media_type === state.mediaType);
  if (!media || !state.body.trim() || !/json/.test(media.media_type)) return;
  let value;
  try { value = JSON.parse(state.body); } catch (error) { list.append(el("li", {}, `Not valid JSON: ${error.message}`)); return; }
  const errors = [];
  checkSchema(media.schema, value, "", errors);
  for (const message of errors) list.append(el("li", {}, `body${message}`));
}

// ---- sending --------------------------------------------------------------------------------
function clearFieldErrors() { document.querySelectorAll(".field-error").forEach((node) => node.remove()); }
function showFieldErrors(errors) {
  clearFieldErrors();
  for (const error of errors) {
    const pointer = error.pointer || "";
    const target = document.querySelector(`[data-pointer="${CSS.escape(pointer)}"]`);
    const message = el("div", { class: "field-error", role: "alert" }, `${pointer}: ${error.detail}`);
    if (target) target.after(message);
    else if (pointer.startsWith("/body")) $("body-errors").append(el("li", { class: "field-error" }, `${pointer}: ${error.detail}`));
    else $("response-body").before(message);
  }
}

async function send(event) {
  event?.preventDefault();
  const request = buildRequest();
  const cookieNames = request.cookies.map(([name, value]) => { document.cookie = `${name}=${encodeURIComponent(value)}; path=/`; return name; });
  const started = performance.now();
  let status = 0, text = "", headers = [];
  try {
    const response = await fetch(request.url, { method: request.method, headers: request.headers, body: request.body, credentials: "same-origin" });
    status = response.status;
    headers = [...response.headers.entries()];
    text = await response.text();
  } catch (error) {
    text = `Request failed: ${error.message}`;
  } finally {
    for (const name of cookieNames) document.cookie = `${name}=; path=/; max-age=0`;
  }
  const elapsed = Math.round(performance.now() - started);
  showResponse(status, elapsed, headers, text);
  addHistory({ when: new Date().toISOString(), method: request.method, url: request.url, status, ms: elapsed, state: structuredClone(state) });
}

function showResponse(status, elapsed, headers, text) {
  $("response").hidden = false;
  $("status").textContent = status || "error";
  $("status").className = `status ${status >= 200 && status < 400 ? "ok" : "error"}`;
  $("elapsed").textContent = `${elapsed} ms`;
  $("response-headers").replaceChildren(...headers.map(([n, v]) => el("tr", {}, el("td", {}, n), el("td", {}, v))));
  let pretty = text, parsed = null;
  try { parsed = JSON.parse(text); pretty = JSON.stringify(parsed, null, 2); } catch { /* not JSON: shown as is */ }
  $("response-body").textContent = pretty;
  const violations = headers.find(([n]) => n.toLowerCase() === "x-mockproxy-violations");
  const errors = parsed?.errors ?? (violations ? JSON.parse(violations[1]) : []);
  showFieldErrors(Array.isArray(errors) ? errors.filter((e) => e && typeof e === "object") : []);
}

// ---- history --------------------------------------------------------------------------------
function addHistory(entry) {
  const list = load(HISTORY_KEY, []);
  list.unshift(entry);
  save(HISTORY_KEY, list.slice(0, HISTORY_MAX));
  renderHistory();
}
function renderHistory() {
  const list = $("history");
  list.replaceChildren(...load(HISTORY_KEY, []).map((entry, index) => el("li", {},
    el("button", { type: "button", "data-index": index, onclick: () => reopen(entry) },
      el("span", { class: `method ${entry.method}` }, entry.method), " ", `${entry.status} · ${new URL(entry.url).pathname} · ${entry.ms} ms`))));
}
function reopen(entry) {
  const api = catalog.apis.find((a) => a.name === entry.state.api);
  const op = api?.operations.find((o) => o.key === entry.state.op);
  if (!op) return;
  renderEnvironments(entry.state.env);
  selectOperation(api, op, structuredClone(entry.state));
}

// ---- start ----------------------------------------------------------------------------------
async function start() {
  renderEnvironments("mock");
  const response = await fetch("api/catalog");
  catalog = await response.json();
  renderOperations();
  renderHistory();
  $("search").addEventListener("input", renderOperations);
  $("environment").addEventListener("change", () => { if (current) { state.env = $("environment").value; applyEnvironmentVariables(); } });
  $("manage-envs").addEventListener("click", openEnvDialog);
  $("env-save").addEventListener("click", saveEnvironment);
  $("env-delete").addEventListener("click", deleteEnvironment);
  $("clear-history").addEventListener("click", () => { save(HISTORY_KEY, []); renderHistory(); });
  $("request").addEventListener("submit", send);
  $("example").addEventListener("change", (event) => chooseExample(event.target.value));
  $("media-type").addEventListener("change", (event) => { state.mediaType = event.target.value; renderExamples(); chooseExample(""); });
  $("body").addEventListener("input", (event) => { state.body = event.target.value; checkBody(); renderPreview(); });
  $("copy-curl").addEventListener("click", () => copy("curl"));
  $("copy-python").addEventListener("click", () => copy("python"));
  for (const tab of ["security", "body", "query", "headers", "cookies"]) $(`tab-${tab}`).addEventListener("click", () => selectTab(tab));
  document.body.dataset.ready = "true";
}

start();
