// Small DOM helpers shared by the explorer's modules, and the one way descriptions are rendered.

export const $ = (id) => document.getElementById(id);

export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (value === true) node.setAttribute(key, "");
    else if (value !== undefined && value !== null && value !== false) node.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false || child === "") continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

export function load(key, fallback, storage = localStorage) {
  try { return JSON.parse(storage.getItem(key)) ?? fallback; } catch { return fallback; }
}
export function save(key, value, storage = localStorage) { storage.setItem(key, JSON.stringify(value)); }

// marked and DOMPurify load beside the catalog rather than before the page's own code, so the
// navigation does not wait for them; descriptions are rendered once they are here.
let renderer = null;
export function loadRenderer() {
  renderer ??= Promise.all(["static/vendor/marked.umd.js", "static/vendor/purify.min.js"].map((src) => new Promise((resolve, reject) => {
    const script = el("script", { src });
    script.addEventListener("load", resolve);
    script.addEventListener("error", () => reject(new Error(`${src} could not be loaded`)));
    document.head.append(script);
  })));
  return renderer;
}

// CommonMark (marked) made safe (DOMPurify): descriptions come from the API description, which
// the reader did not necessarily write. Links open in a new tab and never reach the opener.
export function markdown(text, className = "markdown") {
  const node = el("div", { class: className });
  if (!text) return node;
  if (!window.marked || !window.DOMPurify) { node.textContent = String(text); return node; }
  const html = window.marked.parse(String(text), { gfm: true, async: false });
  node.append(window.DOMPurify.sanitize(html, { RETURN_DOM_FRAGMENT: true }));
  for (const link of node.querySelectorAll("a[href]")) {
    link.target = "_blank";
    link.rel = "noopener noreferrer";
  }
  return node;
}

export function pretty(value) {
  return typeof value === "string" ? value : JSON.stringify(value, null, 2);
}

export function formatBytes(count) {
  if (count < 1024) return `${count} B`;
  if (count < 1024 * 1024) return `${(count / 1024).toFixed(1)} KB`;
  return `${(count / 1024 / 1024).toFixed(1)} MB`;
}
