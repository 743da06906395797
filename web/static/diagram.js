// Draws a case's BPMN diagram with the bpmn-js viewer and marks its steps: done, active (current) and
// overdue. The element ids come from the container's data attributes; there is no inline script.
(function () {
  "use strict";

  function ids(container, name) {
    return (container.getAttribute("data-" + name) || "").split(" ").filter(Boolean);
  }

  function mark(viewer, container) {
    var canvas = viewer.get("canvas");
    var registry = viewer.get("elementRegistry");
    [["done", "lif-done"], ["active", "lif-active"], ["overdue", "lif-overdue"]].forEach(function (pair) {
      ids(container, pair[0]).forEach(function (id) {
        if (registry.get(id)) {
          canvas.addMarker(id, pair[1]);
        }
      });
    });
    canvas.zoom("fit-viewport");
    if (canvas.viewbox().scale < 0.6) {
      // A long process drawn whole is too small to read: show the current step at a readable size instead.
      var focus = ids(container, "overdue").concat(ids(container, "active"), ids(container, "done").reverse())
        .map(function (id) { return registry.get(id); }).filter(Boolean)[0];
      var box = canvas.viewbox(), scale = 0.8;
      var width = box.outer.width / scale, height = box.outer.height / scale;
      var x = focus ? focus.x + focus.width / 2 - width / 2 : box.inner.x;
      var fitsHeight = box.inner.height <= height;  // then show the whole height, and scroll only sideways
      var y = fitsHeight || !focus ? box.inner.y - Math.max(0, height - box.inner.height) / 2
        : focus.y + focus.height / 2 - height / 2;
      canvas.viewbox({ x: x, y: y, width: width, height: height });
    }
    container.setAttribute("data-rendered", "true");
  }

  function show(container) {
    if (!window.BpmnJS) {
      return;
    }
    var viewer = new window.BpmnJS({ container: container });
    fetch(container.getAttribute("data-bpmn-url"), { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("the diagram could not be loaded (" + response.status + ")");
        }
        return response.text();
      })
      .then(function (xml) { return viewer.importXML(xml); })
      .then(function () {
        var fallback = container.querySelector(".lif-diagram__fallback");
        if (fallback) {
          fallback.remove();
        }
        mark(viewer, container);
      })
      .catch(function (error) {
        container.setAttribute("data-error", String(error && error.message || error));
      });
  }

  document.querySelectorAll(".lif-diagram[data-bpmn-url]").forEach(show);
})();
