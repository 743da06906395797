// The LIF properties provider: the groups a process designer fills in for what the engine reads from a diagram
// (lane roles, forms, instructions, deadlines, reminders, assignment, data views, timers, messages, loops,
// scripts and conditions), written as SpiffWorkflow and spiff-arena write them.
import { h } from '@bpmn-io/properties-panel/preact';
import {
  Group, SelectEntry, TextAreaEntry, TextFieldEntry, CheckboxEntry,
  isSelectEntryEdited, isTextAreaEntryEdited, isTextFieldEntryEdited, isCheckboxEntryEdited,
} from '@bpmn-io/properties-panel';
import { useService } from 'bpmn-js-properties-panel';
import { is, getBusinessObject } from 'bpmn-js/lib/util/ModelUtil';
import {
  bodyText, setBodyText, property, setProperty, expressionText, setExpressionText,
} from './extensions.js';
import { messageGroup } from './lif_messages.js';

export const ROLES = ['coordinator', 'chair', 'reviewer', 'partner'];
const NEW_FORM = '__new__';

// An entry as the properties panel wants it: ``component`` renders it with the element.
function entry(id, element, component, isEdited) {
  return { id, element, component, isEdited };
}

function textEntry(id, label, description, get, set, area) {
  return function Component(props) {
    const injector = useService('injector');
    const translate = useService('translate');
    const debounce = useService('debounceInput');
    return h(area ? TextAreaEntry : TextFieldEntry, {
      id, element: props.element, label: translate(label), description: translate(description), debounce,
      getValue: () => get(props.element), setValue: (value) => set(props.element, value || '', injector),
      monospace: area === 'code', rows: area ? 6 : undefined,
    });
  };
}

function propertyEntry(id, name, label, description, area) {
  const component = textEntry(id, label, description,
    (element) => property(getBusinessObject(element), name),
    (element, value, injector) => setProperty(element, getBusinessObject(element), name, value.trim(), injector),
    area);
  return entry(id, null, component, isTextFieldEntryEdited);
}

function bodyEntry(id, type, label, description, area) {
  const component = textEntry(id, label, description,
    (element) => bodyText(getBusinessObject(element), type),
    (element, value, injector) => setBodyText(element, getBusinessObject(element), type, value, injector), area);
  return entry(id, null, component, area ? isTextAreaEntryEdited : isTextFieldEntryEdited);
}

function group(id, label, entries, element) {
  return { id, label, component: Group, entries: entries.map((e) => ({ ...e, element })) };
}

// Lane → role: the lane's name is the role of the tasks in it.
function RoleEntry(props) {
  const modeling = useService('modeling');
  const translate = useService('translate');
  const current = getBusinessObject(props.element).name || '';
  const choices = ROLES.includes(current) || !current ? ROLES : ROLES.concat([current]);
  return h(SelectEntry, {
    id: 'lif-role', element: props.element, label: translate('Who does the tasks in this lane'),
    description: translate('The lane\'s name is the role. Tasks people do must sit in a coordinator, chair, '
      + 'reviewer or partner lane.'),
    getValue: () => current,
    setValue: (value) => modeling.updateProperties(props.element, { name: value || undefined }),
    getOptions: () => [{ value: '', label: translate('Choose a role') }].concat(
      choices.map((role) => ({ value: role, label: role }))),
  });
}

// A task's role is the lane it sits in: the lanes beside it (innermost, in its own pool or process), by the role
// each names, and the one its middle lies in.
function lanesBeside(element, registry) {
  const pool = element.parent;
  return registry.filter((e) => is(e, 'bpmn:Lane') && !(getBusinessObject(e).childLaneSet
    && (getBusinessObject(e).childLaneSet.lanes || []).length) && poolOf(e) === pool);
}

function poolOf(lane) {
  let found = lane.parent;
  while (found && is(found, 'bpmn:Lane')) {
    found = found.parent;
  }
  return found;
}

function laneAt(element, lanes) {
  const x = element.x + element.width / 2;
  const y = element.y + element.height / 2;
  return lanes.find((l) => x >= l.x && x <= l.x + l.width && y >= l.y && y <= l.y + l.height);
}

// Choosing a role moves the task into the middle of that role's lane; bpmn-js then files it under that lane.
function TaskRoleEntry(props) {
  const registry = useService('elementRegistry');
  const modeling = useService('modeling');
  const translate = useService('translate');
  const lanes = lanesBeside(props.element, registry);
  if (!lanes.length) {
    return null;
  }
  const here = laneAt(props.element, lanes);
  return h(SelectEntry, {
    id: 'lif-task-role', element: props.element, label: translate('Role'),
    description: translate('Who does this task. Choosing a role moves the task into that role\'s lane.'),
    getValue: () => (here ? here.id : ''),
    setValue: (laneId) => {
      const lane = registry.get(laneId);
      if (!lane) {
        return;
      }
      const middle = props.element.y + props.element.height / 2;
      modeling.moveShape(props.element, { x: 0, y: Math.round(lane.y + lane.height / 2 - middle) });
    },
    getOptions: () => [{ value: '', label: translate('Choose a role') }].concat(lanes.map((lane) => ({
      value: lane.id, label: getBusinessObject(lane).name || translate('a lane with no role'),
    }))),
  });
}

function FormEntry(props) {
  const injector = useService('injector');
  const translate = useService('translate');
  const draft = useService('lifDraft');
  const bo = getBusinessObject(props.element);
  const current = property(bo, 'formJsonSchemaFilename');
  const names = draft.schemaFiles();
  if (current && !names.includes(current)) {
    names.push(current);
  }
  const choose = (value) => {
    let schema = value;
    if (value === NEW_FORM) {
      const name = draft.askFormName();
      if (!name) {
        return;
      }
      schema = `${name}-schema.json`;
    }
    setProperty(props.element, bo, 'formJsonSchemaFilename', schema, injector);
    setProperty(props.element, bo, 'formUiSchemaFilename',
      schema ? schema.replace(/-schema\.json$/, '-uischema.json') : '', injector);
  };
  return h(SelectEntry, {
    id: 'lif-form', element: props.element, label: translate('Form'),
    description: translate('The form the person fills in. Its layout file is named after it.'),
    getValue: () => current, setValue: choose,
    getOptions: () => [{ value: '', label: translate('No form') }]
      .concat(names.map((name) => ({ value: name, label: name.replace(/-schema\.json$/, '') })))
      .concat([{ value: NEW_FORM, label: translate('New form…') }]),
  });
}

function EditFormEntry(props) {
  const draft = useService('lifDraft');
  const current = property(getBusinessObject(props.element), 'formJsonSchemaFilename');
  if (!current) {
    return null;
  }
  return h('div', { class: 'bio-properties-panel-entry lif-edit-form' },
    h('a', {
      class: 'govuk-link', href: draft.formUrl(current),
      onClick: (event) => { event.preventDefault(); draft.saveThenGo(draft.formUrl(current)); },
    }, 'Edit form (saves the draft first)'));
}

function InstructionsPreview(props) {
  const draft = useService('lifDraft');
  const text = bodyText(getBusinessObject(props.element), 'spiffworkflow:InstructionsForEndUser');
  return h('div', { class: 'bio-properties-panel-entry' },
    h('button', {
      type: 'button', class: 'govuk-button govuk-button--secondary lif-preview-button',
      onClick: (event) => draft.previewInstructions(text, event.target.nextElementSibling),
    }, 'Preview the instructions'),
    h('div', { class: 'lif-instructions-preview govuk-body', 'aria-live': 'polite' }));
}

function checkboxProperty(id, name, label, description) {
  function Component(props) {
    const injector = useService('injector');
    const translate = useService('translate');
    const bo = getBusinessObject(props.element);
    return h(CheckboxEntry, {
      id, element: props.element, label: translate(label), description: translate(description),
      getValue: () => property(bo, name) === 'true',
      setValue: (value) => setProperty(props.element, bo, name, value ? 'true' : '', injector),
    });
  }
  return entry(id, null, Component, isCheckboxEntryEdited);
}

function userTaskGroups(element) {
  return [
    group('lif-form-group', 'Form', [entry('lif-form', null, FormEntry, isSelectEntryEdited),
      entry('lif-edit-form', null, EditFormEntry, () => false)], element),
    group('lif-instructions', 'Instructions', [
      bodyEntry('lif-instructions-text', 'spiffworkflow:InstructionsForEndUser', 'Instructions',
        'What the person should do, in Markdown. {{ name }} shows a value from the case.', true),
      entry('lif-instructions-preview', null, InstructionsPreview, () => false)], element),
    group('lif-deadline', 'Deadline and reminders', [
      propertyEntry('lif-due-in', 'dueIn', 'Due in',
        'How long the person has: P21D is 21 calendar days, 15WD is 15 working days. Leave empty for no deadline.'),
      propertyEntry('lif-due-from', 'dueFrom', 'Count from',
        'The case value holding the date the time counts from. Leave empty to count from when the task opens.'),
      checkboxProperty('lif-due-any-day', 'dueOnAnyDay', 'The deadline may fall on a weekend or bank holiday',
        'Otherwise a deadline on a non-working day moves to the next working day.'),
      propertyEntry('lif-reminders', 'reminders', 'Reminders',
        'Working days before and after the deadline, for example -2, 0, 3. Leave empty for the usual ladder.'),
      propertyEntry('lif-priority', 'priority', 'Priority', 'A number: 1 is the most urgent.'),
    ], element),
    group('lif-assignment', 'Who does it', [
      entry('lif-task-role', null, TaskRoleEntry, isSelectEntryEdited),
      propertyEntry('lif-agency-from', 'agencyFrom', 'Agency from',
        'The case value naming the agency whose people do this task.'),
      propertyEntry('lif-assignee-from', 'assigneeFrom', 'Person from',
        'The case value naming the person who does this task, for example process_initiator.'),
    ], element),
    group('lif-shows', 'What the person sees', [
      propertyEntry('lif-shows', 'shows', 'Case values shown',
        'The case values shown with the task, separated by commas.', true),
    ], element),
  ];
}

function DecisionEntry(props) {
  const injector = useService('injector');
  const draft = useService('lifDraft');
  const bo = getBusinessObject(props.element);
  const current = bodyText(bo, 'spiffworkflow:CalledDecisionId');
  const ids = draft.decisionIds();
  if (current && !ids.includes(current)) {
    ids.push(current);
  }
  return h(SelectEntry, {
    id: 'lif-decision', element: props.element, label: 'Decision table',
    description: 'The decision of the draft\'s DMN files this step runs; its outputs become case values.',
    getValue: () => current,
    setValue: (value) => setBodyText(props.element, bo, 'spiffworkflow:CalledDecisionId', value, injector),
    getOptions: () => [{ value: '', label: 'Choose a decision' }].concat(ids.map((id) => ({ value: id, label: id }))),
  });
}

function scriptGroups(element) {
  return [group('lif-scripts', 'Scripts', [
    bodyEntry('lif-pre-script', 'spiffworkflow:PreScript', 'Before the task',
      'Python run before the task starts (restricted: no imports).', 'code'),
    bodyEntry('lif-post-script', 'spiffworkflow:PostScript', 'After the task',
      'Python run when the task is done.', 'code'),
  ], element)];
}

function scriptTaskGroup(element) {
  const component = textEntry('lif-script', 'Script', 'Python run by this step (restricted: no imports).',
    (el) => getBusinessObject(el).script || '',
    (el, value, injector) => injector.get('modeling').updateProperties(el, {
      script: value || undefined, scriptFormat: value ? (getBusinessObject(el).scriptFormat || 'python') : undefined,
    }), 'code');
  return group('lif-script-group', 'Script', [entry('lif-script', null, component, isTextAreaEntryEdited)], element);
}

function conditionGroup(element) {
  const component = textEntry('lif-condition', 'Condition',
    'A Python expression: this path is taken when it is true. Leave empty on the default path.',
    (el) => expressionText(getBusinessObject(el), 'conditionExpression'),
    (el, value, injector) => setExpressionText(el, getBusinessObject(el), 'conditionExpression', value, injector),
    'code');
  return group('lif-condition-group', 'Condition', [entry('lif-condition', null, component,
    isTextAreaEntryEdited)], element);
}

const TIMER_KINDS = [['timeDuration', 'After a time (P21D, PT1H)'], ['timeDate', 'At a date (2027-01-01T09:00:00Z)'],
  ['timeCycle', 'Repeating (R3/PT1H)']];

function timerGroup(element, definition) {
  function Kind(props) {
    const injector = useService('injector');
    const current = TIMER_KINDS.find(([name]) => definition.get(name)) || TIMER_KINDS[0];
    return h(SelectEntry, {
      id: 'lif-timer-kind', element: props.element, label: 'When the timer fires',
      getValue: () => current[0],
      setValue: (value) => {
        const moved = injector.get('bpmnFactory').create('bpmn:FormalExpression', {
          body: expressionText(definition, current[0]) });
        moved.$parent = definition;
        injector.get('modeling').updateModdleProperties(props.element, definition, {
          timeDuration: undefined, timeDate: undefined, timeCycle: undefined, [value]: moved });
      },
      getOptions: () => TIMER_KINDS.map(([value, label]) => ({ value, label })),
    });
  }
  const value = textEntry('lif-timer-value', 'Timer value',
    'An ISO 8601 value in quotes or a Python expression, for example "P21D".',
    () => {
      const current = TIMER_KINDS.find(([name]) => definition.get(name)) || TIMER_KINDS[0];
      return expressionText(definition, current[0]);
    },
    (el, text, injector) => {
      const current = TIMER_KINDS.find(([name]) => definition.get(name)) || TIMER_KINDS[0];
      setExpressionText(el, definition, current[0], text, injector);
    });
  return group('lif-timer', 'Timer', [entry('lif-timer-kind', null, Kind, isSelectEntryEdited),
    entry('lif-timer-value', null, value, isTextFieldEntryEdited)], element);
}

function loopGroup(element, loop) {
  const modelingSet = (name, make) => (el, value, injector) => {
    injector.get('modeling').updateModdleProperties(el, loop, { [name]: value ? make(value, injector) : undefined });
  };
  const collection = textEntry('lif-loop-collection', 'Collection',
    'The case value holding the list: one instance runs for each item.',
    () => { const ref = loop.get('loopDataInputRef'); return (ref && ref.id) || ''; },
    modelingSet('loopDataInputRef', (value, injector) => {
      const made = injector.get('moddle').create('bpmn:ItemAwareElement', { id: value.trim() });
      made.$parent = loop;
      return made;
    }));
  const item = textEntry('lif-loop-item', 'Each item as',
    'The name each instance gives its item, for example agency.',
    () => { const found = loop.get('inputDataItem'); return (found && found.name) || ''; },
    modelingSet('inputDataItem', (value, injector) => {
      const made = injector.get('bpmnFactory').create('bpmn:DataInput', { id: value.trim(), name: value.trim() });
      made.$parent = loop;
      return made;
    }));
  return group('lif-loop', 'Repeat for each item', [entry('lif-loop-collection', null, collection,
    isTextFieldEntryEdited), entry('lif-loop-item', null, item, isTextFieldEntryEdited)], element);
}

function definitionOf(bo, type) {
  return (bo.eventDefinitions || []).find((definition) => is(definition, type));
}

export default function LifPropertiesProvider(propertiesPanel) {
  propertiesPanel.registerProvider(500, this);
}
LifPropertiesProvider.$inject = ['propertiesPanel'];

LifPropertiesProvider.prototype.getGroups = function getGroups(element) {
  return (groups) => groups.filter((g) => !['timer', 'multiInstance'].includes(g.id))
    .concat(lifGroups(element));
};

function lifGroups(element) {
  const bo = getBusinessObject(element);
  const found = [];
  if (is(element, 'bpmn:Lane')) {
    found.push(group('lif-lane', 'Role', [entry('lif-role', null, RoleEntry, isSelectEntryEdited)], element));
  }
  if (is(element, 'bpmn:UserTask') || is(element, 'bpmn:ManualTask')) {
    found.push(...userTaskGroups(element));
  }
  if (is(element, 'bpmn:BusinessRuleTask')) {
    found.push(group('lif-decision-group', 'Decision', [entry('lif-decision', null, DecisionEntry,
      isSelectEntryEdited)], element));
  }
  if (is(element, 'bpmn:ScriptTask')) {
    found.push(scriptTaskGroup(element));
  }
  if (is(element, 'bpmn:Activity') && !is(element, 'bpmn:SubProcess')) {
    found.push(...scriptGroups(element));
  }
  if (is(element, 'bpmn:SequenceFlow')) {
    found.push(conditionGroup(element));
  }
  const timer = definitionOf(bo, 'bpmn:TimerEventDefinition');
  if (timer) {
    found.push(timerGroup(element, timer));
  }
  const message = messageGroup(element, bo, definitionOf(bo, 'bpmn:MessageEventDefinition'), group, entry);
  if (message) {
    found.push(message);
  }
  if (bo.loopCharacteristics && is(bo.loopCharacteristics, 'bpmn:MultiInstanceLoopCharacteristics')) {
    found.push(loopGroup(element, bo.loopCharacteristics));
  }
  return found;
}
