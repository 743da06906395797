// Reading and writing the spiffworkflow extension elements the way SpiffWorkflow and spiff-arena do: child
// elements of a BPMN element's extensionElements (spiffworkflow:properties holding spiffworkflow:property
// name/value pairs, and body elements such as spiffworkflow:instructionsForEndUser). Every write goes through
// the command stack, so undo works and the diagram knows it changed.

export function extensionOf(bo, type) {
  const values = (bo && bo.extensionElements && bo.extensionElements.values) || [];
  return values.find((value) => value.$type === type);
}

// The extensionElements of ``bo``, created when missing.
function extensionElements(element, bo, injector) {
  if (bo.extensionElements) {
    return bo.extensionElements;
  }
  const created = injector.get('bpmnFactory').create('bpmn:ExtensionElements', { values: [] });
  injector.get('modeling').updateModdleProperties(element, bo, { extensionElements: created });
  return created;
}

function removeValue(element, ext, child, injector) {
  const values = ext.values.filter((value) => value !== child);
  injector.get('modeling').updateModdleProperties(element, ext, { values });
}

function addValue(element, ext, child, injector) {
  child.$parent = ext;
  injector.get('modeling').updateModdleProperties(element, ext, { values: ext.values.concat([child]) });
}

// A body element such as spiffworkflow:preScript: its text, or '' when it is absent.
export function bodyText(bo, type) {
  const found = extensionOf(bo, type);
  return (found && found.value) || '';
}

// Sets a body element's text; an empty text removes the element (SpiffWorkflow reads absent and empty alike).
export function setBodyText(element, bo, type, text, injector) {
  const found = extensionOf(bo, type);
  if (!text) {
    if (found) {
      removeValue(element, bo.extensionElements, found, injector);
    }
    return;
  }
  if (found) {
    injector.get('modeling').updateModdleProperties(element, found, { value: text });
    return;
  }
  const ext = extensionElements(element, bo, injector);
  addValue(element, ext, injector.get('moddle').create(type, { value: text }), injector);
}

// One spiffworkflow:property's value, or ''.
export function property(bo, name) {
  const holder = extensionOf(bo, 'spiffworkflow:Properties');
  const found = holder && (holder.properties || []).find((p) => p.name === name);
  return (found && found.value) || '';
}

// Sets one spiffworkflow:property; an empty value removes it (and the properties element when it empties).
export function setProperty(element, bo, name, value, injector) {
  const modeling = injector.get('modeling');
  let holder = extensionOf(bo, 'spiffworkflow:Properties');
  const found = holder && (holder.properties || []).find((p) => p.name === name);
  if (!value) {
    if (found) {
      const kept = holder.properties.filter((p) => p !== found);
      if (kept.length) {
        modeling.updateModdleProperties(element, holder, { properties: kept });
      } else {
        removeValue(element, bo.extensionElements, holder, injector);
      }
    }
    return;
  }
  if (found) {
    modeling.updateModdleProperties(element, found, { value });
    return;
  }
  const moddle = injector.get('moddle');
  if (!holder) {
    holder = moddle.create('spiffworkflow:Properties', { properties: [] });
    addValue(element, extensionElements(element, bo, injector), holder, injector);
  }
  const created = moddle.create('spiffworkflow:Property', { name, value });
  created.$parent = holder;
  modeling.updateModdleProperties(element, holder, { properties: (holder.properties || []).concat([created]) });
}

// The text of a bpmn:FormalExpression property (a condition, a timer value), or ''.
export function expressionText(owner, name) {
  const value = owner && owner.get(name);
  return (value && value.body) || '';
}

export function setExpressionText(element, owner, name, text, injector) {
  const modeling = injector.get('modeling');
  if (!text) {
    modeling.updateModdleProperties(element, owner, { [name]: undefined });
    return;
  }
  const existing = owner.get(name);
  if (existing) {
    modeling.updateModdleProperties(element, existing, { body: text });
    return;
  }
  const created = injector.get('bpmnFactory').create('bpmn:FormalExpression', { body: text });
  created.$parent = owner;
  modeling.updateModdleProperties(element, owner, { [name]: created });
}

// bpmn-moddle drops references it cannot resolve when it writes the XML. SpiffWorkflow names a multi-instance
// collection in loopDataInputRef/loopDataOutputRef by a task-data variable, which is no element's id: keep each
// as an item-aware element with that id so the XML round-trips unchanged.
export function keepLoopReferences(modeler) {
  modeler.on('import.parse.complete', (event) => {
    const moddle = modeler.get('moddle');
    (event.references || []).forEach((ref) => {
      if ((ref.property === 'bpmn:loopDataInputRef' || ref.property === 'bpmn:loopDataOutputRef') &&
          !ref.element.get(ref.property)) {
        const kept = moddle.create('bpmn:ItemAwareElement', { id: ref.id });
        kept.$parent = ref.element;
        ref.element.set(ref.property, kept);
      }
    });
  });
}
