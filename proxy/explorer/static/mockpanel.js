// The mock panel: which documented response the mock should send (status, media type, example,
// or data generated from the schema with a seed), sent as one `Prefer` header.

import { $, el } from "./dom.js";

// "4XX" is asked for as 400; "default" cannot be asked for by code
function codeFor(status) {
  if (/^\d{3}$/.test(status)) return status;
  if (/^\dXX$/i.test(status)) return `${status[0]}00`;
  return null;
}

function chosenResponse(op, mock) {
  if (mock.code) return op.responses.find((r) => codeFor(r.status) === mock.code) ?? null;
  return op.responses.find((r) => r.status.startsWith("2")) ?? op.responses[0] ?? null;
}

function option(value, text, selected) {
  return el("option", { value, selected: value === selected }, text);
}

export function renderMockPanel(op, mock) {
  const codes = op.responses.map((r) => [codeFor(r.status), r]).filter(([code]) => code);
  $("mock-code").replaceChildren(option("", "Mock's choice (first success)", mock.code),
    ...codes.map(([code, r]) => option(code, `${r.status} · ${(r.description ?? "").split("\n")[0].slice(0, 60)}`, mock.code)));
  const response = chosenResponse(op, mock);
  const content = response?.content ?? [];
  if (!content.some((m) => m.media_type === mock.media)) mock.media = "";
  $("mock-media").replaceChildren(option("", content.length ? "Mock's choice" : "(no body)", mock.media),
    ...content.map((m) => option(m.media_type, m.media_type, mock.media)));
  const documented = content.filter((m) => !mock.media || m.media_type === mock.media).flatMap((m) => m.examples.map((e) => e.name));
  const recorded = (op.recordings ?? []).filter((r) => !mock.code || String(r.status) === mock.code);
  const labels = new Map([...documented.map((name) => [name, name]), ...recorded.map((r) => [r.name, recordingLabel(r)])]);
  if (!labels.has(mock.example)) mock.example = "";
  $("mock-example").replaceChildren(option("", labels.size ? "Mock's choice" : "(none documented)", mock.example),
    ...[...labels].map(([name, label]) => option(name, label, mock.example)));
  $("mock-dynamic").checked = mock.dynamic;
  $("mock-seed").disabled = !mock.dynamic;
  $("mock-seed").value = mock.seed;
  const prefer = preferHeader(mock);
  $("mock-hint").textContent = prefer ? `Sent as Prefer: ${prefer}` : "The mock sends its usual answer: the first documented success.";
}

/** A recorded answer, flagged when the description no longer fits it (contract drift). */
function recordingLabel(recording) {
  const flag = recording.violations.length ? " · does not conform" : "";
  return `${recording.name} · recorded ${recording.status}${flag}`;
}

export function preferHeader(mock) {
  const parts = [];
  if (mock.code) parts.push(`code=${mock.code}`);
  if (mock.example) parts.push(`example=${mock.example}`);
  if (mock.dynamic) parts.push("dynamic=true");
  if (mock.dynamic && /^\d+$/.test(String(mock.seed).trim())) parts.push(`seed=${String(mock.seed).trim()}`);
  return parts.join(", ");
}

export function setUpMockPanel(getContext, onChange) {
  const update = (apply) => (event) => {
    const context = getContext();
    if (!context) return;
    apply(context.mock, event.target);
    renderMockPanel(context.op, context.mock);
    onChange();
  };
  $("mock-code").addEventListener("change", update((mock, target) => { mock.code = target.value; }));
  $("mock-media").addEventListener("change", update((mock, target) => { mock.media = target.value; }));
  $("mock-example").addEventListener("change", update((mock, target) => { mock.example = target.value; }));
  $("mock-dynamic").addEventListener("change", update((mock, target) => { mock.dynamic = target.checked; }));
  $("mock-seed").addEventListener("input", update((mock, target) => { mock.seed = target.value; }));
}
