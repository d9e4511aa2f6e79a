// Requests to the server's admin endpoints (/_mockproxy/...): with `admin.token` set they answer
// 401 until they get `Authorization: Bearer <token>`. The page asks for the token once, keeps it
// in sessionStorage (this tab only) and asks again only if the server refuses it.

import { $ } from "./dom.js";

const TOKEN_KEY = "mockproxy.adminToken";
let asking = null; // one dialog for all requests that were refused at the same time

function askForToken(refused) {
  asking ??= new Promise((resolve) => {
    const dialog = $("token-dialog");
    $("token-message").textContent = refused
      ? "The server refused that token. Enter the admin token (admin.token in its config)."
      : "This server protects its admin pages with a token (admin.token in its config). It is kept for this browser tab only.";
    $("token-input").value = "";
    dialog.addEventListener("close", () => {
      const token = dialog.returnValue === "ok" ? $("token-input").value.trim() : "";
      if (token) sessionStorage.setItem(TOKEN_KEY, token);
      asking = null;
      resolve(token);
    }, { once: true });
    dialog.showModal();
    $("token-input").focus();
  });
  return asking;
}

export async function adminFetch(url) {
  for (let attempt = 0; ; attempt += 1) {
    const token = sessionStorage.getItem(TOKEN_KEY);
    const headers = token ? { Authorization: `Bearer ${token}` } : {};
    const response = await fetch(url, { headers, credentials: "same-origin" });
    if (response.status !== 401) return response;
    if (token) sessionStorage.removeItem(TOKEN_KEY);
    if (!(await askForToken(Boolean(token) || attempt > 0))) return response;
  }
}
