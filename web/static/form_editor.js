// The form editor (web/templates/designer/form_editor.html): a list of the form's fields to add, remove, move
// and change, and a preview the server draws with the task page's own renderer after every change
// (POST .../forms/preview). The server writes the list into the schema and UI schema (engine/designer/
// forms_edit.py), so this script only holds the list and the two documents. The Raw JSON tab edits the documents
// themselves; invalid JSON is shown as an error and never sent. The page's data comes from a JSON block (no inline
// script: the content security policy allows none).
import { initAll } from "./vendor/govuk/govuk-frontend.min.js";

const state = JSON.parse(document.getElementById("fe-state").textContent);
const listBox = document.getElementById("fe-field-list");
const previewBox = document.getElementById("fe-preview");
const messages = document.getElementById("fe-messages");
const status = document.getElementById("fe-status");
const rawSchema = document.getElementById("fe-raw-schema");
const rawUi = document.getElementById("fe-raw-ui");
const csrf = document.querySelector("input[name=csrf_token]").value;
const base = "/processes/" + encodeURIComponent(state.key) + "/forms/";
const REVEALING = ["choice", "yesno", "checkbox"];
let sequence = 0;
let timer = null;
let rawDirty = false;
let nextId = 1;

document.getElementById("fe-nojs").hidden = true;
document.querySelectorAll(".lif-fe-js-only").forEach((el) => el.classList.add("lif-fe-shown"));
if (state.fields) {
  state.fields.forEach((f) => { f.uid = nextId++; f.isNew = false; });
}

function el(tag, attrs, children) {
  const node = document.createElement(tag);
  Object.entries(attrs || {}).forEach(([k, v]) => {
    if (v === null || v === undefined || v === false) return;
    if (k === "text") node.textContent = v;
    else node.setAttribute(k, v === true ? "" : v);
  });
  (children || []).forEach((c) => node.appendChild(typeof c === "string" ? document.createTextNode(c) : c));
  return node;
}

function say(text) {
  status.textContent = "";
  window.setTimeout(() => { status.textContent = text; }, 50);
}

function slug(text) {
  const s = text.toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "").slice(0, 40);
  return /^[a-z]/.test(s) ? s : "field_" + s;
}

function uniqueName(wanted, field) {
  let name = wanted || "field";
  let n = 2;
  while (state.fields.some((f) => f !== field && f.name === name)) name = (wanted || "field") + "_" + n++;
  return name;
}

// the field list

function group(id, labelText, control, hintText) {
  const children = [el("label", { class: "govuk-label", for: id, text: labelText })];
  if (hintText) children.push(el("div", { class: "govuk-hint", id: id + "-hint", text: hintText }));
  if (hintText) control.setAttribute("aria-describedby", id + "-hint");
  children.push(control);
  return el("div", { class: "govuk-form-group" }, children);
}

function textInput(id, value, onInput) {
  const input = el("input", { class: "govuk-input", id: id, type: "text", value: value || "", spellcheck: "true" });
  input.addEventListener("input", () => { onInput(input.value); changed(); });
  return input;
}

function select(id, options, value, onChange) {
  const node = el("select", { class: "govuk-select", id: id });
  options.forEach(([v, text]) => {
    const option = el("option", { value: v, text: text });
    if (v === value) option.selected = true;
    node.appendChild(option);
  });
  node.addEventListener("change", () => { onChange(node.value); changed(); });
  return node;
}

function choicesText(f) {
  return f.choices.map((c) => c.label).join("\n");
}

function readChoices(f, text) {
  const old = {};
  f.choices.forEach((c) => { old[c.label] = c.value; });
  f.choices = text.split("\n").map((t) => t.trim()).filter(Boolean)
    .map((label) => ({ value: old[label] !== undefined ? old[label] : slug(label), label: label }));
}

function typeOptions(f) {
  return Object.entries(state.types).filter(([t]) => !state.fixed_types.includes(t) || t === f.type);
}

function controllerAnswers(name) {
  const c = state.fields.find((f) => f.name === name);
  if (!c) return [];
  if (c.type === "yesno") return [["true", "Yes"], ["false", "No"]];
  if (c.type === "checkbox") return [["true", "Ticked"]];
  return c.choices.map((ch) => [ch.value, ch.label]);
}

function conditionPart(f, id) {
  const controllers = state.fields.filter((c) => c !== f && REVEALING.includes(c.type));
  const current = f.condition ? f.condition.field : "";
  const fieldSelect = select(id + "-when", [["", "Always"]].concat(controllers.map((c) => [c.name, c.label || c.name])),
    current, (v) => {
      const answers = controllerAnswers(v);
      f.condition = v ? { field: v, value: answers.length ? answers[0][0] : "" } : null;
      renderList(id + "-when");
    });
  const parts = [group(id + "-when", "Ask this question", fieldSelect,
    "Always, or only when another question has a given answer (it is then needed, and shown under that answer)")];
  if (f.condition) {
    parts.push(group(id + "-is", "Only when the answer is",
      select(id + "-is", controllerAnswers(f.condition.field), f.condition.value, (v) => { f.condition.value = v; })));
  }
  return parts;
}

function fieldItem(f, index) {
  const id = "fe-f" + f.uid;
  const number = index + 1;
  const legendText = "Field " + number + (f.label ? ": " + f.label : "");
  const legend = el("legend", { class: "govuk-fieldset__legend govuk-fieldset__legend--s", id: id + "-legend", tabindex: "-1", text: legendText });
  const label = textInput(id + "-label", f.label, (v) => {
    f.label = v;
    legend.textContent = "Field " + number + (v ? ": " + v : "");
    if (f.isNew && !f.nameTouched) {
      f.name = uniqueName(slug(v), f);
      nameInput.value = f.name;
    }
  });
  const nameInput = textInput(id + "-name", f.name, (v) => { f.name = v.trim(); f.nameTouched = true; });
  if (!f.isNew) nameInput.readOnly = true;
  const hint = textInput(id + "-hint-text", f.hint, (v) => { f.hint = v; });
  const type = select(id + "-type", typeOptions(f), f.type, (v) => { f.type = v; renderList(id + "-type"); });
  const fixed = state.fixed_types.includes(f.type);
  if (fixed) type.disabled = true;
  const required = el("input", { class: "govuk-checkboxes__input", id: id + "-required", type: "checkbox" });
  required.checked = f.required && !f.condition;
  required.disabled = !!f.condition;
  required.addEventListener("change", () => { f.required = required.checked; changed(); });
  const body = [legend,
    group(id + "-label", "Question", label, "What the person filling in the form is asked"),
    group(id + "-hint-text", "Hint (optional)", hint, "Said under the question"),
    group(id + "-type", "Type of answer", type, fixed ? "This kind of field is changed on the Raw JSON tab" : null),
    el("div", { class: "govuk-form-group" }, [el("div", { class: "govuk-checkboxes govuk-checkboxes--small" }, [
      el("div", { class: "govuk-checkboxes__item" }, [required,
        el("label", { class: "govuk-label govuk-checkboxes__label", for: id + "-required", text: "Required" })])])]),
  ];
  if (["choice", "select", "choices"].includes(f.type)) {
    if (f.dynamic_choices) {
      body.push(el("p", { class: "govuk-body", text: "The choices come from the case (for example its agencies or people)." }));
    } else {
      const area = el("textarea", { class: "govuk-textarea", id: id + "-choices", rows: "4" });
      area.value = choicesText(f);
      area.addEventListener("input", () => { readChoices(f, area.value); changed(); });
      body.push(group(id + "-choices", "Choices", area, "One a line"));
    }
  }
  body.push(...conditionPart(f, id));
  body.push(group(id + "-name", "Name in the case's data", nameInput,
    f.isNew ? "Letters, digits and underscores; scripts and later tasks use it" : "It cannot change: the case's data and other steps use it"));
  const up = el("button", { type: "button", class: "govuk-button govuk-button--secondary", id: id + "-up", text: "Move up" });
  const down = el("button", { type: "button", class: "govuk-button govuk-button--secondary", id: id + "-down", text: "Move down" });
  const remove = el("button", { type: "button", class: "govuk-button govuk-button--warning", id: id + "-remove", text: "Remove" });
  [up, down, remove].forEach((b) => b.appendChild(el("span", { class: "govuk-visually-hidden", text: " field " + number + (f.label ? " (" + f.label + ")" : "") })));
  up.disabled = index === 0;
  down.disabled = index === state.fields.length - 1;
  up.addEventListener("click", () => move(index, -1));
  down.addEventListener("click", () => move(index, 1));
  remove.addEventListener("click", () => removeField(index));
  body.push(el("div", { class: "govuk-button-group" }, [up, down, remove]));
  return el("li", { class: "lif-fe-field", id: id }, [el("fieldset", { class: "govuk-fieldset" }, body)]);
}

function renderList(focusId) {
  listBox.textContent = "";
  if (!state.fields) {
    listBox.appendChild(el("p", { class: "govuk-body", text: "This form is a template with statements (such as {% for %}) that the field list cannot keep. Change it as text on the Raw JSON tab." }));
    return;
  }
  if (!state.fields.length) listBox.appendChild(el("p", { class: "govuk-body", text: "The form has no questions yet." }));
  const list = el("ol", { class: "govuk-list lif-fe-fields", id: "fe-fields" });
  state.fields.forEach((f, i) => list.appendChild(fieldItem(f, i)));
  listBox.appendChild(list);
  const add = el("button", { type: "button", class: "govuk-button govuk-button--secondary", id: "fe-add", text: "Add a field" });
  add.addEventListener("click", addField);
  listBox.appendChild(add);
  if (focusId) {
    const target = document.getElementById(focusId);
    if (target) target.focus();
  }
  changed();
}

function addField() {
  const f = { uid: nextId++, isNew: true, name: uniqueName("new_field", null), type: "text", label: "", hint: "",
    required: false, choices: [], condition: null, dynamic_choices: false };
  state.fields.push(f);
  renderList("fe-f" + f.uid + "-label");
  say("Field " + state.fields.length + " added");
}

function removeField(index) {
  const [gone] = state.fields.splice(index, 1);
  state.fields.forEach((f) => { if (f.condition && f.condition.field === gone.name) f.condition = null; });
  const next = state.fields[index] || state.fields[index - 1];
  renderList(next ? "fe-f" + next.uid + "-legend" : "fe-add");
  say("Field " + (gone.label || gone.name) + " removed");
}

function move(index, by) {
  const [f] = state.fields.splice(index, 1);
  state.fields.splice(index + by, 0, f);
  renderList("fe-f" + f.uid + (by < 0 && index + by > 0 || by > 0 && index + by < state.fields.length - 1 ? (by < 0 ? "-up" : "-down") : "-legend"));
  say("Field moved to position " + (index + by + 1));
}

// the preview and the documents

function request(method, url, body) {
  return fetch(url, {
    method: method, credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json" },
    body: JSON.stringify(body),
  }).then((response) => response.json().catch(() => ({})).then((data) => ({ status: response.status, data: data })));
}

function payload() {
  const body = { schema: state.schema, ui_schema: state.ui_schema };
  if (state.fields) {
    body.fields = state.fields.map((f) => ({ name: f.name, type: f.type, label: f.label, hint: f.hint,
      required: f.required, choices: f.choices, condition: f.condition, dynamic_choices: f.dynamic_choices }));
  }
  return body;
}

function changed() {
  window.clearTimeout(timer);
  timer = window.setTimeout(refresh, 300);
}

function refresh() {
  const mine = ++sequence;
  previewBox.setAttribute("aria-busy", "true");
  return request("POST", base + "preview", payload()).then(({ status: code, data }) => {
    if (mine !== sequence) return;
    previewBox.removeAttribute("aria-busy");
    if (code !== 200) {
      showPreviewProblem(data);
      return;
    }
    state.schema = data.schema;
    state.ui_schema = data.ui_schema;
    showPreview(data.html);
    if (!rawDirty) fillRaw();
  });
}

function showPreview(html) {
  previewBox.innerHTML = html;
  initAll({ scope: previewBox });
}

function showPreviewProblem(data) {
  const details = (data.error && data.error.details) || [];
  previewBox.textContent = "";
  previewBox.appendChild(el("p", { class: "govuk-body", text: "The preview cannot be drawn until these are put right:" }));
  const list = el("ul", { class: "govuk-list govuk-list--bullet" });
  (details.length ? details : [{ message: (data.error && data.error.message) || "The form could not be read" }])
    .forEach((d) => list.appendChild(el("li", { text: d.message })));
  previewBox.appendChild(list);
}

function asText(doc) {
  return typeof doc === "string" ? doc : JSON.stringify(doc, null, 2);
}

function fillRaw() {
  rawSchema.value = asText(state.schema);
  rawUi.value = asText(state.ui_schema);
}

function setRawError(id, text) {
  const box = document.getElementById(id + "-error");
  const groupBox = document.getElementById(id === "fe-raw-schema" ? "fe-raw-schema-group" : "fe-raw-ui-group");
  const area = document.getElementById(id);
  box.hidden = !text;
  box.textContent = text ? "Error: " + text : "";
  groupBox.classList.toggle("govuk-form-group--error", !!text);
  area.classList.toggle("govuk-textarea--error", !!text);
  area.setAttribute("aria-describedby", id + "-hint" + (text ? " " + id + "-error" : ""));
}

function parseRaw(area, wasText) {
  if (wasText) return { value: area.value };
  try {
    const value = JSON.parse(area.value);
    if (value === null || typeof value !== "object" || Array.isArray(value)) return { error: "must be a JSON object, in { }" };
    return { value: value };
  } catch (e) {
    return { error: "is not valid JSON (" + e.message + ")" };
  }
}

// the raw JSON, when it was changed: applied, or its errors shown and false returned
function applyRaw() {
  if (!rawDirty) return Promise.resolve(true);
  const schema = parseRaw(rawSchema, typeof state.schema === "string");
  const ui = parseRaw(rawUi, typeof state.ui_schema === "string");
  setRawError("fe-raw-schema", schema.error && "The schema " + schema.error);
  setRawError("fe-raw-ui", ui.error && "The UI schema " + ui.error);
  const problems = [];
  if (schema.error) problems.push(["The schema " + schema.error, "#fe-raw-schema"]);
  if (ui.error) problems.push(["The UI schema " + ui.error, "#fe-raw-ui"]);
  if (problems.length) {
    showSummary(problems);
    return Promise.resolve(false);
  }
  clearMessages();
  state.schema = schema.value;
  state.ui_schema = ui.value;
  const sent = { schema: state.schema, ui_schema: state.ui_schema };
  return request("POST", base + "preview", sent).then(({ status: code, data }) => {
    if (code !== 200) {
      showPreviewProblem(data);
      return false;
    }
    rawDirty = false;
    state.fields = data.fields ? data.fields.map((f) => Object.assign(f, { uid: nextId++, isNew: false })) : null;
    renderList(null);
    showPreview(data.html);
    return true;
  });
}

// messages

function clearMessages() {
  messages.textContent = "";
}

function showSummary(items, title) {
  clearMessages();
  const list = el("ul", { class: "govuk-list govuk-error-summary__list" });
  items.forEach(([text, href]) => {
    const link = href ? el("a", { href: href, text: text }) : null;
    if (link) link.addEventListener("click", (event) => showRawField(event, href));
    list.appendChild(el("li", {}, [link || document.createTextNode(text)]));
  });
  const box = el("div", { class: "govuk-error-summary", "data-module": "govuk-error-summary", id: "fe-error-summary" }, [
    el("div", { role: "alert" }, [el("h2", { class: "govuk-error-summary__title", text: title || "There is a problem" }),
      el("div", { class: "govuk-error-summary__body" }, [list])])]);
  messages.appendChild(box);
  box.setAttribute("tabindex", "-1");
  box.focus();
  return box;
}

// a problem with the raw JSON: its tab opened and its box focused (the tab may be hidden)
function showRawField(event, href) {
  event.preventDefault();
  const tab = document.querySelector("a[href='#fe-raw-panel']");
  if (tab && document.getElementById("fe-raw-panel").classList.contains("govuk-tabs__panel--hidden")) tab.click();
  const target = document.querySelector(href);
  if (target) target.focus();
}

function showSaved(data) {
  clearMessages();
  const lines = [el("h3", { class: "govuk-notification-banner__heading", text: "The form is saved in the draft" })];
  if (data.problems && data.problems.length) {
    lines.push(el("p", { class: "govuk-body", text: "The draft cannot be deployed until these are put right:" }));
    const list = el("ul", { class: "govuk-list govuk-list--bullet" });
    data.problems.forEach((p) => list.appendChild(el("li", { text: p.message })));
    lines.push(list);
  }
  const banner = el("div", { class: "govuk-notification-banner govuk-notification-banner--success", role: "alert",
    "aria-labelledby": "fe-saved-title", id: "fe-saved", tabindex: "-1" }, [
    el("div", { class: "govuk-notification-banner__header" }, [el("h2", { class: "govuk-notification-banner__title", id: "fe-saved-title", text: "Success" })]),
    el("div", { class: "govuk-notification-banner__content" }, lines)]);
  messages.appendChild(banner);
  banner.focus();
}

function showConflict(data) {
  const d = (data.error && data.error.details) || {};
  const who = d.updated_by_name || d.updated_by || "Someone";
  const when = d.updated_at_words ? " on " + d.updated_at_words : "";
  const box = showSummary([[who + " saved this draft" + when + " since you opened it. Reload the page to see their changes; your changes here are not saved.", null]]);
  const reload = el("button", { type: "button", class: "govuk-button govuk-button--secondary", id: "fe-reload", text: "Reload the page" });
  reload.addEventListener("click", () => window.location.reload());
  box.querySelector(".govuk-error-summary__body").appendChild(reload);
}

function save() {
  window.clearTimeout(timer);
  return applyRaw().then((ok) => {
    if (!ok) return;
    const body = payload();
    body.revision = state.revision;
    return request("PUT", base + encodeURIComponent(state.schema_file), body).then(({ status: code, data }) => {
      if (code === 200) {
        state.revision = data.revision;
        state.schema = data.schema;
        state.ui_schema = data.ui_schema;
        state.fields && state.fields.forEach((f) => { f.isNew = false; });
        renderList(null);
        fillRaw();
        showSaved(data);
      } else if (code === 409) {
        showConflict(data);
      } else {
        const details = (data.error && Array.isArray(data.error.details)) ? data.error.details : [];
        showSummary(details.length ? details.map((p) => [p.message, p.field === "ui_schema" ? "#fe-raw-ui" : (p.field === "schema" ? "#fe-raw-schema" : null)])
          : [[(data.error && data.error.message) || "The form could not be saved", null]]);
      }
    });
  });
}

rawSchema.addEventListener("input", () => { rawDirty = true; });
rawUi.addEventListener("input", () => { rawDirty = true; });
document.getElementById("fe-raw-apply").addEventListener("click", () => applyRaw());
document.getElementById("fe-save").addEventListener("click", save);
document.querySelector("a[href='#fe-fields-panel']").addEventListener("click", () => { applyRaw(); });
renderList(null);
