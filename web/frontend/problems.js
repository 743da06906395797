// The problems of a validation, a check or a deploy: a GOV.UK error summary listing each one; a problem with an
// element is a link that selects the element on the canvas.
export function showProblems(box, problems, heading, select) {
  box.textContent = '';
  box.hidden = false;
  const title = document.createElement('h2');
  title.className = 'govuk-heading-m';
  title.textContent = heading;
  box.appendChild(title);
  if (!problems.length) {
    return;
  }
  const list = document.createElement('ul');
  list.className = 'govuk-list govuk-error-summary__list lif-problem-list';
  problems.forEach((problem) => {
    const item = document.createElement('li');
    const where = [problem.file, problem.line ? `line ${problem.line}` : ''].filter(Boolean).join(', ');
    const text = (where ? `${where}: ` : '') + problem.message;
    if (problem.element) {
      const link = document.createElement('a');
      link.href = '#lif-canvas';
      link.className = 'govuk-link';
      link.dataset.element = problem.element;
      link.textContent = text;
      link.addEventListener('click', (event) => {
        event.preventDefault();
        select(problem.file, problem.element);
      });
      item.appendChild(link);
    } else {
      item.textContent = text;
    }
    list.appendChild(item);
  });
  box.appendChild(list);
}
