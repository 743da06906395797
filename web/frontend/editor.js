// The process designer's editor page: the draft's files in a list, the BPMN modeler with the properties panel
// and LIF's provider, dmn-js for decision tables, a text box for the other files; save, discard, validate,
// check and deploy through the page's JSON endpoints (data-* attributes of #lif-editor name them).
import BpmnModeler from 'bpmn-js/lib/Modeler';
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule } from 'bpmn-js-properties-panel';
import spiffworkflow from './spiffworkflow.json';
import LifPropertiesProvider from './lif_provider.js';
import { keepLoopReferences } from './extensions.js';
import { createDraft } from './draft.js';
import { showProblems } from './problems.js';

const root = document.getElementById('lif-editor');
const draft = createDraft(root);
let modeler = null;
let dmnModeler = null;
let current = null;
// LIF's groups start open: they are what a designer comes to change.
const OPEN_GROUPS = Object.fromEntries(['lif-lane', 'lif-form-group', 'lif-instructions', 'lif-deadline',
  'lif-assignment', 'lif-shows', 'lif-script-group', 'lif-condition-group', 'lif-timer', 'lif-message', 'lif-loop',
  'lif-scripts', 'lif-decision-group'].map((id) => [id, { open: true }]));

function $(id) {
  return document.getElementById(id);
}

function kind(name) {
  if (name.endsWith('.bpmn')) return 'bpmn';
  if (name.endsWith('.dmn')) return 'dmn';
  return 'text';
}

function show(part) {
  ['lif-bpmn', 'lif-dmn', 'lif-text-file'].forEach((id) => { $(id).hidden = id !== part; });
}

function bpmnModeler() {
  if (!modeler) {
    modeler = new BpmnModeler({
      container: '#lif-canvas',
      propertiesPanel: { parent: '#lif-properties', layout: { groups: OPEN_GROUPS } },
      additionalModules: [BpmnPropertiesPanelModule, BpmnPropertiesProviderModule,
        { __init__: ['lifPropertiesProvider'], lifPropertiesProvider: ['type', LifPropertiesProvider],
          lifDraft: ['value', draft] }],
      moddleExtensions: { spiffworkflow },
    });
    keepLoopReferences(modeler);
    modeler.on('commandStack.changed', (event) => { if (event.trigger !== 'clear') draft.touch(); });
    window.lifModeler = modeler;  // the browser tests read the diagram through it
  }
  return modeler;
}

function dmnEditor() {
  if (!dmnModeler) {
    dmnModeler = new window.LifDmnModeler({ container: '#lif-dmn-canvas' });
    const watched = new WeakSet();  // each view (diagram, table) has a command stack of its own
    dmnModeler.on('views.changed', () => {
      const viewer = dmnModeler.getActiveViewer();
      if (viewer && !watched.has(viewer)) {
        watched.add(viewer);
        viewer.on('commandStack.changed', (event) => { if (event.trigger !== 'clear') draft.touch(); });
      }
    });
    window.lifDmnModeler = dmnModeler;
  }
  return dmnModeler;
}

// The open file's text back into the draft's files.
async function flush() {
  if (!current) return;
  const type = kind(current);
  if (type === 'bpmn' && modeler) {
    draft.files[current] = (await modeler.saveXML({ format: true })).xml;
  } else if (type === 'dmn' && dmnModeler) {
    draft.files[current] = (await dmnModeler.saveXML({ format: true })).xml;
  } else if (type === 'text') {
    draft.files[current] = $('lif-text').value;
  }
}

async function open(name) {
  await flush();
  delete root.dataset.opened;
  current = name;
  document.querySelectorAll('#lif-files a').forEach((link) => {
    link.setAttribute('aria-current', link.dataset.file === name ? 'true' : 'false');
  });
  const type = kind(name);
  const text = draft.files[name] || '';
  $('lif-current-file').textContent = name;
  if (type === 'bpmn') {
    show('lif-bpmn');
    const result = await bpmnModeler().importXML(text);
    bpmnModeler().get('canvas').zoom('fit-viewport');
    draft.importWarnings(result.warnings || []);
  } else if (type === 'dmn') {
    show('lif-dmn');
    await dmnEditor().importXML(text);
  } else {
    show('lif-text-file');
    $('lif-text').value = text;
    $('lif-text-label').textContent = name;
  }
  draft.markers(name);
  root.dataset.opened = name;  // the browser tests wait for it
}

function listFiles() {
  const list = $('lif-files');
  list.textContent = '';
  const names = Object.keys(draft.files).sort(fileOrder);
  names.forEach((name) => {
    const item = document.createElement('li');
    const link = document.createElement('a');
    link.className = 'govuk-link';
    link.href = '#' + encodeURIComponent(name);
    link.dataset.file = name;
    link.textContent = name;
    link.addEventListener('click', (event) => { event.preventDefault(); open(name); });
    item.appendChild(link);
    list.appendChild(item);
  });
  return names;
}

const ORDER = { bpmn: 0, dmn: 1, text: 2 };
function fileOrder(a, b) {
  return (ORDER[kind(a)] - ORDER[kind(b)]) || a.localeCompare(b);
}

// Selects and shows an element of the open BPMN (or opens its file first).
async function selectElement(file, id) {
  if (file && file !== current && draft.files[file]) {
    await open(file);
  }
  if (!modeler || kind(current) !== 'bpmn') return;
  const element = modeler.get('elementRegistry').get(id);
  if (!element) return;
  const canvas = modeler.get('canvas');
  const plane = canvas.findRoot(element);  // a collapsed subprocess's content is drawn on a plane of its own
  if (plane && plane !== canvas.getRootElement()) canvas.setRootElement(plane);
  modeler.get('selection').select(element);
  canvas.scrollToElement(element);
  $('lif-canvas').focus();
}

async function load() {
  await draft.load();
  const names = listFiles();
  const first = names.find((name) => kind(name) === 'bpmn') || names[0];
  current = null;
  if (first) await open(first);
}

draft.onMarkers = (file) => {
  if (!modeler || file !== current) return;
  const canvas = modeler.get('canvas');
  const registry = modeler.get('elementRegistry');
  registry.getAll().forEach((el) => canvas.removeMarker(el.id, 'lif-problem'));
  draft.problemElements(file).forEach((id) => { if (registry.get(id)) canvas.addMarker(id, 'lif-problem'); });
};
draft.flush = flush;
draft.reload = load;
draft.selectElement = selectElement;
window.lifSelect = (id) => selectElement(null, id);  // the browser tests select through it
draft.showProblems = (problems, heading) => showProblems($('lif-problems'), problems, heading, selectElement);
$('lif-text').addEventListener('input', () => draft.touch());
load().catch((error) => {
  root.dataset.error = error.message;
  draft.say(`The draft could not be opened: ${error.message}`, true);
});
