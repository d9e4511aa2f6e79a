// The navigation: APIs, their tags and operations, built once; the filter only hides and shows
// what is there, so 1,000 operations filter as one types.

import { $, el } from "./dom.js";

const entries = []; // { link, text, group, apiBlock }
let total = 0; // operations (one may be listed under several tags)

export function operationHash(api, key) {
  return `#/${encodeURIComponent(api)}/${encodeURIComponent(key)}`;
}

// Long names without spaces (operation ids, paths) may wrap after each separator.
export function breakable(text, separator) {
  const parts = String(text).split(separator);
  return parts.flatMap((part, index) => (index ? [separator, document.createElement("wbr"), part] : [part]));
}

// By tag; a description without tags is grouped by the first segment of its paths instead,
// so 242 untagged operations are not one list.
export function groupOperations(api) {
  const groups = new Map();
  const untagged = api.tags.length <= 1 && api.operations.every((op) => op.tags.length === 1 && op.tags[0] === "default");
  if (!untagged) for (const tag of api.tags) groups.set(tag.name, []);
  for (const op of api.operations) {
    const names = untagged ? [op.path.split("/").find(Boolean) ?? "/"] : op.tags;
    for (const name of names) {
      if (!groups.has(name)) groups.set(name, []);
      groups.get(name).push(op);
    }
  }
  return groups;
}

export function buildNavigation(catalog) {
  const container = $("operations");
  const fragment = document.createDocumentFragment();
  for (const api of catalog.apis) {
    const apiBlock = el("section", { class: "nav-api", "aria-label": api.title });
    apiBlock.append(el("a", { class: "api-title", href: `#/${encodeURIComponent(api.name)}` }, api.title, " ",
      el("span", { class: "muted" }, api.version)));
    const groups = groupOperations(api);
    for (const [tag, ops] of groups) {
      if (!ops.length) continue;
      const list = el("ul", { class: "ops" });
      const group = el("details", { class: "tag-group", open: true }, el("summary", { class: "tag-title" }, tag), list);
      for (const op of ops) {
        const link = el("a", {
          class: `op${op.deprecated ? " deprecated" : ""}`, href: operationHash(api.name, op.key),
          "data-api": api.name, "data-key": op.key, title: op.summary ?? op.key,
        }, el("span", { class: `method ${op.method}` }, op.method),
        el("span", { class: "op-text" }, el("span", { class: "op-summary" }, op.summary || breakable(op.key, "_")), el("span", { class: "path" }, breakable(op.path, "/"))));
        list.append(el("li", {}, link));
        entries.push({ link, group, apiBlock, text: `${op.method} ${op.path} ${op.key} ${op.summary ?? ""} ${tag}`.toLowerCase() });
      }
      apiBlock.append(group);
    }
    fragment.append(apiBlock);
  }
  total = catalog.apis.reduce((sum, api) => sum + api.operations.length, 0);
  container.replaceChildren(fragment);
  filterNavigation("");
}

export function filterNavigation(term) {
  const words = term.trim().toLowerCase().split(/\s+/).filter(Boolean);
  const shownGroups = new Set(), shownApis = new Set();
  const shownKeys = new Set();
  for (const entry of entries) {
    const shown = words.every((word) => entry.text.includes(word));
    entry.link.parentElement.hidden = !shown;
    if (shown) {
      shownGroups.add(entry.group);
      shownApis.add(entry.apiBlock);
      shownKeys.add(`${entry.link.dataset.api} ${entry.link.dataset.key}`);
    }
  }
  for (const entry of entries) {
    entry.group.hidden = !shownGroups.has(entry.group);
    entry.apiBlock.hidden = !shownApis.has(entry.apiBlock);
    if (words.length && shownGroups.has(entry.group)) entry.group.open = true;
  }
  $("search-count").textContent = words.length ? `${shownKeys.size} of ${total} operations` : "";
}

export function markCurrent(apiName, key) {
  for (const entry of entries) {
    const current = entry.link.dataset.api === apiName && entry.link.dataset.key === key;
    if (current) entry.link.setAttribute("aria-current", "page");
    else entry.link.removeAttribute("aria-current");
  }
}
