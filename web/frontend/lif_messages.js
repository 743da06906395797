// Messages and correlation as SpiffWorkflow reads them: the bpmn:message's name, the payload a throwing element
// sends (spiffworkflow:messagePayload), the variable a catching element stores it in
// (spiffworkflow:messageVariable), and each correlation property's retrieval expression for the message.
import { h } from '@bpmn-io/properties-panel/preact';
import { TextFieldEntry, isTextFieldEntryEdited } from '@bpmn-io/properties-panel';
import { useService } from 'bpmn-js-properties-panel';
import { is } from 'bpmn-js/lib/util/ModelUtil';
import { bodyText, setBodyText } from './extensions.js';

function definitions(bo) {
  let node = bo;
  while (node && !is(node, 'bpmn:Definitions')) {
    node = node.$parent;
  }
  return node;
}

function throws(element) {
  return is(element, 'bpmn:SendTask') || is(element, 'bpmn:IntermediateThrowEvent') || is(element, 'bpmn:EndEvent');
}

function field(id, label, description, get, set) {
  return function Component(props) {
    const injector = useService('injector');
    const debounce = useService('debounceInput');
    return h(TextFieldEntry, {
      id, element: props.element, label, description, debounce,
      getValue: () => get(), setValue: (value) => set(props.element, (value || '').trim(), injector),
    });
  };
}

function messageNameEntry(holder, bo) {
  return field('lif-message-name', 'Message name',
    'Processes that send and receive this message use the same name.',
    () => (holder.messageRef && holder.messageRef.name) || '',
    (element, name, injector) => {
      const modeling = injector.get('modeling');
      if (holder.messageRef) {
        modeling.updateModdleProperties(element, holder.messageRef, { name: name || undefined });
        return;
      }
      if (!name) {
        return;
      }
      const root = definitions(bo);
      const message = injector.get('bpmnFactory').create('bpmn:Message', { name });
      message.$parent = root;
      modeling.updateModdleProperties(element, root, { rootElements: root.rootElements.concat([message]) });
      modeling.updateModdleProperties(element, holder, { messageRef: message });
    });
}

function correlationEntries(holder, bo) {
  const root = definitions(bo);
  const message = holder.messageRef;
  if (!root || !message) {
    return [];
  }
  const found = [];
  root.rootElements.filter((el) => is(el, 'bpmn:CorrelationProperty')).forEach((prop) => {
    (prop.correlationPropertyRetrievalExpression || []).forEach((retrieval) => {
      if (retrieval.messageRef !== message) {
        return;
      }
      const id = `lif-correlation-${prop.id}`;
      const component = field(id, `Matched on: ${prop.name || prop.id}`,
        'The expression on the message\'s content that must equal the waiting case\'s value.',
        () => (retrieval.messagePath && retrieval.messagePath.body) || '',
        (element, text, injector) => {
          if (retrieval.messagePath) {
            injector.get('modeling').updateModdleProperties(element, retrieval.messagePath, { body: text });
          } else {
            const made = injector.get('bpmnFactory').create('bpmn:FormalExpression', { body: text });
            made.$parent = retrieval;
            injector.get('modeling').updateModdleProperties(element, retrieval, { messagePath: made });
          }
        });
      found.push({ id, component, isEdited: isTextFieldEntryEdited });
    });
  });
  return found;
}

// The message group of ``element`` (an event with a message definition, a send or receive task), or null.
export function messageGroup(element, bo, definition, group, entry) {
  const holder = definition || ((is(element, 'bpmn:SendTask') || is(element, 'bpmn:ReceiveTask')) ? bo : null);
  if (!holder) {
    return null;
  }
  // SpiffWorkflow reads the payload and variable from the event definition, or from the task itself.
  const extHolder = holder;
  const entries = [entry('lif-message-name', null, messageNameEntry(holder, bo), isTextFieldEntryEdited)];
  if (throws(element)) {
    entries.push(entry('lif-message-payload', null, field('lif-message-payload', 'What the message carries',
      'A Python expression, for example {\'plan_ref\': plan_ref}.',
      () => bodyText(extHolder, 'spiffworkflow:MessagePayload'),
      (el, text, injector) => setBodyText(el, extHolder, 'spiffworkflow:MessagePayload', text, injector)),
    isTextFieldEntryEdited));
  } else {
    entries.push(entry('lif-message-variable', null, field('lif-message-variable', 'Store the message in',
      'The case value that receives the message\'s content.',
      () => bodyText(extHolder, 'spiffworkflow:MessageVariable'),
      (el, text, injector) => setBodyText(el, extHolder, 'spiffworkflow:MessageVariable', text, injector)),
    isTextFieldEntryEdited));
  }
  correlationEntries(holder, bo).forEach((found) => entries.push(entry(found.id, null, found.component,
    found.isEdited)));
  return group('lif-message', 'Message', entries, element);
}
