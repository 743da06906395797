// The draft the editor works on: its files and revision, and the buttons that save, discard, validate, check
// and deploy it through the page's JSON endpoints. A save names the revision it was made from; when someone
// else saved since, the page says who and offers to reload, and never overwrites their work.
export function createDraft(root) {
  const data = root.dataset;
  const draft = {
    files: {}, revision: 0, dirty: false, problems: [],
    flush: async () => {}, reload: async () => {}, selectElement: () => {}, showProblems: () => {},
    onMarkers: () => {},
  };

  async function call(method, url, body) {
    const response = await fetch(url, {
      method, credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRFToken': data.csrf, Accept: 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    let answer = null;
    try { answer = await response.json(); } catch (error) { answer = null; }
    return { status: response.status, body: answer || {} };
  }

  function status(text, isError) {
    const box = document.getElementById('lif-status');
    box.textContent = text;
    box.classList.toggle('lif-status--error', Boolean(isError));
  }
  draft.say = status;

  draft.touch = () => { draft.dirty = true; status('You have changes that are not saved.'); };

  draft.load = async () => {
    const answer = await call('GET', data.draftUrl);
    if (answer.status !== 200) throw new Error(answer.body.error ? answer.body.error.message : 'not found');
    draft.files = answer.body.files;
    draft.revision = answer.body.revision;
    draft.baseVersion = answer.body.base_version ?? null;  // a first save names it: a version deployed since is a 409
    draft.dirty = false;
    document.getElementById('lif-conflict').hidden = true;
    status(answer.body.revision ? 'The saved draft is open.'
      : 'Nothing is saved in this draft yet.');
  };

  draft.schemaFiles = () => Object.keys(draft.files).filter((name) => name.endsWith('-schema.json')
    && !name.endsWith('-uischema.json')).sort();
  draft.askFormName = () => {
    const name = window.prompt('Name the new form: lower-case letters, digits and hyphens, for example agency-report');
    return name && /^[a-z0-9][a-z0-9-]*$/.test(name.trim()) ? name.trim() : null;
  };
  // The decisions of the draft's DMN files, by id (read from the text: dmn-js may not have opened them).
  draft.decisionIds = () => {
    const found = [];
    const parser = new DOMParser();
    Object.keys(draft.files).filter((name) => name.endsWith('.dmn')).forEach((name) => {
      const doc = parser.parseFromString(draft.files[name], 'application/xml');
      Array.from(doc.getElementsByTagNameNS('*', 'decision')).forEach((el) => found.push(el.getAttribute('id')));
    });
    return found.filter(Boolean).sort();
  };
  draft.formUrl = (schema) => `${data.formsUrl}/${encodeURIComponent(schema)}`;

  draft.problemElements = (file) => draft.problems.filter((p) => p.element && (!p.file || p.file === file))
    .map((p) => p.element);
  draft.markers = (file) => draft.onMarkers(file);
  draft.importWarnings = () => {};

  function conflict(body) {
    const details = (body.error && body.error.details) || {};
    const who = details.updated_by_name || details.updated_by || 'Someone';
    // a version deployed since the draft was opened (details.version), else a save by someone else
    const what = details.version ? `${who} deployed version ${details.version} since you opened this draft.`
      : `${who} saved this draft since you opened it.`;
    document.getElementById('lif-conflict-text').textContent = `${what} Your changes are not saved.`;
    document.getElementById('lif-conflict').hidden = false;
    status(what, true);
  }

  function problemsFrom(body) {
    const details = body.error && body.error.details;
    return Array.isArray(details) ? details : [];
  }

  function showFound(problems, heading, none) {
    draft.problems = problems;
    draft.showProblems(problems, problems.length ? heading : none);
    draft.onMarkers(document.getElementById('lif-current-file').textContent);
  }

  draft.save = async () => {
    await draft.flush();
    const answer = await call('PUT', data.draftUrl, { files: draft.files, revision: draft.revision,
      base_version: draft.baseVersion ?? null });
    if (answer.status === 409) { conflict(answer.body); return false; }
    if (answer.status !== 200) {
      status(answer.body.error ? answer.body.error.message : 'The draft was not saved.', true);
      showFound(problemsFrom(answer.body), 'The draft was not saved', '');
      return false;
    }
    draft.revision = answer.body.revision;
    draft.dirty = false;
    status('The draft is saved.');
    const problems = answer.body.problems || [];
    showFound(problems, `The draft is saved. It has ${problems.length} problem${problems.length === 1 ? '' : 's'}`
      + ' to fix before it can be deployed', 'The draft is saved. It has no problems.');
    return true;
  };

  draft.saveThenGo = async (url) => {
    if (await draft.save()) window.location.assign(url);
  };

  draft.validate = async () => {
    await draft.flush();
    const answer = await call('POST', data.validateUrl, { files: draft.files });
    if (answer.status !== 200) { status(answer.body.error ? answer.body.error.message : 'Not checked.', true); return; }
    showFound(answer.body.problems, 'Problems to fix before deploying', 'No problems found.');
  };

  draft.check = async () => {
    await draft.flush();
    status('Running the draft through every path…');
    const answer = await call('POST', data.checkUrl, { files: draft.files });
    if (answer.status === 404) {
      status('Checking by running is not available yet.', true);
      return;
    }
    if (answer.status !== 200) {
      status(answer.body.error ? answer.body.error.message : 'The check did not run.', true);
      showFound(problemsFrom(answer.body), 'The check could not run', '');
      return;
    }
    const reached = (answer.body.reached || []).length;
    status(`Ran the draft ${answer.body.runs} times; the runs reached ${reached} steps.`);
    showFound(answer.body.problems || [], 'What running the draft found', 'Running the draft found no problems.');
  };

  draft.deploy = async () => {
    if (draft.dirty || !draft.revision) {
      if (!(await draft.save())) return;
    }
    const answer = await call('POST', data.deployUrl, { revision: draft.revision });
    if (answer.status === 409) { conflict(answer.body); return; }
    if (answer.status === 422) {
      status('The draft was not deployed: fix every problem listed.', true);
      showFound(problemsFrom(answer.body), 'The draft was not deployed', '');
      return;
    }
    if (answer.status >= 300) {
      status(answer.body.error ? answer.body.error.message : 'The draft was not deployed.', true);
      return;
    }
    window.location.assign(answer.body.url);
  };

  draft.discard = async () => {
    if (!window.confirm('Discard this draft? Every change saved in it is lost.')) return;
    const answer = await call('DELETE', data.draftUrl);
    if (answer.status !== 204 && answer.status !== 404) {
      status(answer.body.error ? answer.body.error.message : 'The draft was not discarded.', true);
      return;
    }
    await draft.reload();
    status('The draft is discarded.');
  };

  draft.previewInstructions = async (text, box) => {
    const answer = await call('POST', data.previewUrl, { text });
    // The server renders the Markdown with the task page's own sanitising renderer.
    box.innerHTML = answer.status === 200 ? answer.body.html : '';
  };

  const buttons = { 'lif-save': draft.save, 'lif-validate': draft.validate, 'lif-check': draft.check,
    'lif-deploy': draft.deploy, 'lif-discard': draft.discard,
    'lif-reload': async () => { await draft.reload(); } };
  Object.entries(buttons).forEach(([id, action]) => {
    document.getElementById(id).addEventListener('click', (event) => {
      event.preventDefault();
      action().catch((error) => status(`Something went wrong: ${error.message}`, true));
    });
  });
  window.addEventListener('beforeunload', (event) => { if (draft.dirty) event.preventDefault(); });
  return draft;
}
