// The console: the request for the chosen operation, filled from the description, checked
// before it goes out, sent to the mock or live, shown with its answer, and copied as a program.

import { $, el, formatBytes, pretty } from "./dom.js";
import { preferHeader, renderMockPanel, setUpMockPanel } from "./mockpanel.js";
import { checkSchema } from "./schema.js";
import { FORMATS } from "./snippets.js";
import { activeEnvironment, addHistory } from "./store.js";

const TABS = ["query", "body", "headers", "cookies", "security"];
const NOUNS = { query: "query parameter", headers: "header", cookies: "cookie" };
const POINTERS = { query: "/query/", headers: "/header/", cookies: "/cookie/" };

let context = null; // { api, op, state, route, mockPrefix }
let reopenHandler = () => {};

function text(value) { return value === null || value === undefined ? "" : typeof value === "string" ? value : JSON.stringify(value); }

// the values a field may take, when the schema lists them (an enum, or a boolean)
function choices(schema, schemas) {
  let node = schema;
  for (let hop = 0; hop < 8 && node?.$ref; hop += 1) node = schemas[node.$ref];
  if (!node || typeof node !== "object") return null;
  if (Array.isArray(node.enum)) return node.enum.map(text);
  if ([].concat(node.type ?? []).includes("boolean")) return ["true", "false"];
  return null;
}

export function freshState(api, op) {
  const params = (where) => op.parameters.filter((p) => p.in === where);
  const row = (p) => ({ name: p.name, value: text(p.start), required: p.required, enabled: p.required, documented: true,
    description: p.description, options: choices(p.schema, op.schemas) });
  const media = op.body?.media_types[0] ?? null;
  return {
    api: api.name, op: op.key, env: $("environment").value,
    path: Object.fromEntries(params("path").map((p) => [p.name, text(p.start)])),
    query: params("query").map(row), headers: params("header").map(row), cookies: params("cookie").map(row),
    security: {}, mediaType: media?.media_type ?? null, example: "",
    body: media && media.start !== null ? pretty(media.start) : "",
    mock: { code: "", media: "", example: "", dynamic: false, seed: "" },
  };
}

// ---- the form ------------------------------------------------------------------------------
function renderUrl() {
  const { op, state } = context;
  const url = $("url");
  url.replaceChildren(el("span", { class: "base" }, location.origin + basePath()));
  for (const part of op.path.split(/(\{[^}]+\})/)) {
    const match = part.match(/^\{(.+)\}$/);
    if (!match) { if (part) url.append(el("span", {}, part)); continue; }
    const name = match[1];
    url.append(el("input", {
      id: `path-${name}`, "aria-label": `path parameter ${name}`, placeholder: name, value: state.path[name] ?? "",
      class: state.path[name] ? "" : "missing", "data-pointer": `/path/${name}`, size: Math.max(4, (state.path[name] || name).length),
      oninput: (event) => {
        state.path[name] = event.target.value;
        event.target.classList.toggle("missing", !event.target.value);
        event.target.size = Math.max(4, (event.target.value || name).length);
        changed();
      },
    }));
  }
}

function renderRows(kind) {
  const { state } = context;
  const panel = $(`panel-${kind}`);
  const noun = NOUNS[kind];
  panel.replaceChildren();
  state[kind].forEach((row, index) => {
    const label = row.name || String(index + 1);
    const include = el("input", { type: "checkbox", "aria-label": `send ${noun} ${label}`, checked: row.enabled || row.required, disabled: row.required,
      onchange: (event) => { row.enabled = event.target.checked; changed(); } });
    const name = el("input", { "aria-label": `${noun} ${index + 1} name`, value: row.name, placeholder: "name", readonly: row.documented,
      oninput: (event) => { row.name = event.target.value; changed(); } });
    const value = el(row.options ? "select" : "input", { "aria-label": `${noun} ${label} value`, value: row.value, placeholder: "value",
      class: row.required && !row.value ? "missing" : "", "data-pointer": POINTERS[kind] + row.name,
      [row.options ? "onchange" : "oninput"]: (event) => {
        row.value = event.target.value;
        row.enabled = true;
        include.checked = true;
        event.target.classList.toggle("missing", row.required && !row.value);
        changed();
      } },
    ...(row.options ? ["", ...row.options].map((option) => el("option", { value: option, selected: option === row.value }, option || "(empty)")) : []));
    const remove = row.documented ? el("span") : el("button", { type: "button", "aria-label": `remove ${noun} ${label}`,
      onclick: () => { state[kind].splice(index, 1); renderRows(kind); changed(); } }, "✕");
    panel.append(el("div", { class: "row" }, include, name, value, remove,
      row.documented ? el("div", { class: "hint" }, `${row.required ? "required · " : ""}${row.description ?? ""}`) : null));
  });
  if (!state[kind].length) panel.append(el("p", { class: "muted small" }, `No documented ${noun}s.`));
  panel.append(el("button", { type: "button", class: "small", onclick: () => { state[kind].push({ name: "", value: "", enabled: true }); renderRows(kind); } }, `Add ${noun}`));
}

function securitySchemes() {
  const { api, op } = context;
  return [...new Set(op.security.flat())].map((name) => ({ name, ...(api.security_schemes[name] ?? { kind: "unknown" }) }));
}

function renderSecurity() {
  const panel = $("panel-security");
  const schemes = securitySchemes();
  panel.replaceChildren();
  if (!schemes.length) { panel.append(el("p", { class: "muted" }, "This operation needs no credentials.")); return; }
  panel.append(el("p", { class: "muted small" }, "The mock checks only that credentials of the right kind are present."));
  for (const scheme of schemes) {
    const values = context.state.security[scheme.name] ??= {};
    const field = (key, label, type = "text") => el("div", { class: "field" },
      el("label", { for: `sec-${scheme.name}-${key}` }, label),
      el("input", { id: `sec-${scheme.name}-${key}`, type, value: values[key] ?? "", autocomplete: "off",
        oninput: (event) => { values[key] = event.target.value; changed(); } }));
    if (scheme.kind === "http" && (scheme.scheme ?? "basic").toLowerCase() === "basic") {
      panel.append(field("user", `${scheme.name} user name`), field("password", `${scheme.name} password`, "password"));
    } else if (scheme.kind === "apiKey") {
      panel.append(field("value", `${scheme.name} (API key in ${scheme.location} ${scheme.parameter_name})`));
    } else {
      panel.append(field("token", `${scheme.name} bearer token`));
    }
  }
}

function renderBodyChoices() {
  const { op, state } = context;
  const media = op.body?.media_types.find((m) => m.media_type === state.mediaType) ?? null;
  $("media-type").replaceChildren(...(op.body ? op.body.media_types.map((m) => el("option", { value: m.media_type }, m.media_type)) : [el("option", { value: "" }, "(no body)")]));
  $("media-type").value = state.mediaType ?? "";
  $("example").replaceChildren(el("option", { value: "" }, media?.examples.length ? "First example" : "Generated from the schema"),
    ...(media?.examples ?? []).map((e) => el("option", { value: e.name }, e.summary ? `${e.name}: ${e.summary}` : e.name)));
  $("example").value = state.example || "";
  $("body").value = state.body;
}

function chooseExample(name) {
  const { op, state } = context;
  const media = op.body?.media_types.find((m) => m.media_type === state.mediaType);
  if (!media) return;
  state.example = name;
  const example = media.examples.find((e) => e.name === name);
  state.body = pretty(example ? example.value : media.start ?? "");
  $("body").value = state.body;
  checkBody();
  changed();
}

function selectTab(name) {
  for (const tab of TABS) {
    $(`tab-${tab}`).setAttribute("aria-selected", String(tab === name));
    $(`tab-${tab}`).tabIndex = tab === name ? 0 : -1;
    $(`panel-${tab}`).hidden = tab !== name;
  }
}

// ---- where the request goes ------------------------------------------------------------------
function basePath() {
  return (activeEnvironment().target === "live" ? "" : context.mockPrefix) + context.api.mount;
}

function mockAnswers() {
  if (activeEnvironment().target !== "live") return true;
  return ["mock", "fallback"].includes(context.route.mode);
}

function renderRouteNote() {
  const note = $("route-note");
  const { route, op } = context;
  const live = activeEnvironment().target === "live";
  const said = {
    mock: `Live is answered by the mock here: the effective mode of ${op.key} is mock (${route.mode_source}), so requests without the mock prefix never reach the upstream.`,
    fallback: `Live forwards to the upstream; the mock answers when the upstream fails (mode fallback, ${route.mode_source}).`,
    verify: `Live forwards to the upstream and checks its answers against the description (mode verify, ${route.mode_source}).`,
  }[route.mode];
  note.hidden = !(live && said);
  note.textContent = live && said ? said : "";
  $("mock-panel").disabled = !mockAnswers();
}

// ---- checks before sending --------------------------------------------------------------------
function missingValues() {
  const { op, state } = context;
  const missing = Object.entries(state.path).filter(([, value]) => !value).map(([name]) => `${name} (path)`);
  for (const kind of ["query", "headers", "cookies"]) {
    for (const row of state[kind]) if (row.required && !row.value) missing.push(`${row.name} (${NOUNS[kind]})`);
  }
  if (op.body?.required && !state.body.trim()) missing.push("the request body");
  return missing;
}

function renderSendState() {
  const missing = missingValues();
  $("send").disabled = missing.length > 0;
  $("missing").textContent = missing.length ? `Fill in ${missing.join(", ")} to send.` : "";
  $("send").setAttribute("aria-describedby", "missing");
}

// One place for problems: the as-you-type body check until the server answers, then the
// server's own list; the fields they name are marked.
function showProblems(problems, origin) {
  for (const node of document.querySelectorAll("[aria-invalid=true]")) node.removeAttribute("aria-invalid");
  $("problems").replaceChildren(...problems.map((problem) => el("li", { "data-pointer": problem.pointer ?? "" },
    `${problem.pointer || "request"}: ${problem.detail}`, origin === "typed" ? el("span", { class: "muted" }, " (as typed)") : null)));
  for (const problem of problems) {
    const pointer = problem.pointer ?? "";
    const field = pointer.startsWith("/body") ? $("body") : document.querySelector(`#request :is(input, select)[data-pointer="${CSS.escape(pointer)}"]`);
    field?.setAttribute("aria-invalid", "true");
  }
}

function checkBody() {
  const { op, state } = context;
  const media = op.body?.media_types.find((m) => m.media_type === state.mediaType);
  if (!media || !state.body.trim() || !/json/.test(media.media_type)) { showProblems([], "typed"); return; }
  let value;
  try { value = JSON.parse(state.body); } catch (error) { showProblems([{ pointer: "/body", detail: `not valid JSON: ${error.message}` }], "typed"); return; }
  const errors = [];
  checkSchema(media.schema, value, "", errors, op.schemas);
  showProblems(errors.map((e) => ({ pointer: `/body${e.pointer === "/" ? "" : e.pointer}`, detail: e.detail })), "typed");
}

// ---- the request --------------------------------------------------------------------------
function credentialHeaders(query, headers, cookies) {
  for (const scheme of securitySchemes()) {
    const values = context.state.security[scheme.name] ?? {};
    if (scheme.kind === "http" && (scheme.scheme ?? "basic").toLowerCase() === "basic") {
      if (values.user || values.password) headers.push(["Authorization", `Basic ${btoa(`${values.user ?? ""}:${values.password ?? ""}`)}`]);
    } else if (scheme.kind === "apiKey") {
      if (values.value) ({ query, header: headers, cookie: cookies })[scheme.location]?.push([scheme.parameter_name, values.value]);
    } else if (values.token) {
      headers.push(["Authorization", `Bearer ${values.token}`]);
    }
  }
}

export function buildRequest() {
  const { op, state } = context;
  const path = op.path.replace(/\{([^}]+)\}/g, (_, name) => encodeURIComponent(state.path[name] ?? ""));
  const included = (rows) => rows.filter((r) => r.name && (r.required || r.enabled)).map((r) => [r.name, r.value]);
  const query = included(state.query), headers = included(state.headers), cookies = included(state.cookies);
  credentialHeaders(query, headers, cookies);
  if (mockAnswers()) {
    const prefer = preferHeader(state.mock);
    if (prefer) headers.push(["Prefer", prefer]);
    if (state.mock.media) headers.push(["Accept", state.mock.media]);
  }
  const body = op.body && state.body ? state.body : null;
  if (body !== null && state.mediaType && !headers.some(([n]) => n.toLowerCase() === "content-type")) headers.push(["Content-Type", state.mediaType]);
  const search = query.length ? `?${query.map(([n, v]) => `${encodeURIComponent(n)}=${encodeURIComponent(v)}`).join("&")}` : "";
  return { method: op.method, url: location.origin + basePath() + path + search, headers, cookies, body };
}

function renderPreview() {
  const request = buildRequest();
  const url = new URL(request.url);
  const lines = [`${request.method} ${url.pathname}${url.search} HTTP/1.1`, `Host: ${url.host}`, ...request.headers.map(([n, v]) => `${n}: ${v}`)];
  if (request.cookies.length) lines.push(`Cookie: ${request.cookies.map(([n, v]) => `${n}=${v}`).join("; ")}`);
  $("preview").textContent = lines.join("\n") + (request.body !== null ? `\n\n${request.body}` : "");
}

function changed() {
  if (!context) return;
  renderSendState();
  renderPreview();
}

async function copy(kind) {
  const program = FORMATS[kind](buildRequest());
  $("copied").value = program;
  try { await navigator.clipboard.writeText(program); } catch { /* the program stays in the box below */ }
}

// ---- sending ------------------------------------------------------------------------------
async function send(event) {
  event?.preventDefault();
  if (missingValues().length) { renderSendState(); return; }
  const request = buildRequest();
  // keeps the browser's own login dialog away from a 401; never part of a copied program
  const headers = [...request.headers, ["X-Requested-With", "XMLHttpRequest"]];
  const cookieNames = request.cookies.map(([name, value]) => { document.cookie = `${name}=${encodeURIComponent(value)}; path=/`; return name; });
  const started = performance.now();
  let status = 0, body = "", size = 0, answerHeaders = [];
  try {
    const response = await fetch(request.url, { method: request.method, headers, body: request.body, credentials: "same-origin" });
    status = response.status;
    answerHeaders = [...response.headers.entries()];
    const bytes = new Uint8Array(await response.arrayBuffer());
    size = bytes.length;
    body = new TextDecoder().decode(bytes);
  } catch (error) {
    body = `Request failed: ${error.message}`;
  } finally {
    for (const name of cookieNames) document.cookie = `${name}=; path=/; max-age=0`;
  }
  const elapsed = Math.round(performance.now() - started);
  showResponse(status, elapsed, size, answerHeaders, body);
  addHistory({ when: new Date().toISOString(), method: request.method, url: request.url, status, ms: elapsed, state: structuredClone(context.state) }, reopenHandler);
}

function showResponse(status, elapsed, size, headers, body) {
  $("response").hidden = false;
  $("status").textContent = status || "error";
  $("status").className = `status ${status >= 200 && status < 400 ? "ok" : "error"}`;
  $("elapsed").textContent = `${elapsed} ms`;
  $("size").textContent = formatBytes(size);
  const header = (name) => headers.find(([n]) => n.toLowerCase() === name)?.[1];
  $("source").textContent = header("x-mockproxy-source") ?? "—";
  $("response-headers").replaceChildren(...headers.map(([n, v]) => el("tr", {}, el("th", { scope: "row" }, n), el("td", {}, v))));
  let parsed = null;
  try { parsed = JSON.parse(body); } catch { /* not JSON: shown as is */ }
  $("response-body").textContent = parsed === null ? body : JSON.stringify(parsed, null, 2);
  let violations = [];
  try { violations = JSON.parse(header("x-mockproxy-violations") ?? "[]"); } catch { /* a header cut to fit */ }
  const errors = Array.isArray(parsed?.errors) ? parsed.errors : violations;
  showProblems(errors.filter((e) => e && typeof e === "object"), "server");
}

// ---- opening an operation -----------------------------------------------------------------------
export function openInConsole(api, op, route, mockPrefix, restored) {
  context = { api, op, route, mockPrefix, state: restored ?? freshState(api, op) };
  context.state.mock ??= { code: "", media: "", example: "", dynamic: false, seed: "" };
  $("console-empty").hidden = true;
  $("request").hidden = false;
  $("response").hidden = true;
  $("copied").value = "";
  $("op-title").textContent = "Try it";
  $("method").textContent = op.method;
  $("method").className = `method ${op.method}`;
  if (!restored) applyEnvironmentVariables();
  renderUrl();
  for (const kind of ["query", "headers", "cookies"]) renderRows(kind);
  renderSecurity();
  renderBodyChoices();
  $("tab-body").disabled = !op.body;
  selectTab(op.body ? "body" : op.parameters.some((p) => p.in === "query") || !op.security.length ? "query" : "security");
  renderMockPanel(op, context.state.mock);
  renderRouteNote();
  checkBody();
  changed();
}

export function closeConsole() {
  context = null;
  $("console-empty").hidden = false;
  $("request").hidden = true;
  $("response").hidden = true;
}

function applyEnvironmentVariables() {
  const variables = activeEnvironment().variables ?? {};
  for (const [name, value] of Object.entries(variables)) if (name in context.state.path) context.state.path[name] = value;
}

export function environmentChanged() {
  if (!context) return;
  context.state.env = $("environment").value;
  applyEnvironmentVariables();
  renderUrl();
  renderRouteNote();
  changed();
}

export function setUpConsole(onReopen) {
  reopenHandler = onReopen;
  $("request").addEventListener("submit", send);
  $("example").addEventListener("change", (event) => chooseExample(event.target.value));
  $("media-type").addEventListener("change", (event) => { context.state.mediaType = event.target.value; context.state.example = ""; renderBodyChoices(); chooseExample(""); });
  $("body").addEventListener("input", (event) => { context.state.body = event.target.value; checkBody(); changed(); });
  for (const kind of Object.keys(FORMATS)) $(`copy-${kind}`).addEventListener("click", () => copy(kind));
  for (const tab of TABS) $(`tab-${tab}`).addEventListener("click", () => selectTab(tab));
  $("request").querySelector("[role=tablist]").addEventListener("keydown", (event) => {
    if (!["ArrowLeft", "ArrowRight"].includes(event.key)) return;
    const enabled = TABS.filter((tab) => !$(`tab-${tab}`).disabled);
    const at = enabled.findIndex((tab) => $(`tab-${tab}`).getAttribute("aria-selected") === "true");
    const next = enabled[(at + (event.key === "ArrowRight" ? 1 : enabled.length - 1)) % enabled.length];
    selectTab(next);
    $(`tab-${next}`).focus();
  });
  setUpMockPanel(() => context && { op: context.op, mock: context.state.mock }, changed);
}
