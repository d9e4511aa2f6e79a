// The request as a program to copy: curl, Python (requests), JavaScript (fetch) and HTTPie.
// A request here is { method, url, headers: [[name, value]], cookies: [[name, value]], body };
// its headers are only those the user set or the description requires.

function shellQuote(text) { return `'${String(text).replaceAll("'", `'\\''`)}'`; }
function quoted(text) { return JSON.stringify(String(text)); }
function cookieLine(request) { return request.cookies.map(([n, v]) => `${n}=${v}`).join("; "); }

export function asCurl(request) {
  const parts = ["curl", "-sS", "-X", request.method, shellQuote(request.url)];
  for (const [name, value] of request.headers) parts.push("-H", shellQuote(`${name}: ${value}`));
  if (request.cookies.length) parts.push("--cookie", shellQuote(cookieLine(request)));
  if (request.body !== null) parts.push("--data-binary", shellQuote(request.body));
  return parts.join(" ");
}

export function asPython(request) {
  const lines = ["import requests", "", "response = requests.request(", `    ${quoted(request.method)},`, `    ${quoted(request.url)},`];
  if (request.headers.length) lines.push(`    headers={${request.headers.map(([n, v]) => `${quoted(n)}: ${quoted(v)}`).join(", ")}},`);
  if (request.cookies.length) lines.push(`    cookies={${request.cookies.map(([n, v]) => `${quoted(n)}: ${quoted(v)}`).join(", ")}},`);
  if (request.body !== null) lines.push(`    data=${quoted(request.body)}.encode("utf-8"),`);
  lines.push(")", "print(response.status_code)", "print(response.text)");
  return lines.join("\n");
}

export function asJavaScript(request) {
  const headers = [...request.headers];
  if (request.cookies.length) headers.push(["Cookie", cookieLine(request)]);
  const lines = [`const response = await fetch(${quoted(request.url)}, {`, `  method: ${quoted(request.method)},`];
  if (headers.length) lines.push(`  headers: {${headers.map(([n, v]) => ` ${quoted(n)}: ${quoted(v)}`).join(",")} },`);
  if (request.body !== null) lines.push(`  body: ${quoted(request.body)},`);
  lines.push("});", "console.log(response.status);", "console.log(await response.text());");
  return lines.join("\n");
}

export function asHttpie(request) {
  const parts = ["http", "--ignore-stdin"];
  if (request.body !== null) parts.push("--raw", shellQuote(request.body));
  parts.push(request.method, shellQuote(request.url));
  for (const [name, value] of request.headers) parts.push(shellQuote(value === "" ? `${name};` : `${name}:${value}`));
  if (request.cookies.length) parts.push(shellQuote(`Cookie:${cookieLine(request)}`));
  return parts.join(" ");
}

export const FORMATS = { curl: asCurl, python: asPython, javascript: asJavaScript, httpie: asHttpie };
