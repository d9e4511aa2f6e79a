// What the page keeps in this browser: named environments and the history of sent requests.

import { $, el, load, save } from "./dom.js";

const ENV_KEY = "mockproxy.environments";
const HISTORY_KEY = "mockproxy.history";
const HISTORY_MAX = 50;

export function environments() { return load(ENV_KEY, []); }

export function renderEnvironments(selected) {
  const select = $("environment");
  select.replaceChildren(
    el("option", { value: "mock" }, "Mock server"),
    el("option", { value: "live" }, "Live"),
    ...environments().map((env) => el("option", { value: `env:${env.name}` }, `${env.name} (${env.target})`)),
  );
  select.value = selected ?? "mock";
  if (select.selectedIndex < 0) select.value = "mock";
}

export function activeEnvironment() {
  const value = $("environment").value;
  if (value.startsWith("env:")) {
    const env = environments().find((e) => `env:${e.name}` === value);
    if (env) return env;
  }
  return { name: value, target: value === "live" ? "live" : "mock", variables: {} };
}

export function setUpEnvironmentDialog(onChange) {
  $("manage-envs").addEventListener("click", () => {
    const env = activeEnvironment();
    const named = $("environment").value.startsWith("env:");
    $("env-name").value = named ? env.name : "";
    $("env-target").value = env.target;
    $("env-vars").value = Object.entries(env.variables || {}).map(([k, v]) => `${k}=${v}`).join("\n");
    $("env-dialog").showModal();
  });
  $("env-save").addEventListener("click", () => {
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
    onChange();
  });
  $("env-delete").addEventListener("click", () => {
    const name = $("env-name").value.trim();
    save(ENV_KEY, environments().filter((e) => e.name !== name));
    renderEnvironments("mock");
    $("env-dialog").close();
    onChange();
  });
  $("environment").addEventListener("change", onChange);
}

export function addHistory(entry, reopen) {
  const list = load(HISTORY_KEY, []);
  list.unshift(entry);
  save(HISTORY_KEY, list.slice(0, HISTORY_MAX));
  renderHistory(reopen);
}

export function renderHistory(reopen) {
  $("history").replaceChildren(...load(HISTORY_KEY, []).map((entry, index) => el("li", {},
    el("button", { type: "button", "data-index": index, onclick: () => reopen(entry) },
      el("span", { class: `method ${entry.method}` }, entry.method), " ",
      `${entry.status} · ${new URL(entry.url).pathname} · ${entry.ms} ms`))));
}

export function clearHistory(reopen) { save(HISTORY_KEY, []); renderHistory(reopen); }
