// mockproxy API Explorer: navigation, reference and console for the loaded APIs.
// Plain ES modules; marked and DOMPurify (static/vendor/) render descriptions. Deep links are
// `#/<api>/<operation key>`, so the back button walks through what was opened.

import { adminFetch } from "./admin.js";
import { closeConsole, environmentChanged, openInConsole, setUpConsole } from "./console.js";
import { $, loadRenderer } from "./dom.js";
import { buildNavigation, filterNavigation, markCurrent, operationHash } from "./nav.js";
import { renderApiOverview, renderOperationReference } from "./reference.js";
import { clearHistory, renderEnvironments, renderHistory, setUpEnvironmentDialog } from "./store.js";

let catalog = { mock_prefix: "/_mock", apis: [] };
let routes = new Map(); // "api key" -> { mode, mode_source }, from /_mockproxy/routes
const details = new Map(); // "api key" -> the operation's reference (fetched once)
let pendingRestore = null; // a history entry's form, applied when its operation opens

async function loadRoutes() {
  try {
    const response = await adminFetch("../routes");
    if (!response.ok) return;
    const body = await response.json();
    routes = new Map(body.apis.flatMap((api) => api.operations.map((op) => [`${api.api} ${op.operation}`, op])));
  } catch { /* the operation's own mode (from the catalog) stands in */ }
}

async function operationDetail(api, key) {
  const id = `${api.name} ${key}`;
  if (!details.has(id)) {
    const response = await adminFetch(`api/operation?api=${encodeURIComponent(api.name)}&key=${encodeURIComponent(key)}`);
    if (!response.ok) throw new Error(`${response.status} ${await response.text()}`);
    details.set(id, await response.json());
  }
  return details.get(id);
}

function showMessage(text) {
  closeConsole();
  $("reference").replaceChildren(Object.assign(document.createElement("p"), { className: "empty", textContent: text }));
}

async function openFromHash() {
  await loadRenderer().catch(() => { /* descriptions are then shown as plain text */ });
  const [apiName, ...rest] = location.hash.replace(/^#\/?/, "").split("/").map(decodeURIComponent);
  const api = apiName ? catalog.apis.find((a) => a.name === apiName) : catalog.apis[0];
  if (!api) { showMessage(apiName ? `No API named "${apiName}" is loaded.` : "No APIs are loaded."); return; }
  const key = rest.join("/");
  if (!key) {
    markCurrent(null, null);
    closeConsole();
    renderApiOverview(api);
    delete document.body.dataset.operation;
    return;
  }
  const summary = api.operations.find((op) => op.key === key);
  if (!summary) { showMessage(`${api.title} has no operation "${key}".`); return; }
  markCurrent(api.name, key);
  const op = await operationDetail(api, key);
  renderOperationReference(api, op);
  const route = routes.get(`${api.name} ${key}`) ?? { mode: op.mode, mode_source: op.mode_source };
  const restored = pendingRestore?.api === api.name && pendingRestore?.op === key ? pendingRestore : null;
  pendingRestore = null;
  openInConsole(api, op, route, catalog.mock_prefix, restored);
  document.title = `${op.summary || op.key} · API Explorer`;
  document.body.dataset.operation = `${api.name}/${key}`;
}

function reopen(entry) {
  pendingRestore = structuredClone(entry.state);
  renderEnvironments(entry.state.env);
  const hash = operationHash(entry.state.api, entry.state.op);
  if (location.hash === hash) openFromHash();
  else location.hash = hash;
}

async function start() {
  renderEnvironments("mock");
  setUpEnvironmentDialog(environmentChanged);
  setUpConsole(reopen);
  const rendererLoaded = loadRenderer();
  const response = await adminFetch("api/catalog");
  if (!response.ok) { showMessage(`The catalog could not be loaded: ${response.status}.`); return; }
  catalog = await response.json();
  buildNavigation(catalog);
  // milliseconds from the start of the page load to a usable navigation
  document.body.dataset.navigationShownMs = String(Math.round(performance.now()));
  renderHistory(reopen);
  $("search").addEventListener("input", (event) => filterNavigation(event.target.value));
  $("clear-history").addEventListener("click", () => clearHistory(reopen));
  window.addEventListener("hashchange", () => openFromHash().catch((error) => showMessage(String(error))));
  await Promise.all([loadRoutes(), rendererLoaded.catch(() => {})]);
  await openFromHash().catch((error) => showMessage(String(error)));
  document.body.dataset.ready = "true";
}

start();
