// Draws the two versions of a diff page with bpmn-js's navigated viewer and marks each element added, removed or
// changed: a coloured outline (lif.css) and a label in words beside it, so the marks do not rely on colour alone.
// The ids come from the container's data attributes; there is no inline script.
(function () {
  "use strict";

  var LABELS = { added: "+ Added", removed: "\u2212 Removed", changed: "~ Changed" };

  function ids(container, name) {
    return (container.getAttribute("data-" + name) || "").split(" ").filter(Boolean);
  }

  function mark(viewer, container) {
    var canvas = viewer.get("canvas");
    var registry = viewer.get("elementRegistry");
    var overlays = viewer.get("overlays");
    Object.keys(LABELS).forEach(function (kind) {
      ids(container, kind).forEach(function (id) {
        var element = registry.get(id);
        if (!element) {
          return;
        }
        canvas.addMarker(id, "lif-diff-" + kind);
        var badge = document.createElement("span");
        badge.className = "lif-diff-badge lif-diff-badge--" + kind;
        badge.textContent = LABELS[kind];
        overlays.add(id, { position: { top: -22, left: 0 }, html: badge });
      });
    });
  }

  function show(container) {
    window.lifDiagram.load(container, container.getAttribute("data-diff-url"), function (viewer) {
      container.style.height = "500px";
      viewer.get("canvas").resized();
      viewer.get("canvas").zoom("fit-viewport");
      mark(viewer, container);
    });
  }

  document.querySelectorAll(".lif-diff-diagram[data-diff-url]").forEach(show);
})();
